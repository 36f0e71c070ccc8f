// Options every command shares: where the repo is and where the policy lives.

import path from 'node:path';
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
  /** The clock: the real one, or MAILREC_NOW (for tests only: they drive key rotation through time). */
  now: () => Date;
}

export interface GlobalOptions {
  chdir?: string;
  policy?: string[];
  format?: string;
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
  return {
    io,
    root,
    policyPaths: policies.map((p) => path.resolve(root, p)),
    format: parseFormat(options.format, formats) as Format,
    now: clockFrom(io.env),
  };
}
