// An Ed25519 key (RFC 8463) made by mailrec, signed with by a real rspamd: rspamd 3.4 reads
// Ed25519 only as the base64 32-byte seed, and signs nothing (saying so only in its log) when
// given a PKCS#8 PEM. The zone's authoritative server is found through its NS RRset; --force
// activates before the wait is over and says what that risks. The audit then sees a swapped
// private key (dkim.key-mismatch) and a signer config behind the policy (drift.signer).

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBind, type BindServer } from '../helpers/bind.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { verifyWithDkimpy, verifyWithMailauth } from '../helpers/dkim-verify.js';
import { startRspamd, type RspamdServer } from '../helpers/rspamd.js';

const T0 = Date.parse('2026-07-01T08:00:00Z');
const group = process.getuid?.() === 0 ? '_rspamd' : String(process.getgid?.() ?? 0);
const POLICY = `version: 1
dkim_keys: { group: ${group} }
signers:
  rspamd: { config: signers/dkim_signing.conf }
zones:
  example.org: {}
domains:
  lists.example.org:
    senders: [mx]
    mx: [{ host: lists.example.org, preference: 10 }]
`;

const MESSAGE = ['From: list@lists.example.org', 'To: member@example.net', 'Subject: digest', 'Date: Wed, 01 Jul 2026 09:00:00 +0000', 'Message-ID: <d1@lists.example.org>', '', 'Today: nothing.', ''].join('\r\n');

let work: string;
let repo: string;
let bind: BindServer;
let rspamd: RspamdServer;
let selector: string;

const cli = (args: string[], now: number): Promise<CliRun> => runCli(args, { cwd: repo, env: { MAILREC_NOW: new Date(now).toISOString() } });
const discover = (): string[] => ['--resolver', `127.0.0.1:${bind.port}`, '--authoritative-port', String(bind.port)];

async function auditCodes(now: number): Promise<string[]> {
  const run = await cli(['audit', 'lists.example.org', '--resolver', `127.0.0.1:${bind.port}`, '--no-probe', '--format', 'json'], now);
  const report = JSON.parse(run.stdout) as { domains: { findings: { code: string; message: string }[] }[] };
  return report.domains[0]!.findings.filter((f) => /^(dkim|drift)\./.test(f.code)).map((f) => `${f.code}: ${f.message}`);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mailrec-ed25519-'));
  repo = join(work, 'repo');
  mkdirSync(join(repo, 'policies'), { recursive: true });
  chmodSync(work, 0o755);
  chmodSync(repo, 0o755);
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(join(repo, '.gitignore'), '/keys/private/\n');
  writeFileSync(join(repo, 'policies/mail.yaml'), POLICY);
  writeFileSync(join(work, 'served.zone'), '');
  bind = await startBind({
    zones: [{ name: 'example.org', text: ['@ IN SOA ns1 hostmaster 1 3600 600 86400 60', '@ IN NS ns1', 'ns1 IN A 127.0.0.1', `$INCLUDE ${join(work, 'served.zone')}`].join('\n') }],
  });
  rspamd = await startRspamd({ dns: { port: bind.port } });
  symlinkSync(join(repo, 'signers/dkim_signing.conf'), rspamd.dkimSigningPath);
}, 120_000);

afterAll(async () => {
  await rspamd?.stop();
  await bind?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('an Ed25519 key made by keygen', () => {
  it('is written as the base64 32-byte seed, 0640 for the signer group', async () => {
    const run = await cli(['dkim', 'keygen', 'lists.example.org', '--type', 'ed25519'], T0);
    expect(run.code).toBe(0);
    selector = /selector (\S+)/.exec(run.stdout)![1]!;
    const file = join(repo, `keys/private/lists.example.org.${selector}.key`);
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(run.stdout).not.toContain(readFileSync(file, 'utf8').trim());
  });

  it('rotate finds the authoritative server through NS, and --force activates early with the risk said', async () => {
    expect((await cli(['apply'], T0)).code).toBe(0);
    copyFileSync(join(repo, 'zones/example.org.mail.zone'), join(work, 'served.zone'));
    await bind.reload();
    const seen = await cli(['dkim', 'rotate', 'lists.example.org', ...discover()], T0 + 60_000);
    expect(seen.stdout).toContain(`lists.example.org: ${selector} is served by all 1 authoritative servers: published_since is recorded`);
    expect(seen.stdout).toContain(`served by 127.0.0.1:${bind.port} (TTL 3600 s, negative TTL 60 s)`);
    const forced = await cli(['dkim', 'rotate', 'lists.example.org', '--force', ...discover()], T0 + 120_000);
    expect(forced.stdout).toContain(`lists.example.org: activate ${selector}: the signers start signing with it\n`);
    expect(forced.stdout).toContain(`  ! high: forced: ${selector} is activated before 1 h (the longest a resolver may cache an older answer) + 1 h margin have passed since every server served it`);
  });

  it('rspamd signs with it (ed25519-sha256) from the config apply wrote, and both verifiers accept', async () => {
    expect((await cli(['apply'], T0 + 120_000)).stdout).toContain('wrote signers/dkim_signing.conf\n');
    await rspamd.reload({ from: 'list@lists.example.org', selector });
    const signed = await rspamd.sign(MESSAGE);
    expect(signed.problems).toEqual([]);
    expect(signed.signatures.map((s) => `${s.domain} ${s.selector} ${s.algorithm}`)).toEqual([`lists.example.org ${selector} ed25519-sha256`]);
    const verdicts = await Promise.all([verifyWithDkimpy(signed.message, { port: bind.port }), verifyWithMailauth(signed.message, { port: bind.port })]);
    expect(verdicts.map((v) => `${v.verifier} ${v.algorithm} ${v.ok ? 'ok' : v.reason}`)).toEqual(['dkimpy ed25519-sha256 ok', 'mailauth ed25519-sha256 ok']);
    expect(await auditCodes(T0 + 120_000)).toEqual([]);
  });

  it('audit: a private key that is not the published one is dkim.key-mismatch; a signer behind the policy is drift.signer', async () => {
    const other = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32).toString('base64');
    const file = join(repo, `keys/private/lists.example.org.${selector}.key`);
    const kept = readFileSync(file, 'utf8');
    writeFileSync(file, `${other}\n`);
    expect(await auditCodes(T0 + 120_000)).toEqual([
      `dkim.key-mismatch: the private key keys/private/lists.example.org.${selector}.key does not match the key published at ${selector}._domainkey.lists.example.org`,
    ]);
    writeFileSync(file, kept);
    const policy = readFileSync(join(repo, 'policies/mail.yaml'), 'utf8');
    writeFileSync(join(repo, 'policies/mail.yaml'), policy.replace('state: active', 'state: published'));
    expect(await auditCodes(T0 + 120_000)).toEqual([
      `drift.signer: rspamd (signers/dkim_signing.conf) signs lists.example.org with ${selector}, which the policy has as published`,
    ]);
    writeFileSync(join(repo, 'policies/mail.yaml'), policy);
  });
});
