// Options every command shares: where the repo is, where the policy lives, which paths
// outside the repo the user allows; and the one RepoFiles every repo read and write goes through.

import path from 'node:path';
import { recoverInterruptedApply } from '../apply/journal.js';
import { RepoFiles } from '../base/repo-files.js';
import { UsageError } from '../base/errors.js';
import type { CliIO } from './io.js';

export type Format = 'text' | 'json' | 'markdown';

export interface Context {
  io: CliIO;
  /** The zone repo's root: paths in the policy are relative to it. */
  root: string;
  /** Policy files or directories, absolute. */
  policyPaths: string[];
  format: Format;
  /** The zone repo's files: real paths inside the root (or allowed), regular files, capped. */
  files: RepoFiles;
  /** The clock: the real one, or MAILREC_NOW (for tests only: they drive key rotation through time). */
  now: () => Date;
}

export interface GlobalOptions {
  chdir?: string;
  policy?: string[];
  format?: string;
  allowOutside?: string[];
}

export function parseFormat(value: string | undefined, allowed: readonly string[]): string {
  const format = value ?? 'text';
  if (!allowed.includes(format))
    throw new UsageError(`unknown format '${format}'`, `use --format ${allowed.join('|')}`);
  return format;
}

/**
 * MAILREC_NOW=<ISO 8601 time> replaces the clock. For tests only: they take a DKIM rotation
 * through weeks in seconds. Never set it in production: rotation safety rests on the real clock.
 */
export function clockFrom(env: NodeJS.ProcessEnv): () => Date {
  const fixed = env.MAILREC_NOW;
  if (fixed === undefined || fixed === '') return () => new Date();
  const ms = Date.parse(fixed);
  if (Number.isNaN(ms)) throw new UsageError(`MAILREC_NOW '${fixed}' is not a time`, 'unset it (it is for tests), or write e.g. 2026-05-03T12:00:00Z');
  return () => new Date(ms);
}

export function makeContext(io: CliIO, options: GlobalOptions, formats: readonly string[] = ['text', 'json', 'markdown']): Context {
  const root = path.resolve(io.cwd, options.chdir ?? '.');
  const policies = options.policy && options.policy.length > 0 ? options.policy : ['policies'];
  const format = parseFormat(options.format, formats) as Format;
  const files = new RepoFiles(root, { allowOutside: (options.allowOutside ?? []).map((p) => path.resolve(io.cwd, p)) });
  reportRecovery(io, recoverInterruptedApply(files));
  return {
    io,
    root,
    // Named on the command line: a path outside the repo given here is the user's say-so.
    policyPaths: policies.map((p) => files.allowNamed(p)),
    format,
    files,
    now: clockFrom(io.env),
  };
}

/** An apply cut short is finished (or undone) by the next command, which says so on stderr. */
function reportRecovery(io: CliIO, recovery: ReturnType<typeof recoverInterruptedApply>): void {
  if (!recovery) return;
  for (const file of recovery.outside) io.stderr(`mailrec: warning: ${file} is outside the zone repo: that apply's file there was left as it is (pass --allow-outside to finish it)\n`);
  if (recovery.action === 'rolled-back') {
    io.stderr(`mailrec: an apply of ${recovery.created} stopped before writing anything; its staged files were removed\n`);
    return;
  }
  const done = recovery.written.length > 0 ? `wrote ${recovery.written.join(', ')}` : 'every file was written already';
  io.stderr(`mailrec: completed an apply of ${recovery.created} that stopped half-way: ${done}\n`);
  for (const file of recovery.conflicts) io.stderr(`mailrec: warning: ${file} changed since that apply; left as it is\n`);
}
