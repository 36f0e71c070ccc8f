// `audit --authoritative`: every question goes to the name servers of the zone that holds
// the name, found through a resolver (RFC 1034 §4.2.1), and is asked without recursion, so
// no cache between the audit and the zone's own servers can hide a change.

import type { DnsClient, QueryResult } from '../../dns/client.js';
import { findAuthoritativeServers } from '../../dns/authoritative.js';
import type { Answer, Resolver } from '../../dns/resolver.js';
import { formatServer, type ServerAddress } from '../../dns/servers.js';
import { typeCode } from '../../dns/wire.js';
import { normalizeName, type RR, type RRType } from '../../dns-types/rr.js';
import type { TypeResolver } from '../../dns/answers.js';
import { queryOtherType } from './live.js';

export interface AuthoritativeOptions {
  /** Finds each zone's NS RRset and the name servers' addresses (a recursive resolver). */
  finder: Resolver;
  /** A client asking exactly these servers, recursion not desired. */
  clientFor: (servers: ServerAddress[]) => Pick<DnsClient, 'query'>;
}

const MAX_CNAME_HOPS = 8;

/** True when an RRSIG in the section covers the RRset (RFC 4034 §3.1: the first field is the type covered). */
export function hasCoveringRrsig(records: RR[], name: string, type: string): boolean {
  let code: number;
  try {
    code = typeCode(type);
  } catch {
    return false;
  }
  return records.some((rr) => {
    if (rr.type !== 'OTHER' || rr.rrtype !== 'RRSIG' || rr.name !== name) return false;
    // Kept in RFC 3597 form: "\# <length> <hex>"; the type covered is the first two octets.
    const hex = /^\\#\s+\d+\s+([0-9a-fA-F\s]+)$/.exec(rr.text)?.[1]?.replace(/\s+/g, '');
    return hex !== undefined && hex.length >= 4 && parseInt(hex.slice(0, 4), 16) === code;
  });
}

/**
 * A Resolver that asks each name's own zone servers. The zone of a name is the closest
 * ancestor (or the name) with an NS RRset of its own; its servers are the addresses of
 * those NS hosts (port 53). CNAMEs are followed across zones, each target asked of its own
 * servers. The query sets the DO bit, and an answer carrying an RRSIG over the RRset counts
 * as authenticated: an authoritative server never sets AD (RFC 4035 §3.1.6), and an RRSIG
 * present is what makes DANE usable for a validating sender (RFC 7672 §2.2).
 */
export function createAuthoritativeResolver(options: AuthoritativeOptions): Resolver & TypeResolver {
  const nsAt = new Map<string, Promise<Answer>>();
  const zoneOfName = new Map<string, Promise<{ zone: string } | { error: string }>>();
  const servers = new Map<string, Promise<{ client: Pick<DnsClient, 'query'>; list: string } | { error: string }>>();

  const askNs = (name: string): Promise<Answer> => {
    let pending = nsAt.get(name);
    if (!pending) {
      pending = options.finder.resolve(name, 'NS');
      nsAt.set(name, pending);
    }
    return pending;
  };

  /** The closest enclosing zone apex of a name: the first name upwards with its own NS RRset. */
  const zoneOf = (name: string): Promise<{ zone: string } | { error: string }> => {
    let pending = zoneOfName.get(name);
    if (!pending) {
      pending = (async () => {
        for (let n = name; n !== ''; n = n.includes('.') ? n.slice(n.indexOf('.') + 1) : '') {
          const answer = await askNs(n);
          if (answer.status === 'error') return { error: `cannot find the zone of ${name}: NS lookup for ${n} failed (${answer.reason})` };
          if (answer.status === 'ok' && answer.records.some((rr) => rr.type === 'NS' && rr.name === n)) return { zone: n };
        }
        return { error: `no zone with name servers holds ${name}` };
      })();
      zoneOfName.set(name, pending);
    }
    return pending;
  };

  const serversOf = (zone: string) => {
    let pending = servers.get(zone);
    if (!pending) {
      pending = findAuthoritativeServers(zone, options.finder).then(
        (list) => ({ client: options.clientFor(list), list: list.map(formatServer).join(', ') }),
        (error: Error) => ({ error: error.message }),
      );
      servers.set(zone, pending);
    }
    return pending;
  };

  async function resolveAt(name: string, type: string, hops: number, other: boolean): Promise<Answer> {
    const qname = normalizeName(name);
    const zone = await zoneOf(qname);
    if ('error' in zone) return { status: 'error', reason: zone.error };
    const target = await serversOf(zone.zone);
    if ('error' in target) return { status: 'error', reason: target.error };
    if (other) return queryOtherType(target.client, qname, type);
    let result: QueryResult;
    try {
      result = await target.client.query(qname, type, { dnssecOk: true });
    } catch (error) {
      return { status: 'error', reason: `${(error as Error).message} (servers of ${zone.zone}: ${target.list})` };
    }
    if (result.rcode === 'NXDOMAIN') return { status: 'nxdomain', authenticated: false };
    if (result.rcode !== 'NOERROR') return { status: 'error', reason: `${result.rcode} from ${formatServer(result.server)} for ${qname} ${type}` };
    const records = result.answers.filter((rr) => rr.name === qname && rr.type === type);
    if (records.length > 0) {
      return { status: 'ok', records, authenticated: hasCoveringRrsig(result.answers, qname, type) };
    }
    const cname = result.answers.find((rr) => rr.name === qname && rr.type === 'CNAME');
    if (cname && cname.type === 'CNAME' && type !== 'CNAME') {
      // RFC 1034 §3.6.2: restart at the canonical name, asked of its own zone's servers.
      if (hops >= MAX_CNAME_HOPS) return { status: 'error', reason: `CNAME chain from ${qname} longer than ${MAX_CNAME_HOPS}` };
      return resolveAt(cname.target, type, hops + 1, false);
    }
    // RFC 2308 §2.2: no SOA, not authoritative, NS in the authority section: a referral.
    if (!result.flags.aa && !result.authorities.some((rr) => rr.type === 'SOA') && result.authorities.some((rr) => rr.type === 'NS')) {
      return { status: 'error', reason: `referral from ${formatServer(result.server)} for ${qname} ${type}: not authoritative` };
    }
    return { status: 'nodata', authenticated: false };
  }

  return {
    resolve: (name: string, type: RRType) => resolveAt(name, type, 0, false),
    resolveType: (name: string, type: string) => resolveAt(name, type.toUpperCase(), 0, true),
  };
}
