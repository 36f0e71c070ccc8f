// Time windows over the archive and what they cover: the days checked are the whole UTC days
// that have ended; a receiver's missing days are gaps, said as ranges.

import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/base/errors.js';
import { betweenWindow, computeCoverage, coverageSentence, dayRanges, daysOfReport, inWindow, sinceWindow } from '../../src/dmarc-reports/window.js';

const NOW = new Date('2026-12-07T05:30:00Z');
const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;

describe('windows', () => {
  it('--since 30d: the 30 whole days before today, and today so far; only ended days are checked', () => {
    const w = sinceWindow('30d', NOW);
    expect(w.start).toBe(day('2026-11-07'));
    expect(w.end).toBe(NOW.getTime() / 1000 + 1);
    expect(w.days).toHaveLength(30);
    expect([w.days[0], w.days.at(-1)]).toEqual(['2026-11-07', '2026-12-06']);
    expect(w.label).toBe('the last 30 days');
    expect(sinceWindow('2w', NOW).days).toHaveLength(14);
    expect(sinceWindow('2026-12-01', NOW)).toMatchObject({ start: day('2026-12-01'), label: 'since 2026-12-01' });
  });

  it('--between A B: both days included', () => {
    const w = betweenWindow('2026-11-01', '2026-11-30', NOW);
    expect(w).toMatchObject({ start: day('2026-11-01'), end: day('2026-12-01'), length: 30, label: '2026-11-01 to 2026-11-30' });
    expect(w.days).toHaveLength(30);
    // A window reaching into today checks only the days that have ended.
    expect(betweenWindow('2026-12-05', '2026-12-09', NOW).days).toEqual(['2026-12-05', '2026-12-06']);
  });

  it.each([
    [() => sinceWindow('30x', NOW), "--since '30x' is not a duration"],
    [() => sinceWindow('2026-13-01', NOW), '--since 2026-13-01: not a date'],
    [() => sinceWindow('2026-12-31', NOW), '--since 2026-12-31: in the future'],
    [() => betweenWindow('2026-11-30', '2026-11-01', NOW), 'the second date is before the first'],
    [() => betweenWindow('2026-02-30', '2026-03-01', NOW), '--between 2026-02-30: not a date'],
  ])('refuses a bad window (%#)', (make, message) => {
    expect(make).toThrow(InputError);
    expect(make).toThrow(message);
  });

  it('a report is in the window when its period begins in it', () => {
    const w = betweenWindow('2026-11-01', '2026-11-30', NOW);
    expect(inWindow({ begin: day('2026-11-01') }, w)).toBe(true);
    expect(inWindow({ begin: day('2026-12-01') }, w)).toBe(false);
    expect(inWindow({ begin: day('2026-11-01') - 1 }, w)).toBe(false);
  });

  it('the days a report touches: its end to the second is inclusive; a period past a month counts its first day', () => {
    expect(daysOfReport({ begin: day('2026-11-02'), end: day('2026-11-02') + 86399 })).toEqual(['2026-11-02']);
    expect(daysOfReport({ begin: day('2026-11-02'), end: day('2026-11-03') })).toEqual(['2026-11-02']);
    expect(daysOfReport({ begin: day('2026-11-02') + 7 * 3600, end: day('2026-11-03') + 7 * 3600 - 1 })).toEqual(['2026-11-02', '2026-11-03']);
    expect(daysOfReport({ begin: day('2026-01-01'), end: day('2026-06-01') })).toEqual(['2026-01-01']);
  });

  it('dayRanges joins consecutive days', () => {
    expect(dayRanges(['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-05', '2026-11-30', '2026-12-01'])).toEqual(['2026-11-01..2026-11-03', '2026-11-05', '2026-11-30..2026-12-01']);
    expect(dayRanges([])).toEqual([]);
  });
});

describe('computeCoverage', () => {
  const w = betweenWindow('2026-11-01', '2026-11-05', NOW);
  const report = (receiver: string, d: string) => ({ receiver, begin: day(d), end: day(d) + 86399 });

  it('says which days have reports, which receivers miss which days, and who stopped reporting', () => {
    const c = computeCoverage(w, [report('google.com', '2026-11-01'), report('google.com', '2026-11-02'), report('google.com', '2026-11-04'), report('google.com', '2026-11-05'), report('yahoo.com', '2026-11-01')], new Set(['yahoo.com', 'gone.example']));
    expect(c).toEqual({
      window: '2026-11-01 to 2026-11-05',
      from: '2026-11-01',
      to: '2026-11-05',
      days: 5,
      daysWithReports: 4,
      noReports: ['2026-11-03'],
      receivers: [
        { receiver: 'gone.example', reports: 0, missing: ['2026-11-01..2026-11-05'], missingDays: 5, stopped: true },
        { receiver: 'yahoo.com', reports: 1, missing: ['2026-11-02..2026-11-05'], missingDays: 4, stopped: false },
        { receiver: 'google.com', reports: 4, missing: ['2026-11-03'], missingDays: 1, stopped: false },
      ],
    });
    expect(coverageSentence(c)).toBe('reports cover 4 of 5 days (2026-11-01 to 2026-11-05); no report from gone.example on 5 days, yahoo.com on 4 days, google.com on 1 day (a gap is not a success)');
  });

  it('every receiver every day', () => {
    const c = computeCoverage(betweenWindow('2026-11-01', '2026-11-01', NOW), [report('google.com', '2026-11-01')], new Set());
    expect(coverageSentence(c)).toBe('reports cover 1 of 1 days (2026-11-01 to 2026-11-01), every receiver every day');
  });
});
