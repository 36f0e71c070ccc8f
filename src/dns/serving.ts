// Whether each authoritative server of a zone serves one TXT record exactly, asked directly
// (no recursion, no cache): what dkim rotate waits for before it activates a new key. Also
// the zone's negative TTL, the time a resolver may keep having seen no record (RFC 2308 §5).

import { normalizeName, txtText } from '../dns-types/rr.js';
import type { DnsClient } from './client.js';
import { formatServer, type ServerAddress } from './servers.js';

export interface ServerView {
  server: string;
  serves: boolean;
  /** Why it does not, in words ("no record", "SERVFAIL", "not authoritative"). */
  problem?: string;
  /** The record's TTL as served. */
  ttl?: number;
  /** min(SOA TTL, SOA MINIMUM): how long a resolver keeps a negative answer (RFC 2308 §5). */
  negativeTtl?: number;
}

/** Ask one server for `name` TXT and the zone's SOA. */
async function askServer(client: Pick<DnsClient, 'query'>, server: ServerAddress, zone: string, name: string, expected: string): Promise<ServerView> {
  const label = formatServer(server);
  const view: ServerView = { server: label, serves: false };
  try {
    const soa = await client.query(zone, 'SOA', { server });
    const rr = soa.answers.find((r) => r.type === 'SOA' && r.name === zone);
    if (rr && rr.type === 'SOA') view.negativeTtl = Math.min(rr.ttl, rr.minimum);
    const answer = await client.query(name, 'TXT', { server });
    if (answer.rcode !== 'NOERROR' && answer.rcode !== 'NXDOMAIN') return { ...view, problem: answer.rcode };
    // RFC 1035 §4.1.1: AA set only by a server authoritative for the name.
    if (!answer.flags.aa) return { ...view, problem: `not authoritative for ${zone}` };
    if (answer.rcode === 'NXDOMAIN') return { ...view, problem: 'no record (NXDOMAIN)' };
    const texts = answer.answers.flatMap((r) => (r.type === 'TXT' && r.name === name ? [{ text: txtText(r), ttl: r.ttl }] : []));
    if (texts.length === 0) return { ...view, problem: 'no record' };
    // RFC 6376 §3.6.2.2: several key records at a selector make verification undefined.
    if (texts.length > 1) return { ...view, problem: `${texts.length} TXT records` };
    if (texts[0]!.text !== expected) return { ...view, problem: 'a different record' };
    return { ...view, serves: true, ttl: texts[0]!.ttl };
  } catch (error) {
    return { ...view, problem: `no answer (${(error as Error).message})` };
  }
}

/** Each server's view of `name` TXT, in the order given. A failed exchange is "not served", never a pass. */
export async function checkServed(
  client: Pick<DnsClient, 'query'>,
  servers: readonly ServerAddress[],
  zone: string,
  name: string,
  expected: string,
): Promise<ServerView[]> {
  const apex = normalizeName(zone);
  const owner = normalizeName(name);
  return Promise.all(servers.map((server) => askServer(client, server, apex, owner, expected)));
}
