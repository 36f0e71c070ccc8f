// The repo-file module on a real file system: links inside and outside the repo (file and
// directory), special files (FIFO, /dev/zero, a directory, a socket), caps, secret-shaped files,
// and where writes go.

import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, existsSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_CAPS, readOpenFileCapped, REAL_DIRS_KEPT, RepoFiles, ZONE_TOTAL_CAP } from '../../src/base/repo-files.js';
import { secretShape } from '../../src/base/secret-shapes.js';
import { OutsideRepoError, RepoFileError } from '../../src/base/errors.js';

function sandbox(): { repo: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'mailrec-repofiles-'));
  const repo = join(base, 'repo');
  const outside = join(base, 'outside');
  mkdirSync(join(repo, 'zones'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(repo, 'zones', 'a.zone'), '; inside\n');
  writeFileSync(join(outside, 'secret.txt'), 'not for the repo\n');
  return { repo, outside };
}

function refusal(fn: () => unknown): RepoFileError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RepoFileError) return error;
    throw error;
  }
  throw new Error('expected a RepoFileError, nothing was thrown');
}

describe('reads follow links only inside the repo', () => {
  it('reads a file, and a file through a link inside the repo (file and directory links)', () => {
    const { repo } = sandbox();
    symlinkSync('a.zone', join(repo, 'zones', 'b.zone'));
    symlinkSync('zones', join(repo, 'alias'));
    const files = new RepoFiles(repo);
    expect(files.read('zones/a.zone', 'zone')).toBe('; inside\n');
    expect(files.read('zones/b.zone', 'zone')).toBe('; inside\n');
    expect(files.read('alias/a.zone', 'zone')).toBe('; inside\n');
  });

  it('refuses a file link and a directory link that lead out, naming the file and what to pass', () => {
    const { repo, outside } = sandbox();
    symlinkSync(join(outside, 'secret.txt'), join(repo, 'zones', 'out.zone'));
    symlinkSync(outside, join(repo, 'zones', 'out'));
    const files = new RepoFiles(repo);
    for (const p of ['zones/out.zone', 'zones/out/secret.txt']) {
      const error = refusal(() => files.read(p, 'zone'));
      expect(error).toBeInstanceOf(OutsideRepoError);
      expect(error.message).toMatch(new RegExp(`^${p.replace(/\//g, '\\/')}: outside the zone repo \\(a symbolic link leads to `));
      expect(error.message).not.toContain('not for the repo');
      expect(error.hint).toContain(`--allow-outside ${outside}`);
    }
    expect(refusal(() => files.read('../outside/secret.txt', 'zone'))).toBeInstanceOf(OutsideRepoError);
  });

  it('--allow-outside lets a link reach that directory, and only it', () => {
    const { repo, outside } = sandbox();
    symlinkSync(outside, join(repo, 'zones', 'out'));
    const files = new RepoFiles(repo, { allowOutside: [outside] });
    expect(files.read('zones/out/secret.txt', 'zone')).toBe('not for the repo\n');
    expect(refusal(() => files.read('/etc/hostname', 'zone'))).toBeInstanceOf(OutsideRepoError);
  });

  it('a path named on the command line outside the repo is allowed; a link inside the repo still is not', () => {
    const { repo, outside } = sandbox();
    const files = new RepoFiles(repo);
    files.allowNamed(join(outside, 'secret.txt'));
    expect(files.read(join(outside, 'secret.txt'), 'zone')).toBe('not for the repo\n');
    symlinkSync('/etc/hostname', join(repo, 'zones', 'host.zone'));
    files.allowNamed('zones/host.zone');
    expect(refusal(() => files.read('zones/host.zone', 'zone'))).toBeInstanceOf(OutsideRepoError);
  });
});

describe('real directories remembered per RepoFiles: every link still checked', () => {
  // Each case first reads a file beside the link, so that the directory's real path is remembered.
  it('a link as the file, in a directory already seen: in the repo it is followed, out of it refused', () => {
    const { repo, outside } = sandbox();
    symlinkSync('a.zone', join(repo, 'zones', 'b.zone'));
    symlinkSync(join(outside, 'secret.txt'), join(repo, 'zones', 'out.zone'));
    const files = new RepoFiles(repo);
    expect(files.read('zones/a.zone', 'zone')).toBe('; inside\n');
    expect(files.locate('zones/b.zone')).toBe(join(files.realRoot, 'zones', 'a.zone'));
    expect(refusal(() => files.read('zones/out.zone', 'zone'))).toBeInstanceOf(OutsideRepoError);
    expect(refusal(() => files.readOptional('zones/out.zone', 'zone'))).toBeInstanceOf(OutsideRepoError);
    expect(refusal(() => files.checkPath('zones/out.zone'))).toBeInstanceOf(OutsideRepoError);
  });

  it('a directory link that leads out, beneath a directory already seen: refused on every read, not only the first', () => {
    const { repo, outside } = sandbox();
    writeFileSync(join(outside, 'other.txt'), 'not for the repo either\n');
    symlinkSync(outside, join(repo, 'zones', 'out'));
    const files = new RepoFiles(repo);
    files.read('zones/a.zone', 'zone');
    for (const p of ['zones/out/secret.txt', 'zones/out/other.txt', 'zones/out/secret.txt']) {
      const error = refusal(() => files.read(p, 'zone'));
      expect(error).toBeInstanceOf(OutsideRepoError);
      expect(error.message).toContain(`a symbolic link leads to ${join(outside, p.split('/').at(-1)!)}`);
    }
    expect(refusal(() => files.list('zones/out'))).toBeInstanceOf(OutsideRepoError);
  });

  it('a missing file behind a directory link that leads out: refused, before and after a file there was read', () => {
    const { repo, outside } = sandbox();
    symlinkSync(outside, join(repo, 'zones', 'out'));
    const files = new RepoFiles(repo, {});
    files.read('zones/a.zone', 'zone');
    const absent = ['zones/out/none.zone', 'zones/out/deeper/none.zone'];
    for (const p of absent) expect(refusal(() => files.readOptional(p, 'fragment'))).toBeInstanceOf(OutsideRepoError);
    expect(refusal(() => files.read('zones/out/secret.txt', 'zone'))).toBeInstanceOf(OutsideRepoError);
    for (const p of absent) {
      expect(refusal(() => files.readOptional(p, 'fragment'))).toBeInstanceOf(OutsideRepoError);
      expect(refusal(() => files.checkPath(p))).toBeInstanceOf(OutsideRepoError);
    }
    // Missing inside the repo, beside and beneath a directory seen: absent, not refused.
    expect(files.readOptional('zones/none.zone', 'fragment')).toBeUndefined();
    expect(files.readOptional('zones/new/deeper/none.zone', 'fragment')).toBeUndefined();
    expect(files.checkPath('zones/new/none.zone')).toBe(join(files.root, 'zones', 'new', 'none.zone'));
  });

  it('a directory link inside the repo and a repo reached through a link: real paths under the real root', () => {
    const { repo } = sandbox();
    symlinkSync('zones', join(repo, 'alias'));
    const viaLink = join(repo, '..', 'repo-link');
    symlinkSync(repo, viaLink);
    const files = new RepoFiles(viaLink);
    expect(files.realRoot).toBe(realpathSync(repo));
    expect(files.locate('zones/a.zone')).toBe(join(files.realRoot, 'zones', 'a.zone'));
    expect(files.locate('alias/a.zone')).toBe(join(files.realRoot, 'zones', 'a.zone'));
    expect(files.read('alias/a.zone', 'zone')).toBe('; inside\n');
    expect(files.readOptional('alias/none.zone', 'zone')).toBeUndefined();
  });

  it('more directories than it keeps: still every link checked after the memory is emptied', () => {
    const { repo, outside } = sandbox();
    symlinkSync(outside, join(repo, 'zones', 'out'));
    const files = new RepoFiles(repo);
    expect(refusal(() => files.read('zones/out/secret.txt', 'zone'))).toBeInstanceOf(OutsideRepoError);
    for (let i = 0; i <= REAL_DIRS_KEPT; i++) {
      mkdirSync(join(repo, 'many', String(i)), { recursive: true });
      expect(files.readOptional(`many/${i}/none.zone`, 'zone')).toBeUndefined();
    }
    writeFileSync(join(repo, 'many', '0', 'a.zone'), '; zero\n');
    expect(files.read('many/0/a.zone', 'zone')).toBe('; zero\n');
    expect(refusal(() => files.read('zones/out/secret.txt', 'zone'))).toBeInstanceOf(OutsideRepoError);
    expect(refusal(() => files.readOptional('zones/out/none.zone', 'zone'))).toBeInstanceOf(OutsideRepoError);
    expect(files.read('zones/a.zone', 'zone')).toBe('; inside\n');
  });

  it('--allow-outside still reaches only its directory once the link\'s directory is remembered', () => {
    const { repo, outside } = sandbox();
    mkdirSync(join(outside, 'allowed'));
    writeFileSync(join(outside, 'allowed', 'ok.zone'), '; allowed\n');
    symlinkSync(outside, join(repo, 'zones', 'out'));
    const files = new RepoFiles(repo, { allowOutside: [join(outside, 'allowed')] });
    expect(files.read('zones/out/allowed/ok.zone', 'zone')).toBe('; allowed\n');
    expect(refusal(() => files.read('zones/out/secret.txt', 'zone'))).toBeInstanceOf(OutsideRepoError);
    expect(files.readOptional('zones/out/allowed/none.zone', 'zone')).toBeUndefined();
    expect(refusal(() => files.readOptional('zones/out/none.zone', 'zone'))).toBeInstanceOf(OutsideRepoError);
  });
});

describe('missing directories: walked top-down, never remembered as missing', () => {
  it('a generated file whose directories are not made yet is absent; once apply makes them, it is read', () => {
    const { repo } = sandbox();
    const files = new RepoFiles(repo);
    const policy = 'mta-sts/example.org/.well-known/mta-sts.txt';
    expect(files.readOptional(policy, 'generated')).toBeUndefined();
    expect(files.checkPath(policy)).toBe(join(files.root, policy));
    writeFileSync(files.prepareWrite(policy), 'version: STSv1\n');
    expect(files.readOptional(policy, 'generated')).toBe('version: STSv1\n');
    // Made by another writer (not through this RepoFiles): seen as well.
    expect(files.readOptional('mta-sts/example.net/.well-known/mta-sts.txt', 'generated')).toBeUndefined();
    mkdirSync(join(repo, 'mta-sts', 'example.net', '.well-known'), { recursive: true });
    writeFileSync(join(repo, 'mta-sts', 'example.net', '.well-known', 'mta-sts.txt'), 'version: STSv1\nmode: testing\n');
    expect(files.readOptional('mta-sts/example.net/.well-known/mta-sts.txt', 'generated')).toBe('version: STSv1\nmode: testing\n');
  });

  it('a missing directory that becomes a link leading out: refused from then on, at every depth', () => {
    const { repo, outside } = sandbox();
    const files = new RepoFiles(repo);
    for (const p of ['gen/a/none.txt', 'gen/a/deeper/none.txt']) {
      expect(files.readOptional(p, 'generated')).toBeUndefined();
      expect(files.checkPath(p)).toBe(join(files.root, p));
    }
    symlinkSync(outside, join(repo, 'gen'));
    for (const p of ['gen/a/none.txt', 'gen/a/deeper/none.txt', 'gen/secret.txt']) {
      expect(refusal(() => files.readOptional(p, 'generated'))).toBeInstanceOf(OutsideRepoError);
      expect(refusal(() => files.checkPath(p))).toBeInstanceOf(OutsideRepoError);
    }
  });

  it('a missing directory beneath a link that leads out, first asked before anything beside it: refused', () => {
    const { repo, outside } = sandbox();
    symlinkSync(outside, join(repo, 'out'));
    const files = new RepoFiles(repo);
    const error = refusal(() => files.readOptional('out/new/deeper/none.txt', 'generated'));
    expect(error).toBeInstanceOf(OutsideRepoError);
    expect(error.message).toBe(`out/new/deeper/none.txt: outside the zone repo (a symbolic link leads to ${realpathSync(outside)}); not read or written`);
  });

  it('a dangling link on the way: judged by the level above it, as a missing file is', () => {
    const { repo, outside } = sandbox();
    symlinkSync(join(outside, 'nowhere'), join(repo, 'zones', 'dangling'));
    symlinkSync('loop', join(repo, 'zones', 'loop'));
    const files = new RepoFiles(repo);
    expect(files.readOptional('zones/dangling/new/none.zone', 'zone')).toBeUndefined();
    expect(files.checkPath('zones/dangling/none.zone')).toBe(join(files.root, 'zones', 'dangling', 'none.zone'));
    expect(refusal(() => files.readOptional('zones/loop/none.zone', 'zone')).message).toBe('zones/loop/none.zone: too many levels of symbolic links');
    // A link through which nothing resolves still never lets a file be read: the link itself is checked.
    expect(refusal(() => files.read('zones/dangling', 'zone')).message).toMatch(/^zones\/dangling: /);
  });

  it('a file where a directory should be: one line, as before', () => {
    const { repo } = sandbox();
    const files = new RepoFiles(repo);
    for (const p of ['zones/a.zone/none.zone', 'zones/a.zone/deeper/none.zone']) {
      expect(refusal(() => files.readOptional(p, 'zone')).message).toBe(`${p}: a part of the path is not a directory`);
      expect(refusal(() => files.checkPath(p)).message).toBe(`${p}: a part of the path is not a directory`);
    }
  });
});

describe('reading an open file: one fstat, and still bounded', () => {
  const tooLarge = (size: string): Error => new Error(`too large: ${size}`);
  function withFile<T>(bytes: number, fn: (fd: number, file: string) => T): T {
    const { repo } = sandbox();
    const file = join(repo, 'f');
    writeFileSync(file, Buffer.alloc(bytes, 0x61));
    const fd = openSync(file, 'r');
    try {
      return fn(fd, file);
    } finally {
      closeSync(fd);
    }
  }

  it('reads a file whose size the caller gives', () => {
    expect(withFile(100, (fd) => readOpenFileCapped(fd, 1000, tooLarge, 100))).toHaveLength(100);
    expect(withFile(0, (fd) => readOpenFileCapped(fd, 1000, tooLarge, 0))).toHaveLength(0);
    expect(withFile(1000, (fd) => readOpenFileCapped(fd, 1000, tooLarge, 1000))).toHaveLength(1000);
  });

  it('a file that grew after its size was taken is read to its end, and refused once past the cap', () => {
    expect(withFile(10, (fd, file) => {
      appendFileSync(file, Buffer.alloc(90, 0x62));
      return readOpenFileCapped(fd, 1000, tooLarge, 10);
    }).toString('latin1')).toBe('a'.repeat(10) + 'b'.repeat(90));
    expect(() => withFile(10, (fd, file) => {
      appendFileSync(file, Buffer.alloc(1000, 0x62));
      return readOpenFileCapped(fd, 1000, tooLarge, 10);
    })).toThrow('too large: more than 1000 bytes');
    expect(() => withFile(1000, (fd, file) => {
      appendFileSync(file, 'b');
      return readOpenFileCapped(fd, 1000, tooLarge, 1000);
    })).toThrow('too large: more than 1000 bytes');
  });

  it('a file that says size 0 (/proc) is read to its end', () => {
    const fd = openSync('/proc/self/mountinfo', 'r');
    try {
      const text = readOpenFileCapped(fd, 16 * 1024 * 1024, tooLarge).toString('utf8');
      expect(text.length).toBeGreaterThan(0);
      expect(text.endsWith('\n')).toBe(true);
      expect(text.split('\n').length).toBe(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length);
    } finally {
      closeSync(fd);
    }
  });

  it('a file over the cap by the size given is refused before a byte is read', () => {
    expect(() => withFile(2000, (fd) => readOpenFileCapped(fd, 1000, tooLarge, 2000))).toThrow('too large: 2 KiB');
  });
});

describe('special files are refused without blocking', () => {
  it('a FIFO in the repo: refused at once, even with no writer', () => {
    const { repo } = sandbox();
    execFileSync('mkfifo', [join(repo, 'zones', 'fifo.zone')]);
    const files = new RepoFiles(repo);
    expect(refusal(() => files.read('zones/fifo.zone', 'zone')).message).toBe('zones/fifo.zone: is a FIFO, not a regular file');
  });

  it('/dev/zero, even when allowed: a character device, not read', () => {
    const { repo } = sandbox();
    symlinkSync('/dev/zero', join(repo, 'zones', 'zero.zone'));
    expect(refusal(() => new RepoFiles(repo).read('zones/zero.zone', 'zone'))).toBeInstanceOf(OutsideRepoError);
    const allowed = new RepoFiles(repo, { allowOutside: ['/dev'] });
    expect(refusal(() => allowed.read('zones/zero.zone', 'zone')).message).toBe('zones/zero.zone: is a character device, not a regular file');
  });

  it('a directory and a socket', async () => {
    const { repo } = sandbox();
    mkdirSync(join(repo, 'zones', 'dir.zone'));
    const files = new RepoFiles(repo);
    expect(refusal(() => files.read('zones/dir.zone', 'zone')).message).toBe('zones/dir.zone: is a directory, not a regular file');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(repo, 'zones', 'sock.zone'), resolve));
    try {
      expect(refusal(() => files.read('zones/sock.zone', 'zone')).message).toBe('zones/sock.zone: is a socket, not a regular file');
    } finally {
      server.close();
    }
  });

  it('a missing file: one line; readOptional says absent', () => {
    const { repo } = sandbox();
    const files = new RepoFiles(repo);
    expect(refusal(() => files.read('zones/none.zone', 'zone')).message).toBe('zones/none.zone: no such file or directory');
    expect(files.readOptional('zones/none.zone', 'zone')).toBeUndefined();
  });
});

describe('caps', () => {
  it('a file over its kind\'s cap is refused before it is read', () => {
    const { repo } = sandbox();
    writeFileSync(join(repo, 'big.pem'), Buffer.alloc(FILE_CAPS.key + 1, 0x41));
    writeFileSync(join(repo, 'fits.pem'), Buffer.alloc(FILE_CAPS.key, 0x41));
    const files = new RepoFiles(repo);
    expect(refusal(() => files.read('big.pem', 'key')).message).toBe('big.pem: 1 MiB, over the 1 MiB limit for a key file');
    expect(files.read('fits.pem', 'key')).toHaveLength(FILE_CAPS.key);
  });

  it('a budget shared by a zone and its includes stops at the zone total', () => {
    const { repo } = sandbox();
    writeFileSync(join(repo, 'part.zone'), Buffer.alloc(1000, 0x3b));
    const files = new RepoFiles(repo);
    const budget = { left: 1500 };
    files.read('part.zone', 'zone', budget);
    expect(budget.left).toBe(500);
    expect(refusal(() => files.read('part.zone', 'zone', budget)).message).toMatch(/exceed the 256 MiB limit/);
    expect(ZONE_TOTAL_CAP).toBe(256 * 1024 * 1024);
  });
});

describe('files shaped like secrets are never read as mailrec formats', () => {
  const shapes: Array<[string, string, string | undefined]> = [
    ['an OpenSSH key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n', 'a private key'],
    ['a PKCS#8 key', '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n', 'a private key'],
    ['a service-account JSON', '{"type": "service_account", "private_key": "x"}', 'a credentials file'],
    ['an AWS credentials file', '[default]\naws_access_key_id = A\naws_secret_access_key = B\n', 'a credentials file'],
    ['/etc/shadow', 'root:$6$abc$def:19000:0:99999:7:::\n', 'a password file'],
    ['/etc/shadow, locked', 'root:!:19000:0:99999:7:::\n', 'a password file'],
    ['/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n', 'a password file'],
    ['htpasswd', 'admin:$apr1$xyz$abc\n', 'a password file'],
    ['a dotenv file', '# deploy\nAPI_TOKEN=abc123\n', 'an environment file'],
    ['a shell env file', 'export DB_PASSWORD=hunter2\n', 'an environment file'],
    ['a policy', 'version: 1\nzones:\n  example.org: {}\n', undefined],
    ['a zone file', '$ORIGIN example.org.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 2 3 4 5\n', undefined],
    ['a fragment', '; Generated by mailrec for example.org.\n; mailrec-checksum: sha256:00\n', undefined],
    ['a public key', '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n', undefined],
  ];
  it.each(shapes)('%s', (_label, text, shape) => {
    expect(secretShape(text)).toBe(shape);
  });

  it('a policy that is an SSH key is refused with nothing of it shown; as a key file it is read', () => {
    const { repo } = sandbox();
    writeFileSync(join(repo, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETSECRET\n-----END OPENSSH PRIVATE KEY-----\n');
    const files = new RepoFiles(repo);
    const error = refusal(() => files.read('id', 'policy'));
    expect(error.message).toBe('id: looks like a private key, not a policy file; not read, and nothing of it is shown');
    expect(files.read('id', 'key')).toContain('SECRETSECRET');
  });
});

describe('writes', () => {
  it('go to the real file behind a link inside the repo, and create missing directories inside', () => {
    const { repo } = sandbox();
    symlinkSync('a.zone', join(repo, 'zones', 'link.zone'));
    const files = new RepoFiles(repo);
    expect(files.prepareWrite('zones/link.zone')).toBe(join(files.realRoot, 'zones', 'a.zone'));
    expect(files.prepareWrite('zones/new/deeper/x.zone')).toBe(join(files.realRoot, 'zones', 'new', 'deeper', 'x.zone'));
    expect(existsSync(join(repo, 'zones', 'new', 'deeper'))).toBe(true);
  });

  it('never through a directory link that leads out, nor onto a file link that does; nothing is created outside', () => {
    const { repo, outside } = sandbox();
    symlinkSync(outside, join(repo, 'zones', 'out'));
    symlinkSync(join(outside, 'secret.txt'), join(repo, 'zones', 'file-out.zone'));
    const files = new RepoFiles(repo);
    expect(refusal(() => files.prepareWrite('zones/out/x.zone'))).toBeInstanceOf(OutsideRepoError);
    expect(refusal(() => files.prepareWrite('zones/out/new/x.zone'))).toBeInstanceOf(OutsideRepoError);
    expect(refusal(() => files.prepareWrite('zones/file-out.zone'))).toBeInstanceOf(OutsideRepoError);
    expect(existsSync(join(outside, 'new'))).toBe(false);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('not for the repo\n');
  });

  it('refuse a directory or a FIFO where the file should be', () => {
    const { repo } = sandbox();
    mkdirSync(join(repo, 'zones', 'd.zone'));
    execFileSync('mkfifo', [join(repo, 'zones', 'f.zone')]);
    const files = new RepoFiles(repo);
    expect(refusal(() => files.prepareWrite('zones/d.zone')).message).toBe('zones/d.zone: is a directory, not a regular file');
    expect(refusal(() => files.prepareWrite('zones/f.zone')).message).toBe('zones/f.zone: is a FIFO, not a regular file');
  });
});
