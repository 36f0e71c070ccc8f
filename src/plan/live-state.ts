// Reads the current state of an update-managed zone from its primary: every
// RRset at the names and types mailrec declares or claims. Effects are a
// parameter (a Resolver); a lookup that fails stops the plan, because planning
// against "could not ask" would delete or duplicate records.

import { DnsError } from '../base/errors.js';
import type { Resolver } from '../dns/resolver.js';
import { renderRR } from '../dns-types/rdata.js';
import { typeOf, type RR, type RRType } from '../dns-types/rr.js';
import type { Claim } from './claims.js';
import { digestText, type ZoneState } from './plan.js';

/**
 * The zone's records at the declared names and the claims, and the claims as asked: `follow`
 * may then claim more names from what was found (a chain of SPF links, followChainClaims),
 * asking the server through `observe`.
 */
export async function readLiveState(
  zone: string,
  desired: RR[],
  claims: Claim[],
  resolver: Resolver,
  server: string,
  follow?: (claims: Claim[], records: RR[], observe: (more: Claim[]) => Promise<readonly RR[]>) => Promise<void>,
): Promise<{ state: ZoneState; claims: Claim[] }> {
  const asked = new Set<string>();
  const observe = async (pending: readonly { name: string; type: RRType }[]): Promise<RR[]> => {
    const questions = new Map<string, { name: string; type: RRType }>();
    for (const q of pending) {
      const key = `${q.name} ${q.type}`;
      if (!asked.has(key)) questions.set(key, { name: q.name, type: q.type });
    }
    for (const key of questions.keys()) asked.add(key);
    const answers = await Promise.all(
      [...questions.values()].map(async (q) => ({ q, answer: await resolver.resolve(q.name, q.type) })),
    );
    const found: RR[] = [];
    for (const { q, answer } of answers) {
      if (answer.status === 'error')
        throw new DnsError(`could not read ${q.name} ${q.type} from ${server}: ${answer.reason}; nothing was planned`);
      if (answer.status !== 'ok') continue;
      // Only the RRset itself: a CNAME chain's records belong to other names.
      found.push(...answer.records.filter((rr) => rr.name === q.name && typeOf(rr) === q.type));
    }
    return found;
  };
  const allClaims = [...claims];
  const records = await observe([...desired.map((rr) => ({ name: rr.name, type: typeOf(rr) as RRType })), ...claims]);
  await follow?.(allClaims, records, observe);
  const canonical = records.map((rr) => renderRR(rr)).sort();
  return {
    state: {
      zone,
      source: 'live',
      status: 'live',
      digest: digestText(canonical.join('\n')),
      records,
    },
    claims: allClaims,
  };
}
