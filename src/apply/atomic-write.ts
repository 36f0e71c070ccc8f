// All-or-nothing file writes across several files: every file is staged as a synced temp
// file beside its target, under an intent journal (apply/journal.ts) written before the first
// rename; only when all are staged are they renamed into place. A run cut short at any point
// is finished or undone by the next mailrec command.

import { renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeFsError } from '../base/fs-errors.js';
import type { RepoFiles } from '../base/repo-files.js';
import { RepoFileError } from '../base/errors.js';
import { digestText } from '../plan/plan.js';
import {
  newJournal,
  removeJournal,
  strayTemps,
  syncDirectory,
  tempNameFor,
  writeJournal,
  writeSynced,
  type JournalEntry,
} from './journal.js';

export interface FileWrite {
  /** Relative to the repo root, or absolute. */
  file: string;
  content: string;
}

export interface AtomicWriteOptions {
  /**
   * Told each step before it is taken: "journal", "stage:<i>", "commit", "rename:<i>",
   * "renamed", "done". Tests kill the process at a step to prove recovery (never used otherwise).
   */
  onStep?: (step: string) => void;
}

/**
 * Write every file or none. A failure while staging (a full or read-only disk, a permission)
 * removes the temp files at once and leaves every target as it was; the error names the file
 * and the cause. rename(2) within a directory is atomic, and the journal covers the set.
 */
export function writeFilesAtomically(files: RepoFiles, writes: readonly FileWrite[], options: AtomicWriteOptions = {}): void {
  if (writes.length === 0) return;
  const step = options.onStep ?? (() => undefined);
  const targets = writes.map((w) => ({ ...w, target: files.prepareWrite(w.file), shown: files.show(w.file) }));
  const entries: JournalEntry[] = targets.map((t) => {
    const before = files.readOptional(t.target, 'staged');
    return { target: t.shown, temp: path.join(path.dirname(t.shown), path.basename(tempNameFor(t.target))), before: before === undefined ? 'absent' : digestText(before), after: digestText(t.content) };
  });
  const journal = newJournal(entries);
  step('journal');
  // Fails when another apply holds a journal: its staged files are then left alone.
  writeJournal(files, journal);
  // Temps of an earlier run whose journal was lost (none of ours exists yet).
  for (const stray of strayTemps(files, targets.map((t) => t.target))) rmSync(stray, { force: true });
  const staged: string[] = [];
  const dirs = new Set(targets.map((t) => path.dirname(t.target)));
  try {
    targets.forEach((t, i) => {
      step(`stage:${i}`);
      const temp = path.join(path.dirname(t.target), path.basename(entries[i]!.temp));
      staged.push(temp);
      try {
        writeSynced(temp, t.content, modeOf(t.target));
      } catch (error) {
        throw new RepoFileError(t.shown, `${describeFsError(error)}; nothing was written`);
      }
    });
    for (const dir of dirs) syncDirectory(dir);
    step('commit');
    writeJournal(files, { ...journal, phase: 'commit' });
  } catch (error) {
    for (const temp of staged) rmSync(temp, { force: true });
    removeJournal(files);
    throw error;
  }
  targets.forEach((t, i) => {
    step(`rename:${i}`);
    try {
      renameSync(staged[i]!, t.target);
    } catch (error) {
      throw new RepoFileError(t.shown, `${describeFsError(error)}; the apply stopped half-way: the next mailrec command completes it`);
    }
  });
  step('renamed');
  for (const dir of dirs) syncDirectory(dir);
  step('done');
  removeJournal(files);
}

/** Keep an existing file's permissions (a zone file may be 0640); new files get 0644 less the umask. */
function modeOf(file: string): number {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    return 0o644;
  }
}
