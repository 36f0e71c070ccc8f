// The site's model folded from runs: each domain's trend, its changes between consecutive
// runs (by compareDomain), the score bands, the worst domains and the path to 100 over the estate.

import { describe, expect, it } from 'vitest';
import { syntheticRuns } from '../../../harness/site-history.js';
import { compareDomain } from '../../../src/audit/history/compare.js';
import { estatePathTo100, scoreBands, SiteHistory, worstDomains } from '../../../src/report/html/site-model.js';

const runs = [...syntheticRuns({ domains: 30, runs: 8, seed: 3 })];
const history = new SiteHistory();
for (const r of runs) history.add({ time: r.time.toISOString() }, r.document);

describe('SiteHistory', () => {
  it("keeps each domain's score per run and its changes between consecutive runs, newest first", () => {
    const name = runs[0]!.document.domains[4]!.domain;
    expect(history.trendOf(name)).toEqual(runs.map((r) => r.document.domains[4]!.score));
    const expected = runs.slice(1).flatMap((r, i) => {
      const c = compareDomain(runs[i]!.document.domains[4]!, r.document.domains[4]!);
      return c.new.length + c.resolved.length + c.records.length > 0 || c.score ? [{ run: i + 1, new: c.new.length, resolved: c.resolved.length }] : [];
    });
    expect(history.changesOf(name).map((c) => ({ run: c.run, new: c.new.length, resolved: c.resolved.length }))).toEqual(expected.reverse());
    // The synthetic estate changes: some domain has changes, so the comparison above is not vacuous.
    expect(runs[0]!.document.domains.some((d) => history.changesOf(d.domain).length > 0)).toBe(true);
    expect(history.estate).toHaveLength(8);
    expect(history.sincePrevious()?.previous.domains).toBe(30);
  });
});

describe('estate summaries', () => {
  const domains = history.current;
  it('bands every scored domain once', () => {
    const bands = scoreBands(domains);
    expect(bands.counts.reduce((a, b) => a + b, 0) + bands.unscored).toBe(30);
    expect(bands.counts[10]).toBe(domains.filter((d) => d.score === 100).length);
  });

  it('lists the lowest scores first', () => {
    const worst = worstDomains(domains, 5).map((d) => d.score!);
    expect(worst).toEqual([...worst].sort((a, b) => a - b));
    expect(worst[0]).toBe(Math.min(...domains.map((d) => d.score!)));
  });

  it('sums the path to 100: the fix on most domains first, its points added up', () => {
    const fixes = estatePathTo100(domains);
    for (const f of fixes) {
      const on = domains.filter((d) => d.pathTo100.some((s) => s.code === f.code));
      expect(f.domains).toBe(on.length);
      expect(f.points).toBe(on.reduce((n, d) => n + d.pathTo100.find((s) => s.code === f.code)!.gain, 0));
    }
    expect(fixes.map((f) => f.domains)).toEqual([...fixes.map((f) => f.domains)].sort((a, b) => b - a));
    expect(fixes.length).toBeGreaterThan(2);
  });
});
