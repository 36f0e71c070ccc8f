// The reader's entry point: files, lists and directories in, one merged set of
// rows out. Each report is counted once (org_name + report_id, RFC 9990 §3.1.1);
// a report that cannot be read is skipped with a one-line error naming its file.

import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_LIMITS, type ReadLimits } from './limits.js';
import { readFileReports, sniffFile, type ReportHandler } from './read-container.js';
import type { ParsedReport } from './read-xml.js';
import type { DuplicateReport, ReadError, ReportRow } from './report.js';

export interface Receiver {
  orgName: string;
  reports: number;
  messages: number;
}

export interface ReportSet {
  /** Identical rows of all reports merged; `count` adds up. */
  rows: ReportRow[];
  files: number;
  reports: number;
  messages: number;
  receivers: Receiver[];
  /** The period the reports cover (seconds since the epoch), when they say. */
  begin?: number;
  end?: number;
  schemas: { '7489': number; '9990': number };
  errors: ReadError[];
  duplicates: DuplicateReport[];
}

export interface ReadOptions {
  limits?: Partial<ReadLimits>;
  /** Paths in messages are shown relative to this directory. */
  base?: string;
  /** Called after each file, for progress on long runs. */
  onFile?: (done: number, total: number) => void;
}

/** Names a directory walk reads even when their content is not recognised (so that a broken one is reported). */
const REPORT_NAME = /\.(xml|gz|gzip|zip|eml|mbox|mbx)$/i;

/**
 * The files to read: each path as given, directories walked recursively in name order, each file once.
 * `alsoNamed`: more names a walk takes (reports fetch adds TLS-RPT's .json).
 */
export async function listReportFiles(paths: readonly string[], options: { alsoNamed?: RegExp } = {}): Promise<{ files: string[]; errors: ReadError[] }> {
  const files: string[] = [];
  const errors: ReadError[] = [];
  const seen = new Set<string>();
  const visit = async (p: string, explicit: boolean): Promise<void> => {
    let real: string;
    let info;
    try {
      real = await realpath(p);
      info = await stat(real);
    } catch (err) {
      errors.push({ file: p, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    if (info.isDirectory()) {
      const names = (await readdir(real)).filter((n) => !n.startsWith('.')).sort();
      for (const name of names) await visit(path.join(p, name), false);
      return;
    }
    if (!info.isFile()) return;
    // In a directory, a file that is neither named nor shaped like a report (a README) is not one.
    if (!explicit && !REPORT_NAME.test(p) && !options.alsoNamed?.test(p) && (await sniffFile(real).catch(() => 'unknown')) === 'unknown') return;
    files.push(p);
  };
  for (const p of paths) await visit(p, true);
  return { files, errors };
}

/** Read every report under `paths`, merging rows as each report ends. */
export async function readReports(paths: readonly string[], options: ReadOptions = {}): Promise<ReportSet> {
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const base = options.base;
  // Relative to the base when the file lies under it; absolute otherwise.
  const shown = (file: string) => {
    if (!base) return file;
    const rel = path.relative(base, file);
    return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  };
  const listed = await listReportFiles(paths);
  const errors: ReadError[] = listed.errors.map((e) => ({ ...e, file: shown(e.file) }));
  const duplicates: DuplicateReport[] = [];
  const rows = new Map<string, ReportRow>();
  const receivers = new Map<string, Receiver>();
  const seen = new Set<string>();
  const set = { reports: 0, messages: 0, begin: undefined as number | undefined, end: undefined as number | undefined, schemas: { '7489': 0, '9990': 0 } };

  const handler: ReportHandler = {
    report(parsed: ParsedReport, where: string) {
      const { meta } = parsed;
      const key = `${meta.orgName.toLowerCase()}\n${meta.reportId}`;
      if (seen.has(key)) {
        duplicates.push({ file: where, orgName: meta.orgName, reportId: meta.reportId });
        return;
      }
      seen.add(key);
      set.reports++;
      set.messages += parsed.messages;
      set.schemas[meta.schema]++;
      if (meta.begin !== undefined) set.begin = Math.min(set.begin ?? meta.begin, meta.begin);
      if (meta.end !== undefined) set.end = Math.max(set.end ?? meta.end, meta.end);
      const receiver = receivers.get(meta.orgName) ?? { orgName: meta.orgName, reports: 0, messages: 0 };
      receiver.reports++;
      receiver.messages += parsed.messages;
      receivers.set(meta.orgName, receiver);
      for (const [rowKey, row] of parsed.rows) {
        const merged = rows.get(rowKey);
        if (merged) merged.count += row.count;
        else rows.set(rowKey, row);
      }
    },
    error(where: string, message: string) {
      errors.push({ file: where, message });
    },
  };

  let done = 0;
  for (const file of listed.files) {
    await readFileReports(file, shown(file), limits, handler);
    options.onFile?.(++done, listed.files.length);
  }
  const out: ReportSet = {
    rows: [...rows.values()],
    files: listed.files.length,
    reports: set.reports,
    messages: set.messages,
    receivers: [...receivers.values()].sort((a, b) => b.messages - a.messages || a.orgName.localeCompare(b.orgName)),
    schemas: set.schemas,
    errors,
    duplicates,
  };
  if (set.begin !== undefined) out.begin = set.begin;
  if (set.end !== undefined) out.end = set.end;
  return out;
}
