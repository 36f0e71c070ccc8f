// What DNS adds to a simulation (only with --resolve): the reverse-DNS name of
// each source, forward-confirmed, and whether a subdomain exists (for np=).

import type { Answer, Resolver } from '../dns/resolver.js';
import { parseIp, reverseName } from '../dns-types/ip.js';
import { operatorDomain } from './org-domain.js';
import { mapBounded } from '../base/limiter.js';

export interface SourceName {
  ip: string;
  /** The PTR name (RFC 1035 §3.5, RFC 3596 §2.5), when there is one. */
  name?: string;
  /** The name's A/AAAA include the address (forward-confirmed reverse DNS). */
  confirmed?: boolean;
  /** The name's operator (organizational domain), for grouping. */
  operator?: string;
  /** Why there is no name: "no PTR record", or the lookup failure. */
  problem?: string;
}

function addresses(answer: Answer): string[] {
  if (answer.status !== 'ok') return [];
  return answer.records.flatMap((r) => (r.type === 'A' || r.type === 'AAAA' ? [r.address] : []));
}

async function resolveOne(ip: string, resolver: Resolver): Promise<SourceName> {
  const addr = parseIp(ip);
  if (!addr) return { ip, problem: 'not an IP address' };
  const answer = await resolver.resolve(reverseName(addr), 'PTR');
  if (answer.status === 'error') return { ip, problem: `PTR lookup failed: ${answer.reason}` };
  const ptr = answer.status === 'ok' ? answer.records.find((r) => r.type === 'PTR') : undefined;
  if (!ptr || ptr.type !== 'PTR') return { ip, problem: 'no PTR record' };
  const name = ptr.host;
  const forward = await resolver.resolve(name, addr.family === 4 ? 'A' : 'AAAA');
  const wanted = parseIp(ip);
  const confirmed = addresses(forward).some((a) => {
    const got = parseIp(a);
    return got !== undefined && wanted !== undefined && got.family === wanted.family && got.bytes.every((b, i) => b === wanted.bytes[i]);
  });
  return { ip, name, confirmed, operator: operatorDomain(name) };
}

/** Reverse-DNS names of the given sources, a few lookups at a time. */
export async function resolveSourceNames(ips: readonly string[], resolver: Resolver, concurrency = 16): Promise<Map<string, SourceName>> {
  const names = await mapBounded(ips, concurrency, (ip) => resolveOne(ip, resolver));
  return new Map(names.map((n) => [n.ip, n]));
}

/**
 * Whether each name exists, as RFC 9989 defines non-existent for np= (from RFC
 * 9091 §2.1): NXDOMAIN or NODATA for A, AAAA and MX alike. A failed lookup
 * leaves the name out (unknown).
 */
export async function resolveExistence(names: readonly string[], resolver: Resolver, concurrency = 16): Promise<Map<string, boolean>> {
  const results = await mapBounded(names, concurrency, async (name): Promise<[string, boolean | undefined]> => {
    const a = await resolver.resolve(name, 'A');
    if (a.status === 'nxdomain') return [name, false];
    if (a.status === 'ok' && a.records.length > 0) return [name, true];
    const [aaaa, mx] = await Promise.all([resolver.resolve(name, 'AAAA'), resolver.resolve(name, 'MX')]);
    const answers = [a, aaaa, mx];
    if (answers.some((x) => x.status === 'ok' && x.records.length > 0)) return [name, true];
    if (answers.some((x) => x.status === 'error')) return [name, undefined];
    return [name, false];
  });
  const out = new Map<string, boolean>();
  for (const [name, exists] of results) if (exists !== undefined) out.set(name, exists);
  return out;
}
