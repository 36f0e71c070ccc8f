// The report archive: each report (the XML or JSON, decompressed) stored once, gzipped, under
// its sha256, and one index line per report. Storing is idempotent and ordered for crashes:
// the report file is written (synced temp file, rename) before its index line, and the index
// is synced before a fetch moves its watermark; so a run killed at any point and run again
// stores nothing twice and loses nothing (docs/reports.md).

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { formatIndexLine, parseIndexLine, reportPath, INDEX_VERSION, type IndexEntry, type ReportKind } from './archive-index.js';
import type { AppendFile, ReportFiles } from './archive-files.js';

export const INDEX_FILE = 'index.jsonl';
export const STATE_FILE = 'state.json';
export const LOCK_FILE = '.lock';
/** An index line is a few hundred bytes; one far longer is not one of ours. */
const MAX_INDEX_LINE = 64 << 10;

/** What the archive needs to know of a report it stores. */
export interface ReportToStore {
  kind: ReportKind;
  /** The report itself, decompressed: hashed and stored. */
  bytes: Buffer;
  receiver: string;
  reportId: string;
  domain: string;
  begin?: number;
  end?: number;
  rows: number;
  count: number;
  source: string;
}

export type StoreOutcome =
  | { status: 'stored'; entry: IndexEntry; /** the same receiver and report id archived before with other content */ sameIdOther?: string }
  | { status: 'duplicate'; entry: IndexEntry };

export interface ArchiveNotes {
  /** Bytes of a torn last index line cut off at open. */
  tornBytes: number;
  /** Index lines that could not be read (skipped). */
  unreadable: number;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every readable entry of the archive's index, in file order, streamed. */
export function* readIndex(files: ReportFiles, dir: string, notes?: ArchiveNotes): Generator<IndexEntry> {
  for (const line of files.lines(`${dir}/${INDEX_FILE}`, MAX_INDEX_LINE)) {
    const entry = line === undefined ? undefined : parseIndexLine(line);
    if (entry) yield entry;
    else if (line === undefined || line.trim() !== '') {
      if (notes) notes.unreadable++;
    }
  }
}

export class ReportArchive {
  /** sha256 of every report in the index. */
  private readonly known = new Set<string>();
  /** receiver + report id -> sha256, to say when a report id comes back with other content. */
  private readonly ids = new Map<string, string>();
  private index?: AppendFile;
  /** Index lines of the reports stored since the last commit. */
  private lines: string[] = [];
  /** Report files written since the last commit, not yet synced. */
  private unsynced: string[] = [];
  private readonly touchedDirs = new Set<string>();
  readonly notes: ArchiveNotes = { tornBytes: 0, unreadable: 0 };
  reports = 0;
  /** Called between writing a report file and its index line (crash tests, see cli/commands/reports.ts). */
  onFileWritten?: () => void;

  private constructor(
    private readonly files: ReportFiles,
    /** The archive directory (absolute, or relative to the repo root). */
    readonly dir: string,
  ) {}

  /** Open (or create) the archive: the index is read once, a torn last line cut off. */
  static open(files: ReportFiles, dir: string): ReportArchive {
    const archive = new ReportArchive(files, dir);
    files.ensureDir(dir);
    archive.index = files.openAppend(`${dir}/${INDEX_FILE}`, (bytes) => {
      archive.notes.tornBytes = bytes;
    });
    for (const entry of readIndex(files, dir, archive.notes)) {
      archive.known.add(entry.sha256);
      archive.ids.set(idKey(entry.receiver, entry.reportId), entry.sha256);
      archive.reports++;
    }
    return archive;
  }

  has(sha256: string): boolean {
    return this.known.has(sha256);
  }

  /** Store one report: its file unless there, then its index line unless there. `now` is the time to record. */
  store(report: ReportToStore, now: Date): StoreOutcome {
    const sha256 = sha256Hex(report.bytes);
    const begin = report.begin ?? Math.floor(now.getTime() / 1000);
    const entry: IndexEntry = {
      v: INDEX_VERSION,
      kind: report.kind,
      sha256,
      file: reportPath(report.kind, sha256, begin),
      receiver: report.receiver,
      reportId: report.reportId,
      domain: report.domain,
      begin,
      end: report.end ?? begin,
      rows: report.rows,
      count: report.count,
      source: report.source,
      stored: now.toISOString(),
    };
    if (this.known.has(sha256)) return { status: 'duplicate', entry };
    // The file now, its index line at commit, once the file is synced: an index line always
    // names a file that is there. A file without its line (a crash before the commit) gets
    // its line when the report comes again. Node's gzip writes no time stamp: the same
    // report gives the same bytes.
    const written = this.files.writeOnce(`${this.dir}/${entry.file}`, gzipSync(report.bytes));
    if (written !== undefined) this.unsynced.push(written);
    this.touchedDirs.add(entry.file.slice(0, entry.file.lastIndexOf('/')));
    this.onFileWritten?.();
    this.lines.push(formatIndexLine(entry));
    this.known.add(sha256);
    this.reports++;
    const key = idKey(entry.receiver, entry.reportId);
    const earlier = this.ids.get(key);
    this.ids.set(key, sha256);
    return earlier !== undefined && earlier !== sha256 ? { status: 'stored', entry, sameIdOther: earlier } : { status: 'stored', entry };
  }

  /**
   * Make what was stored durable, in order: the report files and their directories synced,
   * then their index lines written and synced. `onLines` is called between writing the lines
   * and syncing them (crash tests).
   */
  async commit(onLines?: () => void): Promise<void> {
    if (this.lines.length === 0) return;
    await this.files.syncFiles(this.unsynced);
    this.unsynced = [];
    for (const dir of this.touchedDirs) this.files.syncDir(`${this.dir}/${dir}`);
    this.touchedDirs.clear();
    this.index!.write(this.lines.join(''));
    this.lines = [];
    onLines?.();
    this.index!.sync();
  }

  async close(): Promise<void> {
    await this.commit();
    this.index?.close();
    this.index = undefined;
  }
}

function idKey(receiver: string, reportId: string): string {
  return `${receiver.toLowerCase()}\n${reportId}`;
}

/**
 * Retention: drop the reports whose period ended before `cutoff` (seconds). The index is
 * rewritten first (a synced temp file renamed over it), then the files are removed: a crash
 * in between leaves files the index no longer names, never an index line without its file.
 */
export function pruneArchive(files: ReportFiles, dir: string, cutoff: number): number {
  const temp = `${dir}/.${INDEX_FILE}.prune.tmp`;
  files.remove(temp);
  const out = files.openAppend(temp);
  const dropped: string[] = [];
  try {
    for (const entry of readIndex(files, dir)) {
      if (entry.end < cutoff) dropped.push(entry.file);
      else out.write(formatIndexLine(entry));
    }
    out.sync();
  } finally {
    out.close();
  }
  if (dropped.length === 0) {
    files.remove(temp);
    return 0;
  }
  files.rename(temp, `${dir}/${INDEX_FILE}`);
  files.syncDir(dir);
  for (const file of dropped) files.remove(`${dir}/${file}`);
  return dropped.length;
}
