// mailrec dkim keygen / rotate on the command line, and the signer configs apply writes:
// the refusals that keep private keys out of git and away from other users, exact output,
// and that a hand-edited signer config is not overwritten.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, snapshotTree } from '../helpers/cli.js';

const NOW = { MAILREC_NOW: '2026-05-03T12:00:00Z' };

const POLICY = `version: 1
# keys for the test
signers:
  rspamd: { config: signers/dkim_signing.conf }
domains:
  example.org:
    senders: [mx]
    mx: [{ host: mx.example.org, preference: 10 }]
`;

/** A git repo with the policy, the private key directory ignored (as init leaves it). */
function repo(policy = POLICY, ignore = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-dkim-'));
  execFileSync('git', ['init', '-q', dir]);
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies/mail.yaml'), policy);
  if (ignore) writeFileSync(join(dir, '.gitignore'), '/keys/private/\n');
  return dir;
}

const files = (dir: string): Record<string, string> => {
  const out = snapshotTree(dir);
  for (const key of Object.keys(out)) if (key.startsWith('.git/')) delete out[key];
  return out;
};

describe('mailrec dkim keygen', () => {
  it('writes a 0600 private key into a 0700 directory, prints only paths, and can say it in JSON', async () => {
    const dir = repo();
    const run = await runCli(['dkim', 'keygen', 'example.org', '--type', 'ed25519', '--format', 'json'], { cwd: dir, env: NOW });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      domain: 'example.org',
      selector: '202605a',
      type: 'ed25519',
      privateKey: 'keys/private/example.org.202605a.key',
      publicKey: 'keys/example.org.202605a.pub',
      policyFile: 'policies/mail.yaml',
      mode: '0600',
    });
    const key = readFileSync(join(dir, 'keys/private/example.org.202605a.key'), 'utf8');
    expect(run.stdout).not.toContain(key.trim());
    expect(statSync(join(dir, 'keys/private/example.org.202605a.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys/private')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, 'keys/example.org.202605a.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    // No temp file is left beside the key.
    expect(readdirSync(join(dir, 'keys/private'))).toEqual(['example.org.202605a.key']);
    const second = await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
    expect(second.stdout.split('\n')[0]).toBe('example.org: new rsa2048 key, selector 202605b (state published)');
  });

  it('refuses a key directory git does not ignore, writing nothing', async () => {
    const dir = repo(POLICY, false);
    const before = files(dir);
    const run = await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: git does not ignore keys/private/example.org.202605a.key: a private key would be committed by git add -A; nothing was written\nhint: add "keys/private/" to .gitignore (mailrec init does)\n',
    );
    expect(files(dir)).toEqual(before);
  });

  it('refuses a path git tracks, even when .gitignore covers it', async () => {
    const dir = repo();
    mkdirSync(join(dir, 'keys/private'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'keys/private/example.org.202605a.key'), 'committed once\n');
    execFileSync('git', ['-C', dir, 'add', '-f', 'keys/private/example.org.202605a.key']);
    unlinkSync(join(dir, 'keys/private/example.org.202605a.key'));
    const run = await runCli(['dkim', 'keygen', 'example.org', '--selector', '202605a'], { cwd: dir, env: NOW });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: git tracks keys\/private\/example.org.202605a.key: a private key must never be committed; nothing was written\n/);
    expect(readdirSync(join(dir, 'keys/private'))).toEqual([]);
  });

  it('refuses a key directory others can read, and a group-writable one', async () => {
    for (const mode of [0o755, 0o770]) {
      const dir = repo();
      mkdirSync(join(dir, 'keys/private'), { recursive: true });
      chmodSync(join(dir, 'keys/private'), mode);
      const run = await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `error: the private key directory keys/private is 0${mode.toString(8)}: others could read or replace keys; nothing was written\nhint: chmod 0700 keys/private (0750 with dkim_keys.group)\n`,
      );
      expect(readdirSync(join(dir, 'keys/private'))).toEqual([]);
      expect(readFileSync(join(dir, 'policies/mail.yaml'), 'utf8')).toBe(POLICY);
    }
  });

  it('refuses an unknown domain, a domain with mail: none, a bad type and a used selector', async () => {
    const dir = repo(`${POLICY}  parked.example.org:\n    mail: none\nzones:\n  example.org: {}\n`);
    const cases: [string[], string][] = [
      [['dkim', 'keygen', 'example.net'], 'error: example.net is not a domain of the policy\nhint: declare it under domains: first\n'],
      [['dkim', 'keygen', 'parked.example.org'], 'error: parked.example.org has mail: none: it signs no mail\nhint: remove mail: none first\n'],
      [['dkim', 'keygen', 'example.org', '--type', 'dsa'], "error: --type: unknown key type 'dsa'\nhint: use one of ed25519, rsa2048, rsa3072\n"],
    ];
    for (const [args, stderr] of cases) expect((await runCli(args, { cwd: dir, env: NOW })).stderr).toBe(stderr);
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys/example.org.s1.pub'), 'left over\n');
    const used = await runCli(['dkim', 'keygen', 'example.org', '--selector', 'S1'], { cwd: dir, env: NOW });
    expect(used.stderr).toBe(
      'error: selector s1 was already used for example.org; a selector is never used twice\nhint: leave --selector out: mailrec picks the next unused one (<yyyy><mm><letter>)\n',
    );
  });
});

describe('signer configs written by apply', () => {
  it('are owned: a hand edit makes apply refuse without --force', async () => {
    const dir = repo();
    await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
    // Activate by hand (rotate would wait for DNS): the policy says which selector signs.
    const policy = readFileSync(join(dir, 'policies/mail.yaml'), 'utf8').replace('state: published', 'state: active');
    writeFileSync(join(dir, 'policies/mail.yaml'), policy);
    expect((await runCli(['apply'], { cwd: dir, env: NOW })).code).toBe(0);
    const conf = readFileSync(join(dir, 'signers/dkim_signing.conf'), 'utf8');
    expect(conf).toMatch(/^# Generated by mailrec from the policy: the active DKIM selector of each domain\. Do not edit/);
    expect(conf).toContain(`{ selector = "202605a"; path = "${join(dir, 'keys/private/example.org.202605a.key')}"; },`);
    writeFileSync(join(dir, 'signers/dkim_signing.conf'), conf.replace('use_esld = false;', 'use_esld = true;'));
    await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
    writeFileSync(join(dir, 'policies/mail.yaml'), readFileSync(join(dir, 'policies/mail.yaml'), 'utf8').replace(/state: active/, 'state: retired').replace(/state: published/, 'state: active'));
    const plan = await runCli(['plan'], { cwd: dir, env: NOW });
    expect(plan.stdout).toContain('file signers/dkim_signing.conf: update\n  ! edited by hand since mailrec wrote it: apply refuses without --force\n');
    const refused = await runCli(['apply'], { cwd: dir, env: NOW });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: signers/dkim_signing.conf was edited by hand since mailrec wrote it; nothing was written\n');
    expect(readFileSync(join(dir, 'signers/dkim_signing.conf'), 'utf8')).toContain('use_esld = true;');
    const forced = await runCli(['apply', '--force'], { cwd: dir, env: NOW });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'signers/dkim_signing.conf'), 'utf8')).toContain('selector = "202605b"');
  });

  it('plan warns when an active key has no private key in the repo', async () => {
    const dir = repo();
    await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
    writeFileSync(join(dir, 'policies/mail.yaml'), readFileSync(join(dir, 'policies/mail.yaml'), 'utf8').replace('state: published', 'state: active'));
    unlinkSync(join(dir, 'keys/private/example.org.202605a.key'));
    const plan = await runCli(['plan'], { cwd: dir, env: NOW });
    expect(plan.stdout).toContain(
      'warning dkim.signer-key-missing: the signers would sign example.org with 202605a, but its private key keys/private/example.org.202605a.key is not in the repo: the signer signs nothing for it (202605a._domainkey.example.org)',
    );
  });
});

describe('mailrec dkim rotate', () => {
  it('activates nothing while no authoritative server answers (unknown is never served), and says why', async () => {
    const dir = repo(`${POLICY}zones:\n  example.org:\n    nameservers: [127.0.0.1:1]\n`);
    await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
    const before = readFileSync(join(dir, 'policies/mail.yaml'), 'utf8');
    const run = await runCli(['dkim', 'rotate', 'example.org', '--timeout', '200', '--detailed-exitcode'], { cwd: dir, env: NOW });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^example\.org: nothing to do now\n {2}not served by 127\.0\.0\.1:1: no answer/);
    expect(readFileSync(join(dir, 'policies/mail.yaml'), 'utf8')).toBe(before);
  });

  it('refuses a domain with two active keys', async () => {
    const dir = repo();
    await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
    await runCli(['dkim', 'keygen', 'example.org'], { cwd: dir, env: NOW });
    writeFileSync(join(dir, 'policies/mail.yaml'), readFileSync(join(dir, 'policies/mail.yaml'), 'utf8').replaceAll('state: published', 'state: active'));
    const run = await runCli(['dkim', 'rotate', 'example.org'], { cwd: dir, env: NOW });
    expect(run.stderr).toBe('error: example.org: 2 keys are active (202605a, 202605b); rotate drives one active key per domain\nhint: edit the dkim: list of the policy by hand\n');
  });

  it('MAILREC_NOW must be a time', async () => {
    const run = await runCli(['dkim', 'rotate', 'example.org'], { cwd: repo(), env: { MAILREC_NOW: 'soon' } });
    expect(run.stderr).toBe("error: MAILREC_NOW 'soon' is not a time\nhint: unset it (it is for tests), or write e.g. 2026-05-03T12:00:00Z\n");
  });
});
