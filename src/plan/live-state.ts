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
 * The zone's records at the declared names and the claims, and the claims as asked: after
 * each round `follow` may claim more names from what was found (a chain of SPF links), up
 * to `MAX_FOLLOW_ROUNDS` rounds.
 */
export async function readLiveState(
  zone: string,
  desired: RR[],
  claims: Claim[],
  resolver: Resolver,
  server: string,
  follow?: (found: readonly RR[], claimed: ReadonlySet<string>) => Claim[],
): Promise<{ state: ZoneState; claims: Claim[] }> {
  const asked = new Set<string>();
  const allClaims = [...claims];
  const records: RR[] = [];
  let pending: { name: string; type: RRType }[] = [...desired.map((rr) => ({ name: rr.name, type: typeOf(rr) as RRType })), ...claims];
  for (let round = 0; pending.length > 0 && round <= MAX_FOLLOW_ROUNDS; round++) {
    const questions = new Map<string, { name: string; type: RRType }>();
    for (const q of pending) {
      const key = `${q.name} ${q.type}`;
      if (!asked.has(key)) questions.set(key, { name: q.name, type: q.type });
    }
    for (const key of questions.keys()) asked.add(key);
    const answers = await Promise.all(
      [...questions.values()].map(async (q) => ({ q, answer: await resolver.resolve(q.name, q.type) })),
    );
    for (const { q, answer } of answers) {
      if (answer.status === 'error')
        throw new DnsError(`could not read ${q.name} ${q.type} from ${server}: ${answer.reason}; nothing was planned`);
      if (answer.status !== 'ok') continue;
      // Only the RRset itself: a CNAME chain's records belong to other names.
      records.push(...answer.records.filter((rr) => rr.name === q.name && typeOf(rr) === q.type));
    }
    const more = follow?.(records, new Set(allClaims.map((c) => c.key))) ?? [];
    allClaims.push(...more);
    pending = more;
  }
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

/** Rounds of follow-up claims: a chain has at most 9 links, each found from the one before. */
const MAX_FOLLOW_ROUNDS = 9;
