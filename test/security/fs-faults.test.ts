// File-system faults during apply, on real file systems: a full disk (ENOSPC) and a read-only
// one (EROFS) are small tmpfs mounts the test makes; a permission error (EACCES) is a child run
// as an unprivileged user. Each must end in one line naming the file and the cause, exit 1, no
// stack trace, nothing half-written and no temp file left.
//
// Mounting needs root. This test does not skip without it: it fails, saying why, so that a CI
// run that cannot mount is seen (CI runs .ci/run as root, as does this project's machine).

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkZone } from '../helpers/bind-tools.js';
import { applyLeftovers, copyExample, expectOneLineError, REPO_ROOT, runCli, snapshotTree } from '../helpers/cli.js';

const mounts: string[] = [];

function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'this test mounts small tmpfs file systems (a full one, a read-only one) and runs a child as another user: ' +
        'that needs root. Run it as root (CI runs .ci/run as root); it does not skip.',
    );
  }
}

/** A fresh tmpfs of `kib` KiB with the bundled example in it. */
function mountedExample(kib: number): string {
  requireRoot();
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0755`, 'tmpfs', dir]);
  mounts.push(dir);
  return copyExample(dir);
}

afterAll(() => {
  for (const dir of mounts) {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Fill the file system until `pages` free pages of 4 KiB are left. */
function fillLeaving(repo: string, pages: number): string {
  const fill = join(repo, 'fill');
  const fd = openSync(fill, 'w');
  try {
    const { bavail, bsize } = statfsSync(repo);
    const bytes = Number(bavail) * Number(bsize) - pages * 4096;
    if (bytes > 0) writeSync(fd, Buffer.alloc(bytes));
  } finally {
    closeSync(fd);
  }
  return fill;
}

describe('a full file system (ENOSPC)', () => {
  it.each([
    ['the journal', 0, /^error: \.mailrec-apply\.journal: no space left on device; nothing was written$/],
    ['a staged file', 2, /^error: zones\/example\.(net|org)(\.mail)?\.zone: no space left on device; nothing was written$/],
  ])('no room for %s: one line, nothing written, no temp file left', async (_label, pages, pattern) => {
    const repo = mountedExample(512);
    // Both zones change, so that apply --bump-serial writes four files.
    execFileSync('sed', ['-i', 's/  ttl: 3600/  ttl: 1800/', join(repo, 'policies/mail.yaml')]);
    const fill = fillLeaving(repo, pages);
    const before = snapshotTree(repo);
    const run = await runCli(['apply', '--bump-serial'], { cwd: repo });
    expectOneLineError(run, pattern);
    expect(applyLeftovers(repo)).toEqual([]);
    expect(snapshotTree(repo)).toEqual(before);
    rmSync(fill);
    expect((await runCli(['apply', '--bump-serial'], { cwd: repo })).code).toBe(0);
    for (const zone of ['example.net', 'example.org']) {
      expect(checkZone(zone, join(repo, 'zones', `${zone}.zone`), { cwd: join(repo, 'zones') }).ok).toBe(true);
    }
  });
});

describe('a read-only file system (EROFS)', () => {
  it('plan works; apply is one line naming the file; nothing changes', async () => {
    const repo = mountedExample(512);
    const before = snapshotTree(repo);
    execFileSync('mount', ['-o', 'remount,ro', repo]);
    expect((await runCli(['plan'], { cwd: repo })).code).toBe(0);
    expectOneLineError(await runCli(['apply'], { cwd: repo }), /^error: \.mailrec-apply\.journal: read-only file system; nothing was written$/);
    expectOneLineError(await runCli(['init', '--chdir', 'zones'], { cwd: repo }), /^error: zones\/\.gitignore|^error: .*read-only file system/);
    expect(snapshotTree(repo)).toEqual(before);
  });
});

describe('permission denied (EACCES), as an unprivileged user', () => {
  it('an unreadable zone file and an unwritable directory: one line each', () => {
    requireRoot();
    const repo = copyExample();
    // The child runs as nobody: it must be able to read the repo, not write to zones/.
    chmodSync(repo, 0o755);
    for (const sub of ['policies', 'keys', 'certs', 'mta-sts', 'mta-sts/example.org', 'mta-sts/example.org/.well-known']) chmodSync(join(repo, sub), 0o755);
    chmodSync(join(repo, 'zones'), 0o555);
    const run = (args: string[]) => {
      const child = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'mailrec'), ...args], { cwd: repo, uid: 65534, gid: 65534, encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
      return { code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
    };
    // The journal lives at the root, which nobody cannot write either.
    expectOneLineError(run(['apply']), /^error: \.mailrec-apply\.journal: permission denied; nothing was written$/);
    chmodSync(repo, 0o777);
    expectOneLineError(run(['apply']), /^error: zones\/example\.org\.mail\.zone: permission denied; nothing was written$/);
    expect(applyLeftovers(repo)).toEqual([]);
    chmodSync(join(repo, 'zones'), 0o755);
    chmodSync(join(repo, 'zones', 'example.org.zone'), 0o000);
    expectOneLineError(run(['plan']), /^error: zones\/example\.org\.zone: permission denied$/);
  });
});
