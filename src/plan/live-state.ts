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

export async function readLiveState(
  zone: string,
  desired: RR[],
  claims: Claim[],
  resolver: Resolver,
  server: string,
): Promise<ZoneState> {
  const questions = new Map<string, { name: string; type: RRType }>();
  for (const q of [...desired.map((rr) => ({ name: rr.name, type: typeOf(rr) as RRType })), ...claims])
    questions.set(`${q.name} ${q.type}`, { name: q.name, type: q.type });
  const records: RR[] = [];
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
  const canonical = records.map((rr) => renderRR(rr)).sort();
  return {
    zone,
    source: 'live',
    status: 'live',
    digest: digestText(canonical.join('\n')),
    records,
  };
}
