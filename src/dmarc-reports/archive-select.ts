// Reading the archive by date range: the index entries of one kind whose period begins in the
// window (and the receivers of the same length of time before it, who are expected too), their
// report files, and what the window covers. TLS reports are read and summed here; DMARC report
// files go to the DMARC reader like files given on the command line.

import { gunzipSync } from 'node:zlib';
import type { IndexEntry, ReportKind } from './archive-index.js';
import { readIndex } from './archive.js';
import type { ReportFiles } from './archive-files.js';
import { DEFAULT_LIMITS, type ReadLimits } from './limits.js';
import { isAtOrBelow } from './org-domain.js';
import type { ReadError } from './report.js';
import { parseTlsReport } from './tls-rpt.js';
import { TlsAggregator, type TlsSummary } from './tls-summary.js';
import { extractFile, TLS_REPORT_NAME } from './local-sources.js';
import { listReportFiles } from './read-reports.js';
import { computeCoverage, inWindow, type Coverage, type TimeWindow } from './window.js';

export interface ArchiveSelection {
  entries: IndexEntry[];
  /** Absolute paths of the entries' report files, in the order of their periods. */
  paths: string[];
  coverage: Coverage;
  /** Index lines that could not be read. */
  unreadable: number;
}

/** The domain filter: reports for the domain, a name below it, or a parent whose record covers it. */
function concerns(entry: IndexEntry, domain: string | undefined): boolean {
  if (domain === undefined) return true;
  return isAtOrBelow(entry.domain, domain) || isAtOrBelow(domain, entry.domain);
}

export function selectArchive(files: ReportFiles, dir: string, kind: ReportKind, window: TimeWindow, domain?: string): ArchiveSelection {
  const notes = { tornBytes: 0, unreadable: 0 };
  const entries: IndexEntry[] = [];
  const before = new Set<string>();
  const lookback = { start: window.start - window.length * 86_400, end: window.start };
  for (const entry of readIndex(files, dir, notes)) {
    if (entry.kind !== kind || !concerns(entry, domain)) continue;
    if (inWindow(entry, window)) entries.push(entry);
    else if (inWindow(entry, lookback)) before.add(entry.receiver);
  }
  entries.sort((a, b) => a.begin - b.begin || a.receiver.localeCompare(b.receiver) || a.sha256.localeCompare(b.sha256));
  return {
    entries,
    paths: entries.map((e) => files.resolve(`${dir}/${e.file}`)),
    coverage: computeCoverage(window, entries, before),
    unreadable: notes.unreadable,
  };
}

export interface TlsArchiveRead {
  summary: TlsSummary;
  errors: ReadError[];
}

/** The TLS reports of the selection, read and summed (one report in memory at a time). */
export function readTlsReports(files: ReportFiles, dir: string, entries: readonly IndexEntry[], limits: Partial<ReadLimits> = {}): TlsArchiveRead {
  const caps = { ...DEFAULT_LIMITS, ...limits };
  const agg = new TlsAggregator();
  const errors: ReadError[] = [];
  for (const entry of entries) {
    const file = `${dir}/${entry.file}`;
    try {
      const gz = files.read(file, caps.maxAttachmentBytes);
      agg.add(parseTlsReport(gunzipSync(gz, { maxOutputLength: caps.maxXmlBytes }), caps));
    } catch (error) {
      errors.push({ file: files.show(file), message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { summary: agg.result(), errors };
}

/** TLS reports from files and directories named on the command line (JSON, .json.gz, mail, mbox). */
export async function readTlsFiles(files: ReportFiles, paths: readonly string[], maxMessageBytes: number, limits: Partial<ReadLimits> = {}): Promise<TlsArchiveRead> {
  const caps = { ...DEFAULT_LIMITS, ...limits };
  const agg = new TlsAggregator();
  const listed = await listReportFiles(paths.map((p) => files.allow(p)), { alsoNamed: TLS_REPORT_NAME });
  const errors: ReadError[] = listed.errors.map((e) => ({ file: files.show(e.file), message: e.message }));
  for (const file of listed.files) {
    await extractFile(files, file, files.show(file), caps, maxMessageBytes, {
      report: (r) => {
        if (r.kind === 'tlsrpt') agg.add(r.report);
      },
      error: (where, message) => errors.push({ file: where, message }),
    });
  }
  return { summary: agg.result(), errors };
}
