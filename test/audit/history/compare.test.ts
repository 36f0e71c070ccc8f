// compareRuns, fingerprints and regressions on hand-made documents: what is new, resolved,
// unknown and open; score and record changes; shards; the fold equals the whole.

import { describe, expect, it } from 'vitest';
import { makeFinding, type Finding } from '../../../src/base/finding.js';
import { ComparisonFold, compareRecords, compareRuns, matchFindings, mergeComparisons } from '../../../src/audit/history/compare.js';
import { evidenceKey, fingerprintOf } from '../../../src/audit/history/fingerprint.js';
import { regressionFailures, regressionSummary } from '../../../src/audit/history/regressions.js';
import { shardOf } from '../../../src/audit/shard.js';
import type { DomainJson } from '../../../src/audit/summary.js';
import type { RecordSetJson } from '../../../src/audit/records.js';

const domain = (name: string, over: Partial<DomainJson> = {}): DomainJson => ({
  domain: name, score: 100, coverage: { points: 100, of: 100 }, worstCase: 100, categories: [], unknownCategories: [],
  findings: [], pathTo100: [], notes: [], drift: 'no-policy', questions: 3, records: [], ...over,
});

const dmarcMissing = (d: string): Finding => makeFinding('dmarc.missing', d, `_dmarc.${d}`, 'no DMARC record', { asked: [] });
const spfLookups = (d: string, n: number): Finding => makeFinding('spf.too-many-lookups', d, d, `${n} lookups`, { asked: [], seen: [`v=spf1 ${n}`] });
const driftMissing = (d: string, rr: string): Finding => makeFinding('drift.missing', d, d, 'missing', { asked: [], after: [rr] });
const txt = (name: string, ...data: string[]): RecordSetJson => ({ name, type: 'TXT', status: 'ok', data });

describe('fingerprintOf', () => {
  it('ignores the message and the records seen, not the code, domain or name', () => {
    expect(fingerprintOf(spfLookups('a.example', 11))).toBe(fingerprintOf(spfLookups('a.example', 14)));
    expect(fingerprintOf(spfLookups('a.example', 11))).not.toBe(fingerprintOf(spfLookups('b.example', 11)));
    expect(fingerprintOf(dmarcMissing('a.example'))).not.toBe(fingerprintOf({ ...dmarcMissing('a.example'), name: 'a.example' }));
  });

  it('tells drift findings apart by their declared records, TTL and case folded', () => {
    expect(evidenceKey(driftMissing('a.example', '3600 MX 10 MX1.a.example.'))).toBe('mx 10 mx1.a.example.');
    expect(fingerprintOf(driftMissing('a.example', '3600 MX 10 mx1.a.example.'))).toBe(fingerprintOf(driftMissing('a.example', '300 MX  10 MX1.a.example.')));
    expect(fingerprintOf(driftMissing('a.example', '3600 MX 10 mx1.a.example.'))).not.toBe(fingerprintOf(driftMissing('a.example', '3600 MX 20 mx2.a.example.')));
  });

  it('keeps the fingerprint SARIF gave before for findings without drift records', () => {
    // printf 'dmarc.missing\0a.example\0_dmarc.a.example' | sha256sum, first 32 hex digits.
    expect(fingerprintOf(dmarcMissing('a.example'))).toBe('73ec91271e58a45472524ce746e73e3a');
  });
});

describe('matchFindings', () => {
  it('matches as a multiset: a second copy of a finding is new', () => {
    const m = matchFindings([driftMissing('a.example', '1 MX 1 x.')], [driftMissing('a.example', '1 MX 1 x.'), driftMissing('a.example', '1 MX 1 x.')]);
    expect([m.new.length, m.open.length, m.resolved.length]).toEqual([1, 1, 0]);
  });
});

describe('compareRecords', () => {
  it('NXDOMAIN and NODATA alike hold no record: no change between them; a record gone or come is one', () => {
    const none = (status: 'nxdomain' | 'nodata', type = 'CNAME'): RecordSetJson => ({ name: '_dmarc.a.example', type, status });
    expect(compareRecords('a.example', [none('nodata')], [none('nxdomain')])).toEqual([]);
    expect(compareRecords('a.example', [{ name: '_dmarc.a.example', type: 'CNAME', status: 'ok', data: [] }], [none('nxdomain')])).toEqual([]);
    expect(compareRecords('a.example', [txt('_dmarc.a.example', '"v=DMARC1; p=none"')], [none('nodata', 'TXT')])).toHaveLength(1);
    // Asked in one run only: not compared.
    expect(compareRecords('a.example', [], [txt('a.example', '"x"')])).toEqual([]);
  });
});

describe('compareRuns', () => {
  const before = {
    file: 'prev.json',
    domains: [
      domain('a.example', { findings: [spfLookups('a.example', 11)], score: 75, worstCase: 75, records: [txt('_dmarc.a.example', '"v=DMARC1; p=none"'), txt('a.example', '"v=spf1 a -all"')] }),
      domain('b.example', { records: [txt('_dmarc.b.example', '"v=DMARC1; p=reject"')] }),
      domain('gone.example'),
    ],
  };
  const after = {
    domains: [
      domain('a.example', { findings: [spfLookups('a.example', 12), dmarcMissing('a.example')], score: 45, worstCase: 45, records: [{ name: '_dmarc.a.example', type: 'TXT', status: 'nxdomain' }, txt('a.example', '"v=spf1 a -all"')] }),
      domain('b.example', { records: [txt('_dmarc.b.example', '"v=DMARC1; p=reject"')] }),
      domain('new.example', { findings: [dmarcMissing('new.example')] }),
    ],
  };

  it('says what is new, open, and which records and scores changed', () => {
    const c = compareRuns(before, after);
    expect(c.new.map((f) => `${f.code} ${f.domain}`)).toEqual(['dmarc.missing a.example']);
    expect(c.new[0]!.fingerprint).toBe(fingerprintOf(dmarcMissing('a.example')));
    expect(c.resolved).toEqual([]);
    expect(c.counts).toEqual({ new: { error: 1, warning: 0, info: 0 }, resolved: { error: 0, warning: 0, info: 0 }, open: 1, unknown: 0 });
    expect(c.scores).toEqual([{ domain: 'a.example', before: { score: 75, coverage: { points: 100, of: 100 }, worstCase: 75 }, after: { score: 45, coverage: { points: 100, of: 100 }, worstCase: 45 }, change: -30 }]);
    expect(c.records).toEqual([{ domain: 'a.example', name: '_dmarc.a.example', type: 'TXT', before: { status: 'ok', data: ['"v=DMARC1; p=none"'] }, after: { status: 'nxdomain' } }]);
    expect(c.domainsAdded).toEqual(['new.example']);
    expect(c.domainsRemoved).toEqual(['gone.example']);
    expect(c.previous).toEqual({ file: 'prev.json', domains: 3 });
  });

  it('reversed, the new finding is resolved', () => {
    const c = compareRuns({ ...after, file: 'x' }, before);
    expect(c.resolved.map((f) => f.code)).toEqual(['dmarc.missing']);
    expect(c.new).toEqual([]);
    expect(c.records[0]).toMatchObject({ before: { status: 'nxdomain' }, after: { status: 'ok' } });
  });

  it('a finding gone because its lookups failed is unknown, not resolved; a failed lookup changes no record', () => {
    const failed = {
      domains: [
        domain('a.example', {
          unknownCategories: ['spf', 'dmarc'],
          findings: [makeFinding('spf.unknown', 'a.example', 'a.example', 'failed', { asked: [] })],
          records: [{ name: '_dmarc.a.example', type: 'TXT', status: 'error' }, { name: 'a.example', type: 'TXT', status: 'error' }],
        }),
      ],
    };
    const c = compareRuns({ domains: [after.domains[0]!] }, failed);
    expect(c.resolved).toEqual([]);
    expect(c.unknown.map((f) => f.code).sort()).toEqual(['dmarc.missing', 'spf.too-many-lookups']);
    expect(c.records).toEqual([]);
    expect(c.new.map((f) => f.code)).toEqual(['spf.unknown']);
    // And back: what the failed run could not check is new, marked as such.
    const back = compareRuns(failed, { domains: [after.domains[0]!] });
    expect(back.new.every((f) => f.previouslyUnknown === true)).toBe(true);
  });

  it('a shard run compares only the domains of its shard', () => {
    const names = Array.from({ length: 20 }, (_, i) => `d${i}.example`);
    const mine = names.filter((n) => shardOf(n, 4) === 2);
    const shard = { index: 2, count: 4, total: 20, selected: mine.length, list: 'x' };
    const c = compareRuns({ domains: names.map((n) => domain(n)) }, { domains: mine.map((n) => domain(n)), shard });
    expect(c.domainsRemoved).toEqual([]);
    expect(c.previous.domains).toBe(mine.length);
  });

  it('the fold over one domain at a time, and the merge of shard comparisons, equal the whole', () => {
    const whole = compareRuns(before, after);
    const fold = new ComparisonFold(before);
    for (const d of [...after.domains].reverse()) fold.add(d);
    expect(fold.finish()).toEqual(whole);
    const halves = [0, 1].map((k) => {
      const shard = { index: k + 1, count: 2, total: 4, selected: 0, list: 'x' };
      return compareRuns(before, { domains: after.domains.filter((d) => shardOf(d.domain, 2) === k + 1), shard });
    });
    expect(mergeComparisons(halves)).toEqual({ ...whole, previous: { file: 'prev.json', domains: 3 } });
  });
});

describe('regressions', () => {
  const c = compareRuns(
    { domains: [domain('a.example'), domain('b.example')] },
    { domains: [domain('a.example', { findings: [dmarcMissing('a.example')] }), domain('b.example', { findings: [makeFinding('dmarc.not-enforcing', 'b.example', '_dmarc.b.example', 'x', { asked: [] })] })] },
  );

  it('--fail-on-new error counts errors only; warning counts both', () => {
    expect(regressionFailures(c, 'error')).toEqual(['a.example has 1 new error since the previous run (dmarc.missing)']);
    expect(regressionFailures(c, 'warning')).toHaveLength(2);
    expect(regressionFailures(c, undefined)).toEqual([]);
  });

  it('the notify summary is there only when something new is found', () => {
    expect(regressionSummary(c, 'error')?.new.map((f) => f.code)).toEqual(['dmarc.missing']);
    expect(regressionSummary(compareRuns({ domains: [domain('a.example')] }, { domains: [domain('a.example')] }))).toBeUndefined();
  });
});
