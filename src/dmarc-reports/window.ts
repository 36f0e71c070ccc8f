// Time windows over the archive (--since 30d, --between A B) and what they cover: which UTC
// days had reports, and which receivers sent none on which days. A day without a report is a
// gap, never a day of clean mail. Pure: `now` is a parameter.

import { InputError } from '../base/errors.js';
import { checkDuration } from '../policy/values.js';
import type { IndexEntry } from './archive-index.js';

const DAY = 86_400;

export interface TimeWindow {
  /** Reports whose period begins in [start, end) are in the window (seconds since the epoch). */
  start: number;
  end: number;
  /** "the last 30 days", "2026-11-01 to 2026-11-30". */
  label: string;
  /** The whole UTC days checked for gaps: those in the window that have ended by now. */
  days: string[];
  /** Length in days, for the look-back that finds receivers that stopped reporting. */
  length: number;
}

export function dayOf(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

function parseDay(text: string, flag: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== text.trim())
    throw new InputError(`${flag} ${text}: not a date`, 'write dates as YYYY-MM-DD (UTC), e.g. --between 2026-11-01 2026-11-30');
  return ms / 1000;
}

function daysBetween(start: number, end: number, now: number): string[] {
  const out: string[] = [];
  // Only days that are over: today's reports arrive tomorrow.
  const last = Math.min(end, Math.floor(now / DAY) * DAY);
  for (let t = start; t + DAY <= last; t += DAY) out.push(dayOf(t));
  return out;
}

/**
 * --since: a duration ("30d": from midnight UTC 30 days ago, so the 30 whole days before today
 * and today so far; also w, h, m, s) or a date "2026-11-01".
 */
export function sinceWindow(text: string, now: Date): TimeWindow {
  const nowS = Math.floor(now.getTime() / 1000);
  const today = Math.floor(nowS / DAY) * DAY;
  let start: number;
  let label: string;
  if (/^\d{4}-/.test(text.trim())) {
    start = parseDay(text, '--since');
    label = `since ${text.trim()}`;
  } else {
    const duration = checkDuration(text, '--since');
    if (!duration.ok) throw new InputError(duration.message, 'e.g. --since 30d, --since 12w or --since 2026-11-01');
    start = Math.floor((nowS - duration.value) / DAY) * DAY;
    label = duration.value % DAY === 0 ? `the last ${duration.value / DAY} days` : `since ${dayOf(start)}`;
  }
  if (start > nowS) throw new InputError(`--since ${text}: in the future`);
  return { start, end: nowS + 1, label, days: daysBetween(start, nowS + 1, nowS), length: Math.max(1, Math.round((today - start) / DAY)) };
}

/** --between A B: from the start of day A to the end of day B (UTC), both included. */
export function betweenWindow(from: string, to: string, now: Date): TimeWindow {
  const start = parseDay(from, '--between');
  const end = parseDay(to, '--between') + DAY;
  if (end <= start) throw new InputError(`--between ${from} ${to}: the second date is before the first`);
  return { start, end, label: `${from.trim()} to ${to.trim()}`, days: daysBetween(start, end, Math.floor(now.getTime() / 1000)), length: (end - start) / DAY };
}

export function inWindow(entry: Pick<IndexEntry, 'begin'>, window: Pick<TimeWindow, 'start' | 'end'>): boolean {
  return entry.begin >= window.start && entry.begin < window.end;
}

/** The UTC days a report's period touches (its end is inclusive to the second, as receivers write it). */
export function daysOfReport(entry: Pick<IndexEntry, 'begin' | 'end'>): string[] {
  const last = Math.max(entry.begin, entry.end - 1);
  const out: string[] = [];
  // A period over 31 days is not a report's (RFC 9990 §3.1.1: usually a day): only its first day counts.
  if (last - entry.begin > 31 * DAY) return [dayOf(entry.begin)];
  for (let t = Math.floor(entry.begin / DAY) * DAY; t <= last; t += DAY) out.push(dayOf(t));
  return out;
}

export interface ReceiverCoverage {
  receiver: string;
  /** Reports from it in the window. */
  reports: number;
  /** Days checked on which it sent none, as ranges ("2026-11-20" or "2026-11-20..2026-11-22"). */
  missing: string[];
  missingDays: number;
  /** It reported in the same length of time before the window, and not at all in it. */
  stopped: boolean;
}

export interface Coverage {
  window: string;
  /** First and last day checked, and how many. */
  from?: string;
  to?: string;
  days: number;
  /** Days checked with at least one report. */
  daysWithReports: number;
  /** Days checked with no report from anyone, as ranges. */
  noReports: string[];
  receivers: ReceiverCoverage[];
}

/** "2026-11-20", "2026-11-20..2026-11-22": consecutive days joined. */
export function dayRanges(days: readonly string[]): string[] {
  const out: string[] = [];
  let first: string | undefined;
  let previous: string | undefined;
  const next = (d: string) => dayOf(Date.parse(`${d}T00:00:00Z`) / 1000 + DAY);
  for (const d of days) {
    if (previous !== undefined && next(previous) === d) {
      previous = d;
      continue;
    }
    if (first !== undefined) out.push(first === previous ? first : `${first}..${previous}`);
    first = d;
    previous = d;
  }
  if (first !== undefined) out.push(first === previous ? first : `${first}..${previous}`);
  return out;
}

/**
 * Which days of the window the reports cover, per receiver. `inside`: the window's reports;
 * `before`: receivers that reported in the same length of time before it (expected too).
 */
export function computeCoverage(window: TimeWindow, inside: readonly Pick<IndexEntry, 'receiver' | 'begin' | 'end'>[], before: ReadonlySet<string>): Coverage {
  const checked = new Set(window.days);
  const byReceiver = new Map<string, { reports: number; days: Set<string> }>();
  const anyDay = new Set<string>();
  for (const e of inside) {
    const r = byReceiver.get(e.receiver) ?? { reports: 0, days: new Set<string>() };
    r.reports++;
    for (const d of daysOfReport(e)) {
      if (!checked.has(d)) continue;
      r.days.add(d);
      anyDay.add(d);
    }
    byReceiver.set(e.receiver, r);
  }
  for (const name of before) if (!byReceiver.has(name)) byReceiver.set(name, { reports: 0, days: new Set() });
  const receivers = [...byReceiver.entries()]
    .map(([receiver, r]): ReceiverCoverage => {
      const missing = window.days.filter((d) => !r.days.has(d));
      return { receiver, reports: r.reports, missing: dayRanges(missing), missingDays: missing.length, stopped: r.reports === 0 };
    })
    .sort((a, b) => b.missingDays - a.missingDays || a.receiver.localeCompare(b.receiver));
  const out: Coverage = {
    window: window.label,
    days: window.days.length,
    daysWithReports: anyDay.size,
    noReports: dayRanges(window.days.filter((d) => !anyDay.has(d))),
    receivers,
  };
  if (window.days.length > 0) {
    out.from = window.days[0]!;
    out.to = window.days.at(-1)!;
  }
  return out;
}

/** One sentence for a risk note: how much of the window the numbers rest on. */
export function coverageSentence(c: Coverage): string {
  if (c.days === 0) return 'no whole day of reports yet';
  const gaps = c.receivers.filter((r) => r.missingDays > 0);
  const head = `reports cover ${c.daysWithReports} of ${c.days} days (${c.from} to ${c.to})`;
  if (gaps.length === 0) return `${head}, every receiver every day`;
  const shown = gaps.slice(0, 3).map((r) => `${r.receiver} on ${r.missingDays} day${r.missingDays === 1 ? '' : 's'}`);
  return `${head}; no report from ${shown.join(', ')}${gaps.length > 3 ? ` and ${gaps.length - 3} more receivers` : ''} (a gap is not a success)`;
}
