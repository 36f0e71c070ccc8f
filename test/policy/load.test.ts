// The loader's IO shell: the good fixture into its expected Policy, directories, file
// references checked against the repo root (symbolic links too), secrets left unread.

import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { PolicyError, InputError, type PolicyIssue } from '../../src/base/errors.js';
import { loadPolicy } from '../../src/policy/load.js';
import { expectedGoodPolicy } from './good-policy.expected.js';

const FIXTURES = 'test/fixtures';
const pem = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');

async function issues(paths: string[], root: string): Promise<string[]> {
  try {
    await loadPolicy(paths, { root });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return error.issues.map((i: PolicyIssue) => `${i.position.file}:${i.position.line}:${i.position.column} ${i.message}`);
  }
  throw new Error('loaded without an issue');
}

describe('loadPolicy on the good fixture', () => {
  test('gives exactly the expected normalized Policy', async () => {
    const policy = await loadPolicy(['policy/good'], { root: FIXTURES });
    expect(policy).toStrictEqual(expectedGoodPolicy(pem));
  });

  test('reads a directory as its *.yaml and *.yml files sorted by name, other files ignored', async () => {
    const policy = await loadPolicy(['policy/good'], { root: FIXTURES });
    expect(policy.files).toEqual(['policy/good/10-example-org.yaml', 'policy/good/20-example-net.yml']);
  });

  test('files named one by one load in the order given, each once, to the same model', async () => {
    const policy = await loadPolicy(
      ['policy/good/20-example-net.yml', 'policy/good', resolve(FIXTURES, 'policy/good/20-example-net.yml')],
      { root: FIXTURES },
    );
    expect(policy.files).toEqual(['policy/good/20-example-net.yml', 'policy/good/10-example-org.yaml']);
    expect({ ...policy, files: [] }).toStrictEqual({ ...expectedGoodPolicy(pem), files: [] });
  });
});

describe('loadPolicy in a repo of its own', () => {
  let root: string;
  let outside: string;

  beforeEach(async () => {
    const base = await mkdtemp(join(tmpdir(), 'mailrec-load-'));
    root = join(base, 'repo');
    outside = join(base, 'outside');
    await mkdir(join(root, 'policies'), { recursive: true });
    await mkdir(join(root, 'keys'));
    await mkdir(outside);
    await writeFile(join(root, 'keys', 'k.pem'), pem('keys/TEST-ONLY-dkim-ed25519.public.pem'));
    await writeFile(join(outside, 'k.pem'), pem('keys/TEST-ONLY-dkim-ed25519.public.pem'));
  });

  afterEach(async () => {
    await rm(join(root, '..'), { recursive: true, force: true });
  });

  const policyWithKey = (key: string, extra = ''): string =>
    `version: 1\ndomains:\n  example.org:\n    dkim:\n      - { selector: s1, key: ${key} }\n${extra}`;

  test('a symbolic link inside the repo to a file inside it is followed', async () => {
    await symlink(join(root, 'keys', 'k.pem'), join(root, 'keys', 'current.pem'));
    await writeFile(join(root, 'policies', 'mail.yaml'), policyWithKey('keys/current.pem'));
    const policy = await loadPolicy(['policies'], { root });
    expect(policy.domains[0]?.dkim[0]?.keyPem).toBe(pem('keys/TEST-ONLY-dkim-ed25519.public.pem'));
  });

  test('a symbolic link out of the repo is refused like a path out of it', async () => {
    await symlink(join(outside, 'k.pem'), join(root, 'keys', 'escape.pem'));
    await writeFile(join(root, 'policies', 'mail.yaml'), policyWithKey('keys/escape.pem'));
    expect(await issues(['policies'], root)).toEqual(['policies/mail.yaml:5:30 keys/escape.pem is a link to a file outside the repo']);
  });

  test('a directory where a key file should be is refused at the key', async () => {
    await writeFile(join(root, 'policies', 'mail.yaml'), policyWithKey('keys/sub/x.pem'));
    await mkdir(join(root, 'keys', 'sub', 'x.pem'), { recursive: true });
    expect(await issues(['policies'], root)).toEqual(['policies/mail.yaml:5:30 keys/sub/x.pem is not a file']);
  });

  test('never writes: the repo is byte for byte the same after a load', async () => {
    await writeFile(join(root, 'policies', 'mail.yaml'), policyWithKey('keys/k.pem'));
    const before = await snapshot(root);
    await loadPolicy(['policies'], { root });
    await issues(['policies/missing.yaml'], root);
    expect(await snapshot(root)).toEqual(before);
  });

  test('secrets are references only: a secret file is never read, whether it exists or not', async () => {
    await writeFile(join(root, 'keys', 'tsig.secret'), 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n');
    for (const secretFile of ['keys/tsig.secret', 'keys/missing.secret']) {
      const target = `targets:\n  - { type: rfc2136, server: 192.0.2.53, key: { name: k, secret_file: ${secretFile} } }\n`;
      await writeFile(join(root, 'policies', 'mail.yaml'), policyWithKey('keys/k.pem', target));
      const policy = await loadPolicy(['policies'], { root });
      expect(policy.targets[0]?.key).toEqual({ name: 'k', algorithm: 'hmac-sha256', secretFile });
      expect(JSON.stringify(policy)).not.toContain('c2VjcmV0');
    }
  });

  test('a missing path, an empty directory and a non-YAML file each say so', async () => {
    await mkdir(join(root, 'empty'));
    await writeFile(join(root, 'policies', 'notes.txt'), 'version: 1\n');
    expect(await issues(['nowhere', 'empty', 'policies'], root)).toEqual([
      'empty:1:1 no policy files (*.yaml, *.yml) in empty',
      'nowhere:1:1 cannot read nowhere: no such file or directory',
      'policies:1:1 no policy files (*.yaml, *.yml) in policies',
    ]);
  });

  test('issues from validation and from key files come back together, sorted', async () => {
    await writeFile(join(root, 'policies', 'a.yaml'), policyWithKey('keys/missing.pem'));
    await writeFile(join(root, 'policies', 'b.yaml'), 'version: 1\ndomains:\n  example.net:\n    ttl: -1\n');
    expect(await issues(['policies'], root)).toEqual([
      'policies/a.yaml:5:30 cannot read keys/missing.pem: no such file or directory',
      'policies/b.yaml:4:10 ttl -1 is out of range 0..2147483647',
    ]);
  });

  test('usage errors: no paths, or a root that does not exist', async () => {
    await expect(loadPolicy([], { root })).rejects.toBeInstanceOf(InputError);
    await expect(loadPolicy(['policies'], { root: join(root, 'nope') })).rejects.toBeInstanceOf(InputError);
  });
});

/** Every file under dir with its size, mtime and content. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    out[path] = info.isFile() ? `${info.size} ${info.mtimeMs} ${await readFile(path, 'utf8')}` : 'dir';
  }
  return out;
}
