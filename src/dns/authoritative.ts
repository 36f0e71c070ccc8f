// `--authoritative`: the addresses of a zone's own name servers, found through a Resolver (RFC 1034 §4.2.1).

import { DnsError } from '../base/errors.js';
import { normalizeName } from '../dns-types/rr.js';
import type { Resolver } from './resolver.js';
import { DNS_PORT, type ServerAddress } from './servers.js';

/**
 * Look up the zone's NS RRset, then the A and AAAA records of each name server. Returns
 * the addresses (port 53), IPv4 first, without duplicates. Throws a DnsError when the NS
 * lookup fails or no server has an address.
 */
export async function findAuthoritativeServers(zone: string, resolver: Resolver): Promise<ServerAddress[]> {
  const name = normalizeName(zone);
  const ns = await resolver.resolve(name, 'NS');
  if (ns.status !== 'ok') {
    const why = ns.status === 'error' ? ns.reason : ns.status.toUpperCase();
    throw new DnsError(`cannot find the name servers of ${name}: ${why}`);
  }
  const hosts = [...new Set(ns.records.flatMap((rr) => (rr.type === 'NS' ? [rr.host] : [])))].sort();
  const lookups = await Promise.all(hosts.flatMap((host) => [resolver.resolve(host, 'A'), resolver.resolve(host, 'AAAA')]));
  const v4: string[] = [];
  const v6: string[] = [];
  for (const answer of lookups) {
    if (answer.status !== 'ok') continue;
    for (const rr of answer.records) {
      if (rr.type === 'A') v4.push(rr.address);
      else if (rr.type === 'AAAA') v6.push(rr.address.toLowerCase());
    }
  }
  const addresses = [...new Set(v4), ...new Set(v6)];
  if (addresses.length === 0) throw new DnsError(`no address for any name server of ${name} (${hosts.join(', ')})`);
  return addresses.map((host) => ({ host, port: DNS_PORT }));
}
