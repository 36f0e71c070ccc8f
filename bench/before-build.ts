// The "before" of a before/after figure: mailrec as built from an earlier commit, in a
// throwaway directory (git archive of the commit, this checkout's node_modules linked, tsc),
// so that one bench run measures both builds on the same machine at the same moment.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BeforeBuild {
  /** The commit, as given and as resolved. */
  rev: string;
  commit: string;
  /** bin/mailrec of that build. */
  bin: string;
  remove(): void;
}

/** Build `rev` of the repository at `root`; undefined (with the reason printed) when that fails. */
export function buildBefore(root: string, rev: string): BeforeBuild | undefined {
  let dir: string | undefined;
  try {
    const commit = execFileSync('git', ['-C', root, 'rev-parse', '--verify', `${rev}^{commit}`], { encoding: 'utf8' }).trim();
    dir = mkdtempSync(join(tmpdir(), 'mailrec-bench-before-'));
    execFileSync('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', root, commit, dir]);
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
    const bin = join(dir, 'bin', 'mailrec');
    if (!existsSync(join(dir, 'dist', 'src', 'cli', 'main.js'))) throw new Error('the build wrote no dist/src/cli/main.js');
    const made = dir;
    return { rev, commit, bin, remove: () => rmSync(made, { recursive: true, force: true }) };
  } catch (error) {
    console.log(`  (no "before" build of ${rev}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    if (dir) rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
