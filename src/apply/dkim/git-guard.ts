// Asks git whether a path would be committed: a private key must never be written where git
// tracks it, nor where `git add -A` would pick it up. Outside a git repository there is
// nothing to ask.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MailrecError } from '../../base/errors.js';

interface GitRun {
  code: number;
  stdout: string;
}

/** git in the repo, with the repo's own hooks and fsmonitor switched off: only plumbing is asked. */
function git(root: string, args: string[]): Promise<GitRun | 'no-git'> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-C', root, ...args],
      { timeout: 20_000, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return resolve('no-git');
        const code = error ? (typeof error.code === 'number' ? error.code : 128) : 0;
        resolve({ code, stdout: String(stdout) });
      },
    );
  });
}

function gitDirAbove(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return true;
    if (path.dirname(d) === d) return false;
  }
}

/**
 * Refuses (MailrecError) when `rel` (relative to the repo root) is tracked by git or not
 * ignored by it. Does nothing outside a git work tree.
 */
export async function refuseGitVisible(root: string, rel: string, what: string): Promise<void> {
  const inTree = await git(root, ['rev-parse', '--is-inside-work-tree']);
  if (inTree === 'no-git') {
    if (gitDirAbove(root)) throw new MailrecError(`${root} is a git repository but git is not installed: cannot check that ${rel} stays out of it`, 'install git');
    return;
  }
  if (inTree.code !== 0 || inTree.stdout.trim() !== 'true') return;
  const tracked = await git(root, ['ls-files', '--error-unmatch', '--', rel]);
  if (tracked !== 'no-git' && tracked.code === 0) {
    throw new MailrecError(`git tracks ${rel}: ${what} must never be committed; nothing was written`, `git rm --cached ${rel}, rewrite the history that holds it, and add its directory to .gitignore`);
  }
  const ignored = await git(root, ['check-ignore', '-q', '--', rel]);
  if (ignored === 'no-git' || ignored.code === 1) {
    const dir = path.posix.dirname(rel);
    throw new MailrecError(`git does not ignore ${rel}: ${what} would be committed by git add -A; nothing was written`, `add "${dir}/" to .gitignore (mailrec init does)`);
  }
  if (ignored.code !== 0) throw new MailrecError(`git check-ignore failed for ${rel} (exit ${ignored.code}); nothing was written`);
}
