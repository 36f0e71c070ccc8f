// The report archive read day by day for the HTML site: per policy domain and UTC day, DMARC
// messages per source and how many passed DMARC (aligned), TLS-RPT sessions that succeeded and
// failed and the failures per receiving MX; and per domain the simulation of the next policy
// step over the whole window. Reads with the archive's own readers (index, DMARC reader, TLS
// reader) and evaluates with the simulator's rules: nothing here reads XML or decides alignment.

import { pushTo } from '../base/multimap.js';
import { dayOf, type TimeWindow } from './window.js';
import type { ReportFiles } from './archive-files.js';
import { readIndex } from './archive.js';
import type { IndexEntry } from './archive-index.js';
import { readReports } from './read-reports.js';
import { readTlsReports } from './archive-select.js';
import { publishedRecord, readDispositionPolicy, renderPublished } from './record.js';
import type { Disposition, PublishedPolicy, ReadError, ReportRow } from './report.js';
import { evaluateRow, inferExistence, simulate, type Simulation } from './simulate.js';

export interface DmarcDay {
  day: string;
  messages: number;
  /** Messages that passed DMARC under the record the receivers found (DKIM or SPF aligned). */
  aligned: number;
  /** Messages per source address. */
  bySource: Map<string, number>;
}

export interface NextStep {
  /** The published record as the newest report shows it, and the next step from it. */
  published: string;
  proposed: string;
  simulation: Omit<Simulation, 'sources'>;
  /** Sources that would lose mail under the next step (lost or lost unless overridden), most first, at most 10. */
  losing: { ip: string; messages: number; lost: number; mayLose: number }[];
}

export interface DmarcDomainSeries {
  domain: string;
  days: DmarcDay[];
  /** Who sent the reports (the reader's names for the receivers), sorted. */
  receivers: string[];
  /** undefined when the published record is already p=reject without t=y: there is no next step. */
  next?: NextStep;
}

export interface TlsDay {
  day: string;
  successful: number;
  failed: number;
  /** Failed sessions per receiving MX (RFC 8460 §4.4 receiving-mx-hostname); successes are counted per policy only. */
  failedByMx: Map<string, number>;
}

export interface TlsDomainSeries {
  domain: string;
  days: TlsDay[];
}

export interface ReportSeries {
  /** The days of the window that had any report, in order. */
  days: string[];
  dmarc: Map<string, DmarcDomainSeries>;
  tls: Map<string, TlsDomainSeries>;
  dmarcReports: number;
  tlsReports: number;
  errors: ReadError[];
}

/** The next step of the DMARC rollout (RFC 9989 §7): t=y off first, then none -> quarantine -> reject. */
export function nextPolicyStep(published: PublishedPolicy): string | undefined {
  const p: Disposition | undefined = published.testing ? published.p : published.p === 'none' ? 'quarantine' : published.p === 'quarantine' ? 'reject' : undefined;
  if (p === undefined) return undefined;
  // sp follows p unless it was set apart from it.
  const sp = published.sp === undefined || published.sp === published.p ? undefined : published.sp;
  const next: PublishedPolicy = { ...published, p, testing: false };
  if (sp === undefined) delete next.sp;
  delete next.pct;
  return renderPublished(next);
}

function groupByDay(entries: Iterable<IndexEntry>): Map<string, IndexEntry[]> {
  const days = new Map<string, IndexEntry[]>();
  for (const e of entries) {
    const day = dayOf(e.begin);
    pushTo(days, day, e);
  }
  return days;
}

/**
 * Read the archive's reports whose period begins in the window, one UTC day at a time (one
 * day's rows in memory while it is summed), keeping the rows of each domain for the simulation.
 */
export async function readReportSeries(files: ReportFiles, dir: string, window: Pick<TimeWindow, 'start' | 'end'>): Promise<ReportSeries> {
  const dmarcEntries: IndexEntry[] = [];
  const tlsEntries: IndexEntry[] = [];
  for (const e of readIndex(files, dir)) {
    if (e.begin < window.start || e.begin >= window.end) continue;
    (e.kind === 'dmarc' ? dmarcEntries : tlsEntries).push(e);
  }
  const errors: ReadError[] = [];
  const dmarc = new Map<string, DmarcDomainSeries>();
  const rowsOf = new Map<string, ReportRow[]>();
  const newest = new Map<string, { begin: number; published: PublishedPolicy }>();
  const dmarcDays = [...groupByDay(dmarcEntries)].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [day, entries] of dmarcDays) {
    const set = await readReports(
      entries.map((e) => files.resolve(`${dir}/${e.file}`)),
      { base: files.root },
    );
    errors.push(...set.errors);
    const begin = Math.min(...entries.map((e) => e.begin));
    for (const row of set.rows) {
      const domain = row.published.domain;
      let series = dmarc.get(domain);
      if (!series) {
        series = { domain, days: [], receivers: [] };
        dmarc.set(domain, series);
      }
      if (row.receiver !== undefined && !series.receivers.includes(row.receiver)) series.receivers.push(row.receiver);
      let today = series.days.at(-1);
      if (today?.day !== day) {
        today = { day, messages: 0, aligned: 0, bySource: new Map() };
        series.days.push(today);
      }
      today.messages += row.count;
      // Aligned as the simulator decides it, under the record the receiver found.
      if (evaluateRow(row, publishedRecord(row.published), domain, inferExistence(row)).pass) today.aligned += row.count;
      today.bySource.set(row.sourceIp, (today.bySource.get(row.sourceIp) ?? 0) + row.count);
      pushTo(rowsOf, domain, row);
      const seen = newest.get(domain);
      if (!seen || seen.begin <= begin) newest.set(domain, { begin, published: row.published });
    }
  }
  for (const [domain, series] of dmarc) {
    series.receivers.sort();
    const published = newest.get(domain)!.published;
    const text = nextPolicyStep(published);
    if (text === undefined) continue;
    const parsed = readDispositionPolicy(text);
    if (!parsed.ok) continue;
    const { sources, ...simulation } = simulate({ rows: rowsOf.get(domain)!, proposed: [{ domain, text, record: parsed.record }], domain });
    series.next = {
      published: renderPublished(published),
      proposed: text,
      simulation,
      losing: sources
        .filter((s) => s.lost > 0 || s.mayLose > 0)
        .slice(0, 10)
        .map((s) => ({ ip: s.ip, messages: s.messages, lost: s.lost, mayLose: s.mayLose })),
    };
  }

  const tls = new Map<string, TlsDomainSeries>();
  const tlsDays = [...groupByDay(tlsEntries)].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [day, entries] of tlsDays) {
    const read = readTlsReports(files, dir, entries);
    errors.push(...read.errors);
    for (const p of read.summary.policies) {
      let series = tls.get(p.domain);
      if (!series) {
        series = { domain: p.domain, days: [] };
        tls.set(p.domain, series);
      }
      let today = series.days.at(-1);
      if (today?.day !== day) {
        today = { day, successful: 0, failed: 0, failedByMx: new Map() };
        series.days.push(today);
      }
      today.successful += p.successful;
      today.failed += p.failed;
      for (const mx of p.byMx) today.failedByMx.set(mx.mx, (today.failedByMx.get(mx.mx) ?? 0) + mx.failed);
    }
  }
  const days = [...new Set([...dmarcDays.map(([d]) => d), ...tlsDays.map(([d]) => d)])].sort();
  return { days, dmarc, tls, dmarcReports: dmarcEntries.length, tlsReports: tlsEntries.length, errors };
}
