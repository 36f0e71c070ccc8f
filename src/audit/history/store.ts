// The run history of `audit --history DIR`: one gzip-compressed json file per run, named by
// the UTC time of the run so that names sort by time (`audit-20261207T061500Z.json.gz`),
// written atomically (a synced temp file renamed into place); listed oldest first, read
// back with the caps of any input, pruned by age or count. Also reads the outputs
// `--compare` names: a json document or NDJSON stream, plain or gzipped, one file or the
// shards of one run, into one document shape (merge.ts's AuditPart).

import { lstatSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { constants as zlibConstants, createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { syncDirectory, tempNameFor, writeSynced } from '../../apply/journal.js';
import { InputError, RepoFileError } from '../../base/errors.js';
import { describeFsError } from '../../base/fs-errors.js';
import { formatBytes, type RepoFiles } from '../../base/repo-files.js';
import { secretShape, SNIFF_BYTES } from '../../base/secret-shapes.js';
import { mergeAuditParts, parseAuditOutput, type AuditPart } from '../merge.js';

/**
 * What one stored run may inflate to. Past this the text would not fit in one JavaScript
 * string anyway (V8's limit is about 2^29 characters); a gzip bomb stops here.
 */
export const HISTORY_INFLATED_CAP = 512 * 1024 * 1024;

/** One run in the history directory. */
export interface StoredRun {
  /** The absolute path. */
  file: string;
  /** The file name, e.g. `audit-20261207T061500Z.json.gz`. */
  name: string;
  /** When the run was made (from the name, to the second, UTC). */
  time: Date;
}

/** How much history to keep: runs newer than `maxAgeSeconds`, and/or the newest `count`. The newest run is always kept. */
export interface KeepRule {
  maxAgeSeconds?: number;
  count?: number;
}

const NAME = /^audit-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:\.(\d+))?\.json\.gz$/;

/** `audit-20261207T061500Z.json.gz`, or with `.2` before `.json` for the second run in one second. */
export function runFileName(time: Date, sequence = 1): string {
  const stamp = time.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `audit-${stamp}${sequence > 1 ? `.${sequence}` : ''}.json.gz`;
}

/** The time and sequence a history file name carries, or undefined for any other name. */
export function parseRunFileName(name: string): { time: Date; sequence: number } | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, seq] = m;
  const time = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (Number.isNaN(time.getTime()) || runFileName(time) !== `audit-${y}${mo}${d}T${h}${mi}${s}Z.json.gz`) return undefined;
  return { time, sequence: seq === undefined ? 1 : Number(seq) };
}

/**
 * The runs in `dir`, oldest first (by the time in the name, then the sequence). Other
 * files are ignored; a missing directory has no runs. What a name promises is checked
 * when the run is read (readRun), not here.
 */
export function listRuns(files: RepoFiles, dir: string): StoredRun[] {
  const abs = files.resolve(dir);
  if (!files.exists(abs)) return [];
  const real = files.locate(abs);
  const runs: (StoredRun & { sequence: number })[] = [];
  for (const entry of files.list(real)) {
    const parsed = parseRunFileName(entry.name);
    if (parsed) runs.push({ file: path.join(real, entry.name), name: entry.name, time: parsed.time, sequence: parsed.sequence });
  }
  runs.sort((a, b) => a.time.getTime() - b.time.getTime() || a.sequence - b.sequence);
  return runs.map(({ sequence: _sequence, ...run }) => run);
}

function isGzip(data: Buffer): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** The text of an audit output, inflated when it is gzip data; one-line errors, nothing of the file quoted. */
function decodeOutput(data: Buffer, shown: string): string {
  let bytes = data;
  if (isGzip(data)) {
    try {
      bytes = gunzipSync(data, { maxOutputLength: HISTORY_INFLATED_CAP });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        throw new RepoFileError(shown, `inflates to more than ${formatBytes(HISTORY_INFLATED_CAP)}, over the limit for an audit run`);
      }
      throw new RepoFileError(shown, 'is not valid gzip data (corrupt or cut short)', 'remove it, or restore it from a backup');
    }
  }
  // A compressed file's content was not sniffed when it was read: do it now.
  const shape = secretShape(bytes.subarray(0, SNIFF_BYTES).toString('latin1'));
  if (shape !== undefined) {
    throw new RepoFileError(shown, `looks like ${shape}, not mailrec audit output; not read, and nothing of it is shown`, 'check the path: mailrec never quotes a file that may hold secrets');
  }
  return bytes.toString('utf8');
}

/**
 * One audit output: `mailrec audit --format json|ndjson`, plain or gzipped (a history
 * file), read through the repo-file door (regular files only, capped). `shown` names it in
 * messages (default: as RepoFiles shows it). Throws InputError with one line.
 */
export function readRun(files: RepoFiles, file: string, shown?: string): AuditPart {
  const name = shown ?? files.show(file);
  // A .gz name is held to the smaller cap of compressed data; the content decides how it is decoded.
  const text = decodeOutput(files.readBytes(file, /\.gz$/i.test(file) ? 'audit-history' : 'audit-output'), name);
  const parsed = parseAuditOutput(text, name);
  if (!parsed.ok) throw new InputError(parsed.message);
  return parsed.part;
}

/**
 * Several outputs that make one run (the shards of a `--shard K/N` run, checked as `audit
 * merge` checks them), as one document; a single file as it is (a lone shard keeps its
 * `shard`, so that only its domains are compared).
 */
export function readRuns(files: RepoFiles, list: readonly { file: string; shown?: string }[]): AuditPart {
  const parts = list.map((f) => readRun(files, f.file, f.shown));
  if (parts.length === 1) return parts[0]!;
  const merged = mergeAuditParts(parts);
  if (!merged.ok) throw new InputError(merged.problems[0]!, 'name every output of one run (each shard K/N once), or one merged output');
  const m = merged.merged;
  return { file: parts.map((p) => p.file).join(', '), source: m.source, domains: m.domains, ...(parts.every((p) => p.summary) ? { summary: parts[0]!.summary! } : {}) };
}

/** Where a new run goes: the directory (made as needed, inside the repo or named on the command line) and a free name. */
function placeRun(files: RepoFiles, dir: string, now: Date): { real: string; name: string } {
  const real = files.ensureDir(dir);
  for (let sequence = 1; ; sequence++) {
    const name = runFileName(now, sequence);
    try {
      lstatSync(path.join(real, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { real, name };
      throw new RepoFileError(files.show(path.join(real, name)), describeFsError(error));
    }
  }
}

/** Rename a synced temp file into place; never over an existing run (a second in the same second gets the next name). */
function commit(files: RepoFiles, real: string, name: string, temp: string, now: Date): StoredRun {
  let target = path.join(real, name);
  try {
    for (let sequence = parseRunFileName(name)?.sequence ?? 1; ; sequence++) {
      target = path.join(real, runFileName(now, sequence));
      try {
        lstatSync(target);
        continue;
      } catch {
        renameSync(temp, target);
        break;
      }
    }
    syncDirectory(real);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new RepoFileError(files.show(target), describeFsError(error));
  }
  return { file: target, name: path.basename(target), time: new Date(Math.floor(now.getTime() / 1000) * 1000) };
}

/** Store one run's json text (a document or NDJSON), compressed, atomically. */
export function writeRun(files: RepoFiles, dir: string, text: string, now: Date): StoredRun {
  const { real, name } = placeRun(files, dir, now);
  const temp = tempNameFor(path.join(real, name));
  try {
    writeSynced(temp, gzipSync(text, { level: zlibConstants.Z_BEST_COMPRESSION }));
  } catch (error) {
    throw new RepoFileError(files.show(path.join(real, name)), describeFsError(error));
  }
  return commit(files, real, name, temp, now);
}

/** A run written as it streams: text in, compressed in memory as it comes, stored on commit. */
export interface RunWriter {
  write(text: string): void;
  /** Finish and store the run atomically. */
  commit(): Promise<StoredRun>;
}

/** Start storing a streamed run (NDJSON): only the compressed bytes are kept until commit. */
export function openRunWriter(files: RepoFiles, dir: string, now: Date): RunWriter {
  const gzip = createGzip({ level: zlibConstants.Z_BEST_COMPRESSION });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.once('end', resolve);
    gzip.once('error', reject);
  });
  return {
    write: (text) => void gzip.write(text),
    commit: async () => {
      gzip.end();
      await ended;
      const { real, name } = placeRun(files, dir, now);
      const temp = tempNameFor(path.join(real, name));
      try {
        writeSynced(temp, Buffer.concat(chunks));
      } catch (error) {
        throw new RepoFileError(files.show(path.join(real, name)), describeFsError(error));
      }
      return commit(files, real, name, temp, now);
    },
  };
}

/**
 * Remove the runs the rule does not keep: those older than `maxAgeSeconds` before `now`,
 * and those beyond the newest `count`. The newest run is always kept, so that the next
 * run has something to compare with. Returns the runs removed, oldest first.
 */
export function pruneRuns(files: RepoFiles, dir: string, keep: KeepRule, now: Date): StoredRun[] {
  const runs = listRuns(files, dir);
  const removed: StoredRun[] = [];
  runs.forEach((run, i) => {
    if (i === runs.length - 1) return;
    const tooOld = keep.maxAgeSeconds !== undefined && now.getTime() - run.time.getTime() > keep.maxAgeSeconds * 1000;
    const tooMany = keep.count !== undefined && i < runs.length - keep.count;
    if (!tooOld && !tooMany) return;
    try {
      // Only a regular file or a link goes: a directory or a FIFO with a run's name is left for a person to look at.
      const stats = lstatSync(run.file);
      if (!stats.isFile() && !stats.isSymbolicLink()) return;
      rmSync(run.file);
    } catch (error) {
      throw new RepoFileError(files.show(run.file), `cannot remove it: ${describeFsError(error)}`);
    }
    removed.push(run);
  });
  return removed;
}
