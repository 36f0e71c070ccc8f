// The plan checksum, hashed piece by piece, is the sha256 of JSON.stringify of the body:
// plans written before and after stay valid for apply --plan-file.

import { expect, test } from 'vitest';
import { buildZoneRecords } from '../../src/build/zone-records.js';
import { assemblePlan, checkPlanChecksum, digestText, planChecksum, type PlanBody, type ZoneState } from '../../src/plan/plan.js';
import { validatePolicy } from '../../src/policy/validate.js';

function planFor(domains: number) {
  const names = Array.from({ length: domains }, (_, i) => `d${i}.example.org`);
  const text = ['version: 1', 'zones: { example.org: {} }', 'domains:', ...names.map((n) => `  ${n}: { senders: [mx], mx: [{ host: mx.${n}, preference: 10 }], dmarc: { policy: reject, rua: [dmarc@example.org] } }`), ''].join('\n');
  const result = validatePolicy([{ file: 'p.yaml', text }]);
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('\n'));
  const desired = buildZoneRecords(result.policy);
  const current: ZoneState[] = desired.map((z) => ({ zone: z.zone, source: 'fragment', fragment: `zones/${z.zone}.mail.zone`, status: 'absent', digest: 'absent', records: [] }));
  return assemblePlan({ desired, current, currentFiles: new Map() });
}

const bodyOf = (p: PlanBody): PlanBody => ({ version: p.version, zones: p.zones, changes: p.changes, files: p.files, notices: p.notices });

test('the same digest as JSON.stringify of the whole body, small and over the 1 MiB step', () => {
  for (const n of [1, 1000]) {
    const plan = planFor(n);
    expect(plan.changes.length).toBeGreaterThanOrEqual(3 * n);
    expect(JSON.stringify(bodyOf(plan)).length > 1 << 20).toBe(n > 1);
    expect(plan.checksum).toBe(digestText(JSON.stringify(bodyOf(plan))));
    expect(checkPlanChecksum(plan)).toBe(true);
    expect(checkPlanChecksum({ ...plan, changes: plan.changes.slice(1) })).toBe(false);
  }
});

test('keys left out and holes in arrays are hashed as JSON.stringify writes them', () => {
  const plan = planFor(1);
  const { notices: _notices, ...noNotices } = bodyOf(plan);
  expect(planChecksum(noNotices as PlanBody)).toBe(digestText(JSON.stringify(noNotices)));
  const holes = { ...bodyOf(plan), files: [undefined, { path: 'zones/é.txt — ☃' }, ...plan.files] } as unknown as PlanBody;
  expect(planChecksum(holes)).toBe(digestText(JSON.stringify(holes)));
  const empty = { version: 1, zones: [], changes: [], files: [], notices: [] } as unknown as PlanBody;
  expect(planChecksum(empty)).toBe(digestText(JSON.stringify(empty)));
});
