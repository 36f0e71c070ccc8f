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

export function makeContext(io: CliIO, options: GlobalOptions, formats: readonly string[] = ['text', 'json', 'markdown']): Context {
  const root = path.resolve(io.cwd, options.chdir ?? '.');
  const policies = options.policy && options.policy.length > 0 ? options.policy : ['policies'];
  return {
    io,
    root,
    policyPaths: policies.map((p) => path.resolve(root, p)),
    format: parseFormat(options.format, formats) as Format,
  };
}
