// Forward-confirmed reverse DNS (RFC 1912 §2.1; RFC 7208 §5.5 steps 1-2): an address's
// PTR names, and which of them resolve back to it. SPF's ptr and %{p} and the MX
// check's sending addresses ask it the same way.

import type { Resolver } from '../../dns/resolver.js';
import { SPF_MAX_PTR_NAMES } from './limits.js';
import { recordsOf } from '../../dns/answers.js';
import { inPrefix, parseIp, reverseName, type IpAddress } from '../../dns-types/ip.js';

export type Fcrdns =
  /** The PTR lookup failed: nothing is known. */
  | { status: 'error' }
  /**
   * `names`: every PTR name (lowercase, no trailing dot); `confirmed`: those whose
   * A/AAAA records hold the address; `failed`: a forward lookup failed.
   */
  | { status: 'ok'; names: string[]; confirmed: string[]; failed: boolean };

/**
 * The PTR names of `ip` and the forward lookup of each, of the address's family. At
 * most 10 names are tried (RFC 7208 §4.6.4); a failed forward lookup skips its name.
 */
export async function resolveFcrdns(ip: IpAddress, resolver: Resolver): Promise<Fcrdns> {
  const ptr = await resolver.resolve(reverseName(ip), 'PTR');
  if (ptr.status === 'error') return { status: 'error' };
  const names = recordsOf(ptr, 'PTR').map((r) => r.host.toLowerCase().replace(/\.$/, ''));
  const confirmed: string[] = [];
  let failed = false;
  for (const name of names.slice(0, SPF_MAX_PTR_NAMES)) {
    const answer = await resolver.resolve(name, ip.family === 4 ? 'A' : 'AAAA');
    if (answer.status === 'error') {
      failed = true;
      continue;
    }
    const records = ip.family === 4 ? recordsOf(answer, 'A') : recordsOf(answer, 'AAAA');
    const addresses = records.flatMap((r) => parseIp(r.address, false) ?? []);
    if (addresses.some((a) => inPrefix(ip, a, ip.family === 4 ? 32 : 128))) confirmed.push(name);
  }
  return { status: 'ok', names, confirmed, failed };
}
