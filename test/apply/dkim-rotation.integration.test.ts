// A DKIM key from birth to removal, with real components: from an empty git zone repo,
// `mailrec init`, `dkim keygen`, `apply`, then `dkim rotate` + `apply` runs under a clock the
// test sets (MAILREC_NOW) take example.org through publish -> activate -> (second key)
// publish -> activate -> retire -> remove. Two BIND servers are the zone's authoritative
// servers; the second lags behind the first, and activation waits for it. rspamd loads the
// dkim_signing.conf apply wrote (through local.d) and signs; dkimpy and mailauth verify
// against the primary. OpenDKIM's opendkim-testkey reads the KeyTable apply wrote.

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, runTool } from '../../harness/processes.js';
import { startBind, type BindServer } from '../helpers/bind.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { verifyWithDkimpy, verifyWithMailauth, type DkimVerdict } from '../helpers/dkim-verify.js';
import { startRspamd, type RspamdServer } from '../helpers/rspamd.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-05-03T12:00:00Z');
const at = (ms: number): string => new Date(ms).toISOString();

/** The policy as its author wrote it, comments and alignment included. */
function policyText(ns1: number, ns2: number): string {
  return `# The mail of example.org, signed by rspamd.
# Keys rotate from CI: mailrec dkim rotate example.org && mailrec apply
version: 1

defaults:
  ttl: 300                 # short: the clock of this test moves in minutes

dkim_keys:
  group: ${process.getuid?.() === 0 ? '_rspamd' : String(process.getgid?.() ?? 0)}          # rspamd's workers read the keys
  margin: 10m              # on top of the TTL before activation
  grace: 7d
  remove_after: 14d

signers:
  rspamd:
    config: signers/rspamd/dkim_signing.conf     # local.d/dkim_signing.conf links here
  opendkim:
    key_table: signers/opendkim/KeyTable
    signing_table: signers/opendkim/SigningTable

zones:
  example.org:
    nameservers: [127.0.0.1:${ns1}, 127.0.0.1:${ns2}]   # the primary, and a secondary that lags

domains:
  example.org:
    senders: [mx]          # the MX sends for the domain
    mx:
      - { host: mx.example.org, preference: 10 }
`;
}

const ZONE_HEAD = ['@ IN SOA ns1 hostmaster 1 3600 600 86400 60', '@ IN NS ns1', 'ns1 IN A 127.0.0.1'];

const message = (id: string): string =>
  [
    'From: Someone <someone@example.org>',
    'To: friend@example.net',
    `Subject: rotation ${id}`,
    'Date: Mon, 04 May 2026 09:00:00 +0000',
    `Message-ID: <${id}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Signed during step ${id}.`,
    '',
  ].join('\r\n');

let work: string;
let repo: string;
let ns1: BindServer;
let ns2: BindServer;
let rspamd: RspamdServer;
const runs: CliRun[] = [];

async function cli(args: string[], now: number): Promise<CliRun> {
  const run = await runCli(args, { cwd: repo, env: { MAILREC_NOW: at(now) } });
  runs.push(run);
  return run;
}

/** "Deploy" the fragment to one name server: copy it where its zone $INCLUDEs it, reload. */
async function deploy(server: BindServer, name: 'ns1' | 'ns2'): Promise<void> {
  copyFileSync(join(repo, 'zones/example.org.mail.zone'), join(work, `${name}.mail.zone`));
  await server.reload();
}

async function txt(server: BindServer, name: string): Promise<string> {
  const out = await server.dig(['+short', '+norec', name, 'TXT']);
  return out.stdout.trim().replace(/" "/g, '').replace(/"/g, '');
}

/** Wait until the server answers as expected after a reload (named loads the zone just after it logs the reload). */
async function until(server: BindServer, name: string, test: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const text = await txt(server, name);
    if (test(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const dns = (): { port: number } => ({ port: ns1.port });
const brief = (v: DkimVerdict): string => `${v.verifier} ${v.selector} ${v.ok ? 'ok' : `fail: ${v.reason}`}`;

async function verdicts(signed: string): Promise<string[]> {
  return (await Promise.all([verifyWithDkimpy(signed, dns(), 0), verifyWithMailauth(signed, dns(), 0)])).map(brief);
}

function policy(): string {
  return readFileSync(join(repo, 'policies/mail.yaml'), 'utf8');
}

/** The selector under `dkim:` with the given state (the policy as rotate left it). */
function selectorIn(state: string): string[] {
  const out: string[] = [];
  for (const m of policy().matchAll(/- selector: (\S+)\n((?: {8}\S.*\n)*)/g)) if (new RegExp(`state: ${state}\\n`).test(m[2]!)) out.push(m[1]!);
  return out;
}

let original: string;
let first: string;
let second: string;
let signedFirst: string;
let signedSecond: string;
let activatedSecond: number;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mailrec-rotation-'));
  repo = join(work, 'repo');
  execFileSync('mkdir', [repo]);
  // rspamd's workers (user _rspamd) must reach the key directory through the repo.
  chmodSync(work, 0o755);
  chmodSync(repo, 0o755);
  for (const name of ['ns1', 'ns2']) writeFileSync(join(work, `${name}.mail.zone`), '');
  const zone = (name: string) => ({ name: 'example.org', text: [...ZONE_HEAD, `$INCLUDE ${join(work, `${name}.mail.zone`)}`].join('\n') });
  [ns1, ns2] = await Promise.all([startBind({ zones: [zone('ns1')] }), startBind({ zones: [zone('ns2')] })]);
  rspamd = await startRspamd({ dns: { port: ns1.port } });
}, 120_000);

afterAll(async () => {
  await rspamd?.stop();
  await Promise.all([ns1?.stop(), ns2?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a DKIM key from an empty git repo to removal', () => {
  it('init: the private key directory is 0700 and git ignores it', async () => {
    execFileSync('git', ['init', '-q', repo]);
    const init = await cli(['init'], T0);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('created keys/private/\n');
    expect(init.stdout).toContain('created .gitignore: git ignores keys/private/\n');
    expect(statSync(join(repo, 'keys/private')).mode & 0o777).toBe(0o700);
    // An empty estate of our own instead of the example.
    rmSync(join(repo, 'policies'), { recursive: true });
    rmSync(join(repo, 'zones'), { recursive: true });
    execFileSync('mkdir', ['-p', join(repo, 'policies'), join(repo, 'zones')]);
    original = policyText(ns1.port, ns2.port);
    writeFileSync(join(repo, 'policies/mail.yaml'), original);
    // rspamd reads its local.d/dkim_signing.conf from the repo, where apply writes it.
    symlinkSync(join(repo, 'signers/rspamd/dkim_signing.conf'), rspamd.dkimSigningPath);
  });

  it('keygen: a published key, private key 0640 for the signer group, never printed, git-ignored', async () => {
    const run = await cli(['dkim', 'keygen', 'example.org'], T0);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    first = /selector (\S+) \(state published\)/.exec(run.stdout)![1]!;
    expect(first).toBe('202605a');
    const keyFile = join(repo, `keys/private/example.org.${first}.key`);
    const key = readFileSync(keyFile, 'utf8');
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(run.stdout).not.toContain(key.split('\n')[1]!);
    const info = statSync(keyFile);
    expect(info.mode & 0o777).toBe(0o640);
    expect(info.mode & 0o007).toBe(0);
    expect(statSync(join(repo, 'keys/private')).mode & 0o007).toBe(0);
    expect(execFileSync('git', ['-C', repo, 'check-ignore', `keys/private/example.org.${first}.key`]).toString().trim()).toBe(`keys/private/example.org.${first}.key`);
    expect(execFileSync('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=all']).toString()).not.toContain('keys/private');
    // The policy keeps every byte of what its author wrote; the new entry is appended to the domain.
    expect(policy()).toBe(
      `${original}    dkim:\n      - selector: ${first}\n        key: keys/example.org.${first}.pub\n        state: published\n        created: 2026-05-03T12:00:00Z\n`,
    );
  });

  it('apply writes the fragment and the signer configs (no active key yet: nothing signs)', async () => {
    const run = await cli(['apply'], T0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('wrote signers/rspamd/dkim_signing.conf\n');
    await deploy(ns1, 'ns1');
    expect(await until(ns1, `${first}._domainkey.example.org`, (t) => t.startsWith('v=DKIM1'))).toMatch(/^v=DKIM1; k=rsa; p=MII/);
    await rspamd.reload();
    expect((await rspamd.sign(message('before'))).signatures).toEqual([]);
  });

  it('rotate waits while the second authoritative server does not serve the key, and records nothing', async () => {
    const before = policy();
    const run = await cli(['dkim', 'rotate', 'example.org'], T0 + 60_000);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('example.org: nothing to do now\n');
    expect(run.stdout).toContain(`served by 127.0.0.1:${ns1.port} (TTL 300 s, negative TTL 60 s)\n`);
    expect(run.stdout).toContain(`not served by 127.0.0.1:${ns2.port}: no record`);
    expect(policy()).toBe(before);
    // --force would activate now, and says what that risks; --dry-run writes nothing.
    const forced = await cli(['dkim', 'rotate', 'example.org', '--force', '--dry-run'], T0 + 60_000);
    expect(forced.stdout).toContain(`example.org: would activate ${first}`);
    expect(forced.stdout).toMatch(/! high: forced: 202605a is activated while some authoritative servers do not serve it/);
    expect(policy()).toBe(before);
  });

  it('once both serve it, rotate records published_since; activation waits TTL + margin', async () => {
    await deploy(ns2, 'ns2');
    await until(ns2, `${first}._domainkey.example.org`, (t) => t.startsWith('v=DKIM1'));
    const seen = await cli(['dkim', 'rotate', 'example.org', '--detailed-exitcode'], T0 + 120_000);
    expect(seen.code).toBe(2);
    expect(seen.stdout).toContain(`${first} is served by all 2 authoritative servers: published_since is recorded; it can be activated from 2026-05-03T12:17:00Z`);
    expect(policy()).toContain('        published_since: 2026-05-03T12:02:00Z\n');
    const early = await cli(['dkim', 'rotate', 'example.org', '--detailed-exitcode'], T0 + 16 * 60_000);
    expect(early.code).toBe(0);
    expect(early.stdout).toContain(`then: activate ${first} from 2026-05-03T12:17:00Z`);
    const plan = await cli(['plan'], T0 + 16 * 60_000);
    expect(plan.stdout).toContain(`DKIM rotation of example.org, next step: activate ${first}: possible from 2026-05-03T12:17:00Z`);
  });

  it('activation: apply puts the key in the signer configs; rspamd signs with it and both verifiers accept', async () => {
    const run = await cli(['dkim', 'rotate', 'example.org'], T0 + 17 * 60_000);
    expect(run.stdout).toContain(`example.org: activate ${first}: the signers start signing with it\n`);
    expect(selectorIn('active')).toEqual([first]);
    const apply = await cli(['apply'], T0 + 17 * 60_000);
    expect(apply.stdout).toContain('wrote signers/rspamd/dkim_signing.conf\n');
    const conf = readFileSync(join(repo, 'signers/rspamd/dkim_signing.conf'), 'utf8');
    expect(conf).toContain(`{ selector = "${first}"; path = "${join(repo, 'keys/private', `example.org.${first}.key`)}"; },`);
    await rspamd.reload({ from: 'someone@example.org', selector: first });
    const signed = await rspamd.sign(message('first'));
    expect(signed.problems).toEqual([]);
    expect(signed.signatures.map((s) => `${s.domain} ${s.selector} ${s.algorithm}`)).toEqual([`example.org ${first} rsa-sha256`]);
    signedFirst = signed.message;
    expect(await verdicts(signedFirst)).toEqual([`dkimpy ${first} ok`, `mailauth ${first} ok`]);
  });

  it("OpenDKIM's opendkim-testkey reads the KeyTable apply wrote and finds the key it names published", async () => {
    const dir = join(work, 'opendkim');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'unbound.conf'), `server:\n  do-not-query-localhost: no\nstub-zone:\n  name: "example.org"\n  stub-addr: 127.0.0.1@${ns1.port}\n`);
    writeFileSync(join(dir, 'opendkim.conf'), `KeyTable file:${join(repo, 'signers/opendkim/KeyTable')}\nResolverConfiguration ${join(dir, 'unbound.conf')}\n`);
    const testkey = findTool('opendkim-testkey', 'the OpenDKIM KeyTable test needs opendkim-testkey (apt-get install -y --no-install-recommends opendkim-tools)');
    const out = await runTool(testkey, ['-x', join(dir, 'opendkim.conf'), '-vvv']);
    const said = out.stderr + out.stdout;
    expect(said).toContain(`checking key '${first}._domainkey.example.org'`);
    expect(said).toContain(`key ${first}._domainkey.example.org: OK`);
    expect(said).toContain('1 key checked; 1 pass, 0 fail');
    // It warns of the group-readable key (0640 for the signer's group) and of the unsigned zone; neither fails.
    expect(said).toMatch(/WARNING: unsafe permissions/);
    expect(out.code).toBe(0);
  });

  it('a second key: published once the first is 150 days old, activated when every server serves it; both keys verify during the overlap', async () => {
    const t1 = T0 + 150 * DAY + 3600_000;
    const notYet = await cli(['dkim', 'rotate', 'example.org'], T0 + 149 * DAY);
    expect(notYet.stdout).toContain('then: publish the next key from 2026-09-30T12:00:00Z');
    const publish = await cli(['dkim', 'rotate', 'example.org'], t1);
    expect(publish.stdout).toContain('example.org: publish a new key (dkim keygen)');
    second = selectorIn('published')[0]!;
    expect(second).toBe('202609a');
    expect(publish.stdout).not.toContain(readFileSync(join(repo, `keys/private/example.org.${second}.key`), 'utf8').split('\n')[1]!);
    await cli(['apply'], t1);
    await deploy(ns1, 'ns1');
    await deploy(ns2, 'ns2');
    await until(ns2, `${second}._domainkey.example.org`, (t) => t.startsWith('v=DKIM1'));
    await cli(['dkim', 'rotate', 'example.org'], t1 + 60_000);
    activatedSecond = t1 + 16 * 60_000;
    const activate = await cli(['dkim', 'rotate', 'example.org'], activatedSecond);
    expect(activate.stdout).toContain(`example.org: activate ${second}: the signers switch to it; ${first} stays published for 7 days, then is retired\n`);
    expect(selectorIn('active')).toEqual([second]);
    expect(selectorIn('published')).toEqual([first]);
    // Until apply switches rspamd's config, the old key is not retired, however late it is.
    const beforeApply = await cli(['dkim', 'rotate', 'example.org'], activatedSecond + 8 * DAY);
    expect(beforeApply.stdout).toContain(`then: retire ${first} (publish p= empty): a signer config still signs with ${first}: run mailrec apply and reload the signer first\n`);
    expect(selectorIn('published')).toEqual([first]);
    await cli(['apply'], activatedSecond);
    await rspamd.reload({ from: 'someone@example.org', selector: second });
    const signed = await rspamd.sign(message('second'));
    expect(signed.signatures.map((s) => s.selector)).toEqual([second]);
    signedSecond = signed.message;
    expect(await verdicts(signedSecond)).toEqual([`dkimpy ${second} ok`, `mailauth ${second} ok`]);
    expect(await verdicts(signedFirst)).toEqual([`dkimpy ${first} ok`, `mailauth ${first} ok`]);
  });

  it('retirement after the grace period: the old record is p= empty and mail signed with it fails as "key revoked"', async () => {
    const early = await cli(['dkim', 'rotate', 'example.org'], activatedSecond + 6 * DAY);
    expect(early.stdout).toContain(`then: retire ${first} (publish p= empty) from ${new Date(activatedSecond + 7 * DAY).toISOString().replace('.000Z', 'Z')}`);
    const retire = await cli(['dkim', 'rotate', 'example.org'], activatedSecond + 7 * DAY);
    expect(retire.stdout).toContain(`example.org: retire ${first}: its record publishes an empty p= (revoked, RFC 6376 §3.6.1)\n`);
    const plan = await cli(['plan'], activatedSecond + 7 * DAY);
    expect(plan.stdout).toContain(`! high: retires DKIM selector ${first}`);
    await cli(['apply'], activatedSecond + 7 * DAY);
    await deploy(ns1, 'ns1');
    expect(await until(ns1, `${first}._domainkey.example.org`, (t) => t === 'v=DKIM1; p=')).toBe('v=DKIM1; p=');
    expect(await verdicts(signedFirst)).toEqual([`dkimpy ${first} fail: key revoked`, `mailauth ${first} fail: key revoked`]);
    const signed = await rspamd.sign(message('after-retire'));
    expect(await verdicts(signed.message)).toEqual([`dkimpy ${second} ok`, `mailauth ${second} ok`]);
  });

  it('removal: the record goes, the entry stays as removed, the key files go, and the selector is never reused', async () => {
    const when = activatedSecond + 21 * DAY;
    const remove = await cli(['dkim', 'rotate', 'example.org'], when);
    expect(remove.stdout).toContain(`example.org: remove ${first}: its record is deleted`);
    expect(remove.stdout).toContain(`removed keys/private/example.org.${first}.key\n`);
    expect(existsSync(join(repo, `keys/private/example.org.${first}.key`))).toBe(false);
    expect(existsSync(join(repo, `keys/example.org.${first}.pub`))).toBe(false);
    expect(selectorIn('removed')).toEqual([first]);
    await cli(['apply'], when);
    await deploy(ns1, 'ns1');
    expect(await until(ns1, `${first}._domainkey.example.org`, (t) => t === '')).toBe('');
    expect(await verdicts(signedFirst)).toEqual([`dkimpy ${first} fail: no key`, `mailauth ${first} fail: no key`]);
    expect(await verdicts((await rspamd.sign(message('after-remove'))).message)).toEqual([`dkimpy ${second} ok`, `mailauth ${second} ok`]);
    // May 2026 again (a clock set back): 202605a is taken for good, so the next key is 202605b.
    const again = await cli(['dkim', 'keygen', 'example.org', '--selector', first], when);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`selector ${first} was already used for example.org; a selector is never used twice`);
  });

  it('the policy kept every line its author wrote, in order', () => {
    const now = policy().split('\n');
    let i = 0;
    for (const line of original.split('\n')) {
      while (i < now.length && now[i] !== line) i++;
      expect(i, `line ${JSON.stringify(line)} is gone`).toBeLessThan(now.length);
      i++;
    }
    // No command printed a private key.
    for (const run of runs) expect(run.stdout + run.stderr).not.toMatch(/PRIVATE KEY/);
  });

  it('audit of the repo: no drift in the signer config, no key mismatch', async () => {
    const run = await cli(['audit', '--resolver', `127.0.0.1:${ns1.port}`, '--no-probe', '--format', 'json'], activatedSecond + 21 * DAY);
    const report = JSON.parse(run.stdout) as { domains: { findings: { code: string; message: string }[] }[] };
    const codes = report.domains.flatMap((d) => d.findings.map((f) => f.code));
    expect(report.domains.flatMap((d) => d.findings.filter((f) => /dkim|drift/.test(f.code)).map((f) => `${f.code}: ${f.message}`))).toEqual([]);
    expect(codes).not.toContain('drift.signer');
    expect(codes).not.toContain('dkim.key-mismatch');
    expect(codes).not.toContain('dkim.key-old');
  });
});
