// Runs the CLI in-process with captured streams, and copies the bundled example
// into a throwaway zone repo.

import { cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; tty?: boolean }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'mailrec', ...args], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: options.env ?? {},
    cwd: options.cwd,
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
  });
  return { code, stdout, stderr };
}

/** A fresh copy of the bundled example estate (policies, zones, keys, certs, mta-sts), in a new directory or `into`. */
export function copyExample(into?: string): string {
  const dir = into ?? mkdtempSync(join(tmpdir(), 'mailrec-repo-'));
  for (const sub of ['policies', 'zones', 'keys', 'certs', 'mta-sts']) cpSync(join(REPO_ROOT, sub), join(dir, sub), { recursive: true });
  return dir;
}

/** Every file under dir with its content, to prove that nothing was written (links listed as links with `followLinks: false`). */
export function snapshotTree(dir: string, options: { followLinks?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (options.followLinks === false && lstatSync(p).isSymbolicLink()) out[relative(dir, p)] = `-> ${readlinkSync(p)}`;
      else if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Every file under the repo whose name marks it as an apply's journal or staged temp file. */
export function applyLeftovers(repo: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.mailrec-tmp') || name === '.mailrec-apply.journal') out.push(relative(repo, p));
    }
  };
  walk(repo);
  return out.sort();
}

/** A known error: exit 1, one line on stderr (plus an optional hint line), no stack trace. */
export function expectOneLineError(run: CliRun, pattern: RegExp): void {
  expect(run.code).toBe(1);
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(pattern);
  expect(lines.length, run.stderr).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
}
