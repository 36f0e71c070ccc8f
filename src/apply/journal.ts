// The intent journal of a multi-file write: which staged temp file replaces which target,
// written and fsynced before the first rename, so that the next run of any mailrec command
// finishes an apply that was cut short (kill -9, power loss) or undoes one that had not
// started renaming. Without it a set of files could be left half old, half new, with every
// file whole: a fragment new while its zone's serial is not bumped.

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { RepoFiles } from '../base/repo-files.js';
import { describeFsError } from '../base/fs-errors.js';
import { MailrecError, OutsideRepoError, RepoFileError } from '../base/errors.js';
import { digestText } from '../plan/plan.js';

/** The journal's name, at the repo root; `init` puts it in .gitignore. */
export const JOURNAL_FILE = '.mailrec-apply.journal';
/** Staged files end so; `init` puts the pattern in .gitignore. */
export const TEMP_SUFFIX = '.mailrec-tmp';
export const GITIGNORE_LINES = [JOURNAL_FILE, `.*${TEMP_SUFFIX}`] as const;

const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.mailrec-tmp$/;

export interface JournalEntry {
  /** The file to replace: repo-relative with "/", or absolute when allowed outside the repo. */
  target: string;
  /** The staged file beside it. */
  temp: string;
  /** sha256 of the target before the apply, or "absent". */
  before: string;
  /** sha256 of the staged content. */
  after: string;
}

export interface Journal {
  mailrec: 'apply-journal';
  version: 1;
  /** staging: temp files being written, no target touched; commit: every temp is whole, renames under way. */
  phase: 'staging' | 'commit';
  pid: number;
  /** The process's start time (Linux /proc), to tell a live writer from a reused pid. */
  started: string;
  host: string;
  created: string;
  entries: JournalEntry[];
}

/** What the next run did with an interrupted apply. */
export interface Recovery {
  /** completed: the renames were made up; rolled-back: staged files removed, targets untouched. */
  action: 'completed' | 'rolled-back';
  created: string;
  /** Targets the recovery renamed into place (the others were before the apply stopped). */
  written: string[];
  /** Targets changed by someone else since: left as they are, their staged file removed. */
  conflicts: string[];
  /** Targets outside the repo that this run may not touch: left as they are, with their staged file. */
  outside: string[];
}

/** A fresh temp name beside `file`: ".<name>.<12 hex>.mailrec-tmp". */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/** True when `temp` is a staged file of `target` (same directory, recognisable name). */
export function isTempOf(temp: string, target: string): boolean {
  const name = path.basename(temp);
  return path.dirname(temp) === path.dirname(target) && TEMP_NAME.test(name) && name.startsWith(`.${path.basename(target)}.`) && name.length === path.basename(target).length + 2 + 12 + TEMP_SUFFIX.length;
}

/** Stale staged files of `target` in its directory (an apply killed before it wrote its journal). */
export function strayTempsOf(files: RepoFiles, target: string): string[] {
  return strayTemps(files, [target]);
}

/**
 * strayTempsOf for many targets, each directory listed once: a listing per target made
 * apply quadratic (10,000 zones: 20,000 files in zones/, listed 20,000 times).
 */
export function strayTemps(files: RepoFiles, targets: readonly string[]): string[] {
  const byDir = new Map<string, Set<string>>();
  for (const target of targets) {
    const dir = path.dirname(target);
    byDir.set(dir, (byDir.get(dir) ?? new Set()).add(path.basename(target)));
  }
  const out: string[] = [];
  for (const [dir, names] of byDir) {
    let listed: string[];
    try {
      listed = files.list(dir).map((e) => e.name);
    } catch {
      continue;
    }
    // ".<target name>.<12 hex>.mailrec-tmp": the target's name is what lies between.
    for (const name of listed) if (TEMP_NAME.test(name) && names.has(name.slice(1, name.length - 1 - 12 - TEMP_SUFFIX.length))) out.push(path.join(dir, name));
  }
  return out;
}

/** Linux: field 22 of /proc/<pid>/stat, the start time in clock ticks; "" elsewhere. */
function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(journal: Journal): boolean {
  if (journal.host !== hostname()) return false;
  try {
    process.kill(journal.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  return journal.started === '' || startTimeOf(journal.pid) === journal.started;
}

export function newJournal(entries: JournalEntry[]): Journal {
  return {
    mailrec: 'apply-journal',
    version: 1,
    phase: 'staging',
    pid: process.pid,
    started: startTimeOf(process.pid),
    host: hostname(),
    created: new Date().toISOString(),
    entries,
  };
}

export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write `content` to a new file, fsynced; the file is removed again when anything fails. */
export function writeSynced(file: string, content: string | Buffer, mode = 0o644): void {
  const fd = openSync(file, 'wx', mode);
  try {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
    fsyncSync(fd);
    closeSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw error;
  }
}

/**
 * Write the journal atomically (temp, fsync, then link or rename, fsync the root). The first
 * write links, which fails when a journal exists: two applies never share one.
 */
export function writeJournal(files: RepoFiles, journal: Journal): void {
  const file = path.join(files.realRoot, JOURNAL_FILE);
  const temp = tempNameFor(file);
  try {
    writeSynced(temp, `${JSON.stringify(journal, null, 2)}\n`);
    if (journal.phase === 'staging') linkSync(temp, file);
    else renameSync(temp, file);
    rmSync(temp, { force: true });
    syncDirectory(files.realRoot);
  } catch (error) {
    rmSync(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new MailrecError('another mailrec apply is writing the zone repo; nothing was written', 'wait for it to finish, then run apply again');
    }
    throw new RepoFileError(JOURNAL_FILE, `${describeFsError(error)}; nothing was written`);
  }
}

export function removeJournal(files: RepoFiles): void {
  rmSync(path.join(files.realRoot, JOURNAL_FILE), { force: true });
  syncDirectory(files.realRoot);
}

function parseJournal(text: string): Journal {
  const bad = (): never => {
    throw new MailrecError(`${JOURNAL_FILE} is not a journal mailrec wrote; nothing was done`, `look at it, then remove it: mailrec writes it only while apply runs`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad();
  }
  const j = value as Journal;
  const isString = (v: unknown): v is string => typeof v === 'string';
  if (
    !j || j.mailrec !== 'apply-journal' || j.version !== 1 || (j.phase !== 'staging' && j.phase !== 'commit') ||
    !Number.isInteger(j.pid) || !isString(j.started) || !isString(j.host) || !isString(j.created) || !Array.isArray(j.entries) ||
    !j.entries.every((e) => e && isString(e.target) && isString(e.temp) && isString(e.before) && isString(e.after) && isTempOf(e.temp, e.target))
  ) {
    return bad();
  }
  return j;
}

/** A staged file's digest, or undefined when it is gone (already renamed). */
function digestOf(files: RepoFiles, file: string): string | undefined {
  const text = files.readOptional(file, 'staged');
  return text === undefined ? undefined : digestText(text);
}

/**
 * Finish or undo an apply that did not end: run first by every command. Returns what was
 * done, or undefined when there was nothing to do. Refuses while the writer still runs.
 */
export function recoverInterruptedApply(files: RepoFiles): Recovery | undefined {
  // Journal temps of a run killed while writing its journal: never referenced, always safe to drop.
  for (const stray of strayTempsOf(files, path.join(files.realRoot, JOURNAL_FILE))) rmSync(stray, { force: true });
  const text = files.readOptional(JOURNAL_FILE, 'journal');
  if (text === undefined) return undefined;
  const journal = parseJournal(text);
  if (alive(journal)) {
    throw new MailrecError(
      `another mailrec apply (pid ${journal.pid}, since ${journal.created}) is writing the zone repo; nothing was done`,
      'wait for it to finish, then run this command again',
    );
  }
  const recovery: Recovery = { action: journal.phase === 'commit' ? 'completed' : 'rolled-back', created: journal.created, written: [], conflicts: [], outside: [] };
  const dirs = new Set<string>();
  for (const entry of journal.entries) {
    // Checked like any write: inside the repo (or allowed on this command line), a regular file or nothing.
    let target: string;
    try {
      target = files.prepareWrite(entry.target);
    } catch (error) {
      // An apply (import, export) that wrote outside the repo with the user's say-so: this run has no such say-so.
      if (!(error instanceof OutsideRepoError) || !path.isAbsolute(entry.target)) throw error;
      recovery.outside.push(entry.target);
      continue;
    }
    const temp = path.join(path.dirname(target), path.basename(entry.temp));
    dirs.add(path.dirname(target));
    const staged = digestOf(files, temp);
    if (journal.phase === 'staging' || staged === undefined) {
      rmSync(temp, { force: true });
      // Renamed before the kill (its content is the apply's), or changed by someone since.
      if (journal.phase === 'commit' && digestOf(files, target) !== entry.after) recovery.conflicts.push(entry.target);
      continue;
    }
    const current = digestOf(files, target) ?? 'absent';
    if (staged !== entry.after || (current !== entry.before && current !== entry.after)) {
      // Someone changed the target since, or the staged file is not what was journaled: keep theirs.
      rmSync(temp, { force: true });
      recovery.conflicts.push(entry.target);
      continue;
    }
    renameSync(temp, target);
    recovery.written.push(entry.target);
  }
  for (const dir of dirs) syncDirectory(dir);
  removeJournal(files);
  return recovery;
}
