// `audit` over live DNS: the DNS client (system resolver or `--resolver`), one shared cache
// for every domain of the run, and the obsolete type 99 SPF question the model lacks.

import { createDnsClient, type DnsClient, type DnsClientOptions } from '../../dns/client.js';
import type { Answer } from '../../dns/resolver.js';
import { normalizeName } from '../../dns-types/rr.js';
import type { TypeResolver } from '../../dns/answers.js';

/** A DNS client that can also ask types outside the record model (type 99 "SPF"). */
export type LiveResolver = DnsClient & TypeResolver;

/**
 * Asks one type the model keeps as OTHER, without CNAME chasing or cache: records of that
 * type owned by the name itself, NXDOMAIN, NODATA, or an error (RFC 2308 §2.1, §2.2).
 */
export async function queryOtherType(client: Pick<DnsClient, 'query'>, name: string, type: string): Promise<Answer> {
  const qname = normalizeName(name);
  const mnemonic = type.toUpperCase();
  try {
    const result = await client.query(qname, mnemonic);
    if (result.rcode === 'NXDOMAIN') return { status: 'nxdomain', authenticated: result.authenticated };
    if (result.rcode !== 'NOERROR') return { status: 'error', reason: `${result.rcode} for ${qname} ${mnemonic}` };
    const records = result.answers.filter((rr) => rr.name === qname && rr.type === 'OTHER' && rr.rrtype === mnemonic);
    return records.length > 0
      ? { status: 'ok', records, authenticated: result.authenticated }
      : { status: 'nodata', authenticated: result.authenticated };
  } catch (error) {
    return { status: 'error', reason: (error as Error).message };
  }
}

/** The live source's resolver: the client's resolve(), plus resolveType for type 99. */
export function createLiveResolver(options: DnsClientOptions = {}): LiveResolver {
  const client = createDnsClient(options);
  return Object.assign(client, { resolveType: (name: string, type: string) => queryOtherType(client, name, type) });
}
