// The one diff engine: desired records against current records under the
// ownership model, as create / update / delete changes. plan, apply and audit
// (drift) all call this, so they can never disagree about what changed.

import { renderRData } from '../dns-types/rdata.js';
import { txtText, typeOf, type RR } from '../dns-types/rr.js';
import { compareNames } from '../dns-types/name.js';
import { ownershipKey } from './ownership.js';
import { tagOf } from '../mail/txt-tag.js';

export type ChangeAction = 'create' | 'update' | 'delete';

export interface Change {
  action: ChangeAction;
  zone: string;
  name: string;
  type: string;
  /** For TXT: the tag the record is owned by (spf, dmarc, dkim, mta-sts, tls-rpt). */
  tag?: string;
  before: RR[];
  after: RR[];
}

/**
 * Which current records the diff may touch.
 * - 'all': every current record is mailrec's (a generated fragment).
 * - 'declared': only records whose ownership key the desired side declares
 *   (live DNS, where other tools' records live beside ours).
 */
export type OwnershipScope = 'all' | 'declared';

/** Identity of a record's value for comparison: TTL and rendered rdata. */
export function valueKey(rr: RR): string {
  return `${rr.ttl} ${renderRData(rr)}`;
}

function groupByOwner(records: RR[]): Map<string, RR[]> {
  const groups = new Map<string, RR[]>();
  for (const rr of records) {
    // Records mailrec can never own (an A record in a fragment edited by hand)
    // still get an identity so that a fragment diff deletes them.
    const key = ownershipKey(rr) ?? `${rr.name} ${typeOf(rr)} ${valueKey(rr)}`;
    const group = groups.get(key);
    if (group) group.push(rr);
    else groups.set(key, [rr]);
  }
  return groups;
}

function sortedValues(records: RR[]): string[] {
  return records.map(valueKey).sort();
}

function sameSet(a: RR[], b: RR[]): boolean {
  const x = sortedValues(a);
  const y = sortedValues(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sortRecords(records: RR[]): RR[] {
  return [...records].sort((a, b) => {
    const ka = valueKey(a);
    const kb = valueKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

const ACTION_ORDER: Record<ChangeAction, number> = { delete: 0, update: 1, create: 2 };

/** Fixed change order: zone, owner name (canonical), type, tag, then action. */
export function compareChanges(a: Change, b: Change): number {
  return (
    compareNames(a.zone, b.zone) ||
    compareNames(a.name, b.name) ||
    a.type.localeCompare(b.type) ||
    (a.tag ?? '').localeCompare(b.tag ?? '') ||
    ACTION_ORDER[a.action] - ACTION_ORDER[b.action]
  );
}

/**
 * Diff one zone. Under the 'declared' scope, `claimed` names the ownership keys
 * mailrec may delete although the policy no longer declares them (claims.ts).
 */
export function diffRecords(
  zone: string,
  desired: RR[],
  current: RR[],
  scope: OwnershipScope,
  claimed: ReadonlySet<string> = new Set(),
): Change[] {
  const want = groupByOwner(desired);
  const have = groupByOwner(current);
  const changes: Change[] = [];
  for (const [key, after] of want) {
    const before = have.get(key) ?? [];
    if (before.length > 0 && sameSet(before, after)) continue;
    changes.push(makeChange(zone, before.length === 0 ? 'create' : 'update', before, after));
  }
  for (const [key, before] of have) {
    if (want.has(key)) continue;
    // Live DNS: a record the policy does not declare is someone else's, unless it
    // sits where mailrec claims its own records.
    if (scope === 'declared' && !claimed.has(key)) continue;
    changes.push(makeChange(zone, 'delete', before, []));
  }
  return changes.sort(compareChanges);
}

function makeChange(zone: string, action: ChangeAction, before: RR[], after: RR[]): Change {
  const sample = (after[0] ?? before[0])!;
  const change: Change = {
    action,
    zone,
    name: sample.name,
    type: typeOf(sample),
    before: sortRecords(before),
    after: sortRecords(after),
  };
  if (sample.type === 'TXT') {
    const tag = tagOf(sample.name, txtText(sample));
    if (tag) change.tag = tag;
  }
  return change;
}
