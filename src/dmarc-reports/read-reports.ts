// The reader's entry point: files, lists and directories in, one merged set of
// rows out. Each report is counted once: the same receiver, report_id, period and rows
// (a content hash) is one report however many files hold it; the same receiver and
// report_id with other content is counted twice and said (RFC 9990 §3.1.1 wants ids
// unique). A report that cannot be read is skipped with a one-line error naming its file;
// what was recovered is a warning. The totals never depend on the order of the files.

import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { nameReceiver } from './receiver.js';
import { DEFAULT_LIMITS, type ReadLimits } from './limits.js';
import { specialFile } from '../base/repo-files.js';
import { readFileReports, sniffFile, type ReportHandler } from './read-container.js';
import type { ParsedReport } from './read-xml.js';
import { rowKey, type DuplicateReport, type ReadError, type ReadWarning, type ReportMeta, type ReportRow } from './report.js';

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
  /** Reports read with something recovered, replaced or doubtful; their rows are counted. */
  warnings: ReadWarning[];
  duplicates: DuplicateReport[];
}

export interface ReadOptions {
  limits?: Partial<ReadLimits>;
  /** Paths in messages are shown relative to this directory. */
  base?: string;
  /** Called after each file, for progress on long runs. */
  onFile?: (done: number, total: number) => void;
  /** Real paths that may be read (the zone repo's rule: inside it, or allowed); default: any. */
  allow?: (real: string) => boolean;
}

/** Names a directory walk reads even when their content is not recognised (so that a broken one is reported). */
const REPORT_NAME = /\.(xml|gz|gzip|zip|eml|mbox|mbx)$/i;

/**
 * The files to read: each path as given, directories walked recursively in name order, each file once.
 * `alsoNamed`: more names a walk takes (reports fetch adds TLS-RPT's .json); `allow`: the real
 * paths that may be read (the zone repo's rule), default any.
 */
export async function listReportFiles(paths: readonly string[], options: { alsoNamed?: RegExp; allow?: (real: string) => boolean } = {}): Promise<{ files: string[]; errors: ReadError[] }> {
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
    if (options.allow && !options.allow(real)) {
      errors.push({ file: p, message: 'outside the zone repo (a symbolic link leads out); not read' });
      return;
    }
    if (info.isDirectory()) {
      const names = (await readdir(real)).filter((n) => !n.startsWith('.')).sort();
      for (const name of names) await visit(path.join(p, name), false);
      return;
    }
    if (!info.isFile()) {
      // A FIFO would block the read forever; a device never ends: each is named and skipped.
      errors.push({ file: p, message: `${specialFile(info)}; skipped` });
      return;
    }
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
  const listed = await listReportFiles(paths, options.allow ? { allow: options.allow } : {});
  const errors: ReadError[] = listed.errors.map((e) => ({ ...e, file: shown(e.file) }));
  const warnings: ReadWarning[] = [];
  const duplicates: DuplicateReport[] = [];
  const rows = new Map<string, ReportRow>();
  const receivers = new Map<string, Receiver>();
  /** receiver + report_id -> content hash -> the first file that held it. */
  const seen = new Map<string, Map<string, string>>();
  /** Receivers named without <org_name>: one warning each, counting its reports. */
  const unnamed = new Map<string, { warning: ReadWarning; reports: number; text: string }>();
  const set = { reports: 0, messages: 0, begin: undefined as number | undefined, end: undefined as number | undefined, schemas: { '7489': 0, '9990': 0 } };

  const handler: ReportHandler = {
    report(parsed: ParsedReport, where: string) {
      const { meta } = parsed;
      const receiverName = nameReceiver(meta, where);
      const orgName = receiverName.name;
      // report_id is mandatory (RFC 7489 App. C, RFC 9990 §3); without one the report is
      // identified by who sent it, its period and its domain.
      const reportId = meta.reportId || `${orgName}:${meta.begin ?? ''}-${meta.end ?? ''}:${parsed.published.domain}`;
      const identity = `${orgName.toLowerCase()}\n${reportId}`;
      const hash = contentHash(orgName, reportId, meta, parsed);
      const copies = seen.get(identity) ?? new Map<string, string>();
      const first = copies.get(hash);
      if (first !== undefined) {
        duplicates.push({ file: where, orgName, reportId, first });
        return;
      }
      if (copies.size > 0) {
        const other = [...copies.values()][0]!;
        warnings.push({ file: where, message: `report ${reportId} from ${orgName} is also in ${other} with other content: both are counted` });
      }
      copies.set(hash, where);
      seen.set(identity, copies);

      for (const message of parsed.warnings) warnings.push({ file: where, message });
      if (receiverName.from !== 'org_name') {
        const known = unnamed.get(orgName);
        if (known) known.reports++;
        else {
          const text = `no <org_name>: the receiver is named ${orgName} from the report's ${receiverName.from === 'file name' ? 'file name' : `<${receiverName.from}>`}`;
          const warning = { file: where, message: text };
          unnamed.set(orgName, { warning, reports: 1, text });
          warnings.push(warning);
        }
      }
      const range = rangeProblem(meta.begin, meta.end);
      if (range !== undefined) {
        warnings.push({ file: where, message: `report ${reportId} from ${orgName}: ${range}; its rows are counted, its dates are left out of the period` });
      } else {
        if (meta.begin !== undefined) set.begin = Math.min(set.begin ?? meta.begin, meta.begin);
        if (meta.end !== undefined) set.end = Math.max(set.end ?? meta.end, meta.end);
      }

      set.reports++;
      set.messages += parsed.messages;
      set.schemas[meta.schema]++;
      const receiver = receivers.get(orgName) ?? { orgName, reports: 0, messages: 0 };
      receiver.reports++;
      receiver.messages += parsed.messages;
      receivers.set(orgName, receiver);
      for (const row of parsed.rows.values()) {
        row.receiver = orgName;
        const key = rowKey(row);
        const merged = rows.get(key);
        if (merged) merged.count += row.count;
        else rows.set(key, row);
      }
    },
    error(where: string, message: string) {
      errors.push({ file: where, message });
    },
    warn(where: string, message: string) {
      warnings.push({ file: where, message });
    },
  };

  let done = 0;
  for (const file of listed.files) {
    await readFileReports(file, shown(file), limits, handler);
    options.onFile?.(++done, listed.files.length);
  }
  for (const u of unnamed.values()) if (u.reports > 1) u.warning.message = `${u.text} (and ${u.reports - 1} more report${u.reports === 2 ? '' : 's'} from it)`;
  const out: ReportSet = {
    rows: [...rows.values()],
    files: listed.files.length,
    reports: set.reports,
    messages: set.messages,
    receivers: [...receivers.values()].sort((a, b) => b.messages - a.messages || a.orgName.localeCompare(b.orgName)),
    schemas: set.schemas,
    errors,
    warnings,
    duplicates,
  };
  if (set.begin !== undefined) out.begin = set.begin;
  if (set.end !== undefined) out.end = set.end;
  return out;
}

/**
 * What makes two copies the same report: the receiver, the report id, the period, the
 * policy and every row with its count, in a fixed order (rows merged, so the order of the
 * records in the file does not matter).
 */
function contentHash(receiver: string, reportId: string, meta: ReportMeta, parsed: ParsedReport): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([receiver.toLowerCase(), reportId, meta.begin ?? null, meta.end ?? null, parsed.published]));
  for (const key of [...parsed.rows.keys()].sort()) hash.update(`\n${key}\u0000${parsed.rows.get(key)!.count}`);
  return hash.digest('hex');
}

/** 2000-01-01T00:00:00Z: no DMARC report covers a day before it (RFC 7489 dates from 2015). */
const EARLIEST_REPORT = 946_684_800;
/** RFC 9990 §3.1.1: reports cover at most a day, usually; a range over 31 days is not a report period. */
const LONGEST_RANGE_DAYS = 31;

function day(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** Why a report's date range is absurd, or undefined when it is not (or is not given). */
export function rangeProblem(begin: number | undefined, end: number | undefined): string | undefined {
  if (begin === undefined || end === undefined) return undefined;
  if (begin < EARLIEST_REPORT) return `the date range begins ${day(begin)}, before 2000`;
  if (end < begin) return `the date range ends ${day(end)}, before it begins (${day(begin)})`;
  const days = (end - begin) / 86_400;
  if (days > LONGEST_RANGE_DAYS) return `the date range ${day(begin)} to ${day(end)} spans ${Math.round(days)} days, more than ${LONGEST_RANGE_DAYS}`;
  return undefined;
}
