// A zone repo written by an attacker (a merge request CI runs plan on): links that leave the
// repo, files that hold secrets, special files, records that would break the zone. Every case
// ends in one line naming the file and the cause (or a note), nothing written outside the repo,
// no secret printed in any format, and every zone mailrec writes loads in named-checkzone.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkZone } from '../helpers/bind-tools.js';
import { copyExample, expectOneLineError, runCli, snapshotTree, type CliRun } from '../helpers/cli.js';

const SECRET = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW';
const SSH_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET}\nQyNTUxOQAAACASp6dqrocEMf2DRifmRvFZX0Ak00Z5kiR59z9+CBlHXwAAAJB1HbPJdR2z\n-----END OPENSSH PRIVATE KEY-----\n`;
const ENV_FILE = 'CI_DEPLOY_TOKEN=glpat-SECRETSECRETSECRET\nAWS_REGION=eu-west-1\n';
const SHADOW = 'root:$6$saltsalt$SECRETHASHSECRETHASH:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n';

/** A scratch directory beside the repo, standing for the CI runner's home. */
function outsideDir(): string {
  return mkdtempSync(join(tmpdir(), 'mailrec-outside-'));
}

function expectNoSecret(run: CliRun, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

function setPolicy(repo: string, edit: (text: string) => string): void {
  const file = join(repo, 'policies/mail.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

function loadsInBind(repo: string, zone: string): void {
  const result = checkZone(zone, join(repo, 'zones', `${zone}.zone`), { cwd: join(repo, 'zones'), flags: ['-k', 'fail'] });
  expect(result.ok, result.output).toBe(true);
}

describe('1. no write outside the repo through a link', () => {
  it('a fragment under a directory link that leads out: refused, nothing written there', async () => {
    const repo = copyExample();
    const outside = outsideDir();
    symlinkSync(outside, join(repo, 'zones', 'out'));
    setPolicy(repo, (t) => t.replace('fragment: zones/example.org.mail.zone', 'fragment: zones/out/example.org.mail.zone'));
    const run = await runCli(['apply'], { cwd: repo });
    expectOneLineError(run, /^error: zones\/out\/example\.org\.mail\.zone: outside the zone repo \(a symbolic link leads to .*\); not read or written$/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('mta-sts/ a link that leads out: the policy file is not written there', async () => {
    const repo = copyExample();
    const outside = outsideDir();
    rmSync(join(repo, 'mta-sts'), { recursive: true });
    symlinkSync(outside, join(repo, 'mta-sts'));
    const run = await runCli(['apply'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: mta-sts\/example\.org\/\.well-known\/mta-sts\.txt: outside the zone repo/m);
    expect(readdirSync(outside)).toEqual([]);
    // All or nothing: the fragment was not written either.
    expect(readFileSync(join(repo, 'zones/example.org.mail.zone'), 'utf8')).not.toContain('_smtp._tls');
  });

  it('a link inside the repo is followed: the file behind it is written, the link kept', async () => {
    const repo = copyExample();
    mkdirSync(join(repo, 'zones', 'real'));
    execFileSync('mv', [join(repo, 'zones/example.org.mail.zone'), join(repo, 'zones/real/example.org.mail.zone')]);
    symlinkSync('real/example.org.mail.zone', join(repo, 'zones/example.org.mail.zone'));
    const run = await runCli(['apply'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(readFileSync(join(repo, 'zones/real/example.org.mail.zone'), 'utf8')).toContain('_smtp._tls.example.org.');
    expect(execFileSync('readlink', [join(repo, 'zones/example.org.mail.zone')], { encoding: 'utf8' }).trim()).toBe('real/example.org.mail.zone');
    loadsInBind(repo, 'example.org');
  });
});

describe('2. no file content leaks into a message, in any format', () => {
  for (const format of ['text', 'json', 'markdown']) {
    it(`a policy linked to a private key outside the repo (${format})`, async () => {
      const repo = copyExample();
      const outside = outsideDir();
      writeFileSync(join(outside, 'id_ed25519'), SSH_KEY);
      rmSync(join(repo, 'policies/mail.yaml'));
      symlinkSync(join(outside, 'id_ed25519'), join(repo, 'policies/mail.yaml'));
      const run = await runCli(['plan', '--format', format], { cwd: repo });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^policies\/mail\.yaml:1:1: cannot read policies\/mail\.yaml: outside the zone repo/);
      expectNoSecret(run, SECRET, 'PRIVATE KEY');
    });
  }

  it('a policy linked to a private key inside the repo (a CI deploy key): refused unread', async () => {
    const repo = copyExample();
    writeFileSync(join(repo, 'deploy_key'), SSH_KEY);
    rmSync(join(repo, 'policies/mail.yaml'));
    symlinkSync('../deploy_key', join(repo, 'policies/mail.yaml'));
    const run = await runCli(['plan', '--format', 'markdown'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('policies/mail.yaml:1:1: cannot read policies/mail.yaml: looks like a private key, not a policy file; not read, and nothing of it is shown');
    expectNoSecret(run, SECRET, 'PRIVATE KEY');
  });

  it('--policy /etc/shadow-like file: named on the command line, read, but never quoted', async () => {
    const repo = copyExample();
    const shadow = join(outsideDir(), 'shadow');
    writeFileSync(shadow, SHADOW);
    const run = await runCli(['plan', '--policy', shadow], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('looks like a password file, not a policy file');
    expectNoSecret(run, 'SECRETHASH', 'daemon', 'root:');
  });

  it('$INCLUDE of an env file outside the repo: not read, unknown, a warning at its position', async () => {
    const repo = copyExample();
    const creds = join(outsideDir(), 'creds.env');
    writeFileSync(creds, ENV_FILE);
    writeFileSync(join(repo, 'zones/example.org.zone'), `${readFileSync(join(repo, 'zones/example.org.zone'), 'utf8')}$INCLUDE ${creds}\n`);
    for (const format of ['text', 'json', 'markdown']) {
      const run = await runCli(['plan', '--format', format], { cwd: repo });
      expect(run.code).toBe(0);
      expectNoSecret(run, 'SECRETSECRET', 'CI_DEPLOY_TOKEN');
      if (format === 'text') {
        expect(run.stdout).toMatch(/zones\/example\.org\.zone:\d+:10: warning zone\.include-not-read: \$INCLUDE \/.*creds\.env not read: outside the zone repo: what it holds is unknown to plan/);
      }
    }
  });

  it('$INCLUDE of an env file inside the repo: refused unread, nothing of it shown', async () => {
    const repo = copyExample();
    writeFileSync(join(repo, 'zones/.env'), ENV_FILE);
    writeFileSync(join(repo, 'zones/example.org.zone'), `${readFileSync(join(repo, 'zones/example.org.zone'), 'utf8')}$INCLUDE .env\n`);
    const run = await runCli(['plan', '--format', 'json'], { cwd: repo });
    expectOneLineError(run, /^error: zones\/example\.org\.zone:\d+:10: cannot read included file zones\/\.env: looks like an environment file, not a zone file; not read, and nothing of it is shown$/);
    expectNoSecret(run, 'SECRETSECRET', 'CI_DEPLOY_TOKEN');
  });

  it('audit --zones and import never print an outside include either', async () => {
    const repo = copyExample();
    const creds = join(outsideDir(), 'creds.env');
    writeFileSync(creds, ENV_FILE);
    writeFileSync(join(repo, 'zones/example.org.zone'), `${readFileSync(join(repo, 'zones/example.org.zone'), 'utf8')}$INCLUDE ${creds}\n`);
    const audit = await runCli(['audit', '--zones', 'zones', '--no-probe', '--format', 'json'], { cwd: repo });
    expectNoSecret(audit, 'SECRETSECRET', 'CI_DEPLOY_TOKEN');
    expect(audit.code).not.toBe(1);
    const imported = await runCli(['import', '--dry-run'], { cwd: repo });
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/\$INCLUDE \/.*creds\.env not read: outside the zone repo; what it holds was not imported/);
    expectNoSecret(imported, 'SECRETSECRET', 'CI_DEPLOY_TOKEN');
  });

  it('a quoted value is cut at 80 characters', async () => {
    const repo = copyExample();
    setPolicy(repo, (t) => t.replace('policy: none              #', `policy: ${'n'.repeat(300)} #`));
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.code).toBe(1);
    const quoted = /invalid policy '([^']*)'/.exec(run.stderr)?.[1];
    expect(quoted).toBeDefined();
    expect([...quoted!].length).toBe(80);
    expect(quoted!.endsWith('…')).toBe(true);
  });
});

describe('3 and 4. /dev/zero, FIFOs, directories: one line, at once', () => {
  it('$INCLUDE /dev/zero: not read (outside the repo), plan goes on', async () => {
    const repo = copyExample();
    writeFileSync(join(repo, 'zones/example.org.zone'), `${readFileSync(join(repo, 'zones/example.org.zone'), 'utf8')}$INCLUDE /dev/zero\n`);
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('warning zone.include-not-read: $INCLUDE /dev/zero not read: outside the zone repo');
  });

  it('a zone file linked to /dev/zero: outside; and with --allow-outside /dev, a character device', async () => {
    const repo = copyExample();
    rmSync(join(repo, 'zones/example.org.zone'));
    symlinkSync('/dev/zero', join(repo, 'zones/example.org.zone'));
    expectOneLineError(await runCli(['plan'], { cwd: repo }), /^error: zones\/example\.org\.zone: outside the zone repo \(a symbolic link leads to \/dev\/zero\)/);
    expectOneLineError(
      await runCli(['plan', '--allow-outside', '/dev'], { cwd: repo }),
      /^error: zones\/example\.org\.zone: is a character device, not a regular file$/,
    );
    expectOneLineError(
      await runCli(['import', '--dry-run', '--allow-outside', '/dev', '--zone-file', 'zones/example.org.zone', '--origin', 'example.org'], { cwd: repo }),
      /^error: cannot read zone file zones\/example\.org\.zone: is a character device, not a regular file$/,
    );
  });

  it('a fragment linked to /dev/zero, a FIFO fragment, a FIFO include, a FIFO policy', async () => {
    const repo = copyExample();
    rmSync(join(repo, 'zones/example.net.mail.zone'));
    symlinkSync('/dev/zero', join(repo, 'zones/example.net.mail.zone'));
    expectOneLineError(await runCli(['plan', '--allow-outside', '/dev'], { cwd: repo }), /^error: zones\/example\.net\.mail\.zone: is a character device, not a regular file$/);
    rmSync(join(repo, 'zones/example.net.mail.zone'));
    execFileSync('mkfifo', [join(repo, 'zones/example.net.mail.zone')]);
    expectOneLineError(await runCli(['apply'], { cwd: repo }), /^error: zones\/example\.net\.mail\.zone: is a FIFO, not a regular file$/);

    const second = copyExample();
    execFileSync('mkfifo', [join(second, 'zones/pipe.inc')]);
    writeFileSync(join(second, 'zones/example.org.zone'), `${readFileSync(join(second, 'zones/example.org.zone'), 'utf8')}$INCLUDE pipe.inc\n`);
    expectOneLineError(await runCli(['plan'], { cwd: second }), /^error: zones\/example\.org\.zone:\d+:10: cannot read included file zones\/pipe\.inc: is a FIFO, not a regular file$/);

    execFileSync('mkfifo', [join(second, 'policy.fifo')]);
    const fifoPolicy = await runCli(['plan', '--policy', 'policy.fifo'], { cwd: second });
    expect(fifoPolicy.code).toBe(1);
    expect(fifoPolicy.stderr).toContain('policy.fifo:1:1: cannot read policy.fifo: is a FIFO, not a regular file');
  });

  it('a FIFO given as a DMARC report is named and skipped', async () => {
    const repo = copyExample();
    execFileSync('mkfifo', [join(repo, 'report.xml')]);
    const run = await runCli(['dmarc', 'simulate', 'report.xml', '--record', 'v=DMARC1; p=reject', '--domain', 'example.org'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain('report.xml: is a FIFO, not a regular file; skipped');
  });
});

describe('9. file-system errors are one line naming the file and the cause', () => {
  it('a missing zone_file', async () => {
    const repo = copyExample();
    rmSync(join(repo, 'zones/example.org.zone'));
    expectOneLineError(await runCli(['plan'], { cwd: repo }), /^error: zones\/example\.org\.zone: no such file or directory$/);
  });

  it('a zone_file or a fragment that is a directory', async () => {
    const repo = copyExample();
    rmSync(join(repo, 'zones/example.org.zone'));
    mkdirSync(join(repo, 'zones/example.org.zone'));
    expectOneLineError(await runCli(['plan'], { cwd: repo }), /^error: zones\/example\.org\.zone: is a directory, not a regular file$/);
    const second = copyExample();
    rmSync(join(second, 'zones/example.org.mail.zone'));
    mkdirSync(join(second, 'zones/example.org.mail.zone'));
    expectOneLineError(await runCli(['apply'], { cwd: second }), /^error: zones\/example\.org\.mail\.zone: is a directory, not a regular file$/);
  });

  it('a --chdir that is not a directory', async () => {
    const repo = copyExample();
    expectOneLineError(await runCli(['plan', '--chdir', 'policies/mail.yaml'], { cwd: repo }), /^error: \/.*\/policies\/mail\.yaml: cannot use it as the zone repo: a part of the path is not a directory$/);
  });
});

describe('5, 6, 7, 13. records that would break the zone are refused at plan, at their place in the policy', () => {
  const withDomain = (body: string) => (t: string) => t.replace('  example.net:                  # a parked domain', `${body}\n  example.net:                  # a parked domain`);

  it('a 65,536-octet raw TXT, a long TLS-RPT URI, a long rua local part, a TXT over a UDP answer', async () => {
    const repo = copyExample();
    setPolicy(
      repo,
      withDomain(
        [
          '  big.example.org:',
          `    tls_rpt: { rua: ['https://reports.example.org/${'y'.repeat(70000)}'] }`,
          '    raw:',
          `      - { name: '_dmarc', type: TXT, value: 'v=DMARC1; p=none; x=${'z'.repeat(65536)}' }`,
          '  udp.example.org:',
          `    raw: [{ name: '@', type: TXT, value: 'v=spf1 ${'ip4:192.0.2.1 '.repeat(100)}-all' }]`,
        ].join('\n'),
      ),
    );
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: error zone\.record-too-long: TXT record at _smtp\._tls\.big\.example\.org would hold \d+ octets of data; a record holds at most 65535/m);
    expect(run.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: error zone\.record-too-long: TXT record at _dmarc\.big\.example\.org would hold/m);
    expect(run.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: error zone\.txt-too-large: the TXT records at udp\.example\.org make a \d+-octet answer, over the 1232 octets/m);
    expect(run.stderr.length).toBeLessThan(4000);

    const rua = copyExample();
    setPolicy(rua, (t) => t.replace('rua: [dmarc-reports@example.org]', `rua: [${'x'.repeat(65536)}@example.org]`));
    const ruaRun = await runCli(['plan'], { cwd: rua });
    expect(ruaRun.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: rua 'x{79}…' has a local part of more than 64 octets \(RFC 5321 §4\.5\.3\.1\.1\)$/m);
  });

  it('--allow-large-txt publishes a TXT over a UDP answer, and BIND loads the zone', async () => {
    const repo = copyExample();
    setPolicy(repo, withDomain(['  udp.example.org:', `    raw: [{ name: '@', type: TXT, value: 'v=spf1 ${'ip4:192.0.2.1 '.repeat(100)}-all' }]`].join('\n')));
    expect((await runCli(['apply'], { cwd: repo })).code).toBe(1);
    const run = await runCli(['apply', '--allow-large-txt'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('warning zone.txt-too-large');
    loadsInBind(repo, 'example.org');
  });

  it("raw: a ';' would start a comment and drop the rest: refused at the value", async () => {
    const repo = copyExample();
    setPolicy(repo, withDomain(['  r.example.org:', "    raw: [{ name: '@', type: MX, value: '10 mail.example.net;.evil' }]"].join('\n')));
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: MX value '10 mail\.example\.net;\.evil': ";" at column 20 starts a zone-file comment: everything after it would be dropped/m);
    const cname = copyExample();
    setPolicy(cname, withDomain(['  r.example.org:', "    raw: [{ name: 's1._domainkey', type: CNAME, value: 's1.dkim;.example.net.' }]"].join('\n')));
    expect((await runCli(['plan'], { cwd: cname })).stderr).toMatch(/CNAME value 's1\.dkim;\.example\.net\.': ";" at column 8 starts a zone-file comment/);
  });

  it('raw: a CNAME where the zone file has other data, and one at the apex: refused at plan', async () => {
    const repo = copyExample();
    // mta-sts.example.org has an A record in the zone file.
    setPolicy(repo, (t) => t.replace('    tls_rpt: { rua: [tlsrpt@example.org] }', "    tls_rpt: { rua: [tlsrpt@example.org] }\n    raw: [{ name: mta-sts, type: CNAME, value: 'sts.example.net.' }]"));
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error dns.cname-and-other-data: the policy puts a CNAME at mta-sts.example.org, where the zone file of example.org already has A: a name with a CNAME holds nothing else, and BIND refuses the zone');
    const apex = copyExample();
    setPolicy(apex, (t) => t.replace('    tls_rpt: { rua: [tlsrpt@example.org] }', "    tls_rpt: { rua: [tlsrpt@example.org] }\n    raw: [{ name: '@', type: CNAME, value: 'x.example.net.' }]"));
    const apexRun = await runCli(['plan'], { cwd: apex });
    expect(apexRun.code).toBe(1);
    expect(apexRun.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: error dns\.cname-and-other-data: a CNAME at the zone apex example\.org/m);
  });

  it('a derived name over 255 octets and an MX under _dmarc: refused with file:line:column', async () => {
    const repo = copyExample();
    const label = 'a'.repeat(63);
    setPolicy(repo, withDomain([`  ${label}.${label}.${label}.${'b'.repeat(49)}.example.org:`, '    dmarc: { policy: none }', '  m.example.org:', "    raw: [{ name: _dmarc, type: MX, value: '10 mx-01.example.org.' }]"].join('\n')));
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: error zone\.record-unwritable: TXT record at _dmarc\.[a.]+…: name "_dmarc\.[a.]+…" is 262 octets long; the limit is 255/m);
    expect(run.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: error zone\.record-unwritable: MX record at "_dmarc\.m\.example\.org": owner "_dmarc\.m\.example\.org" is not a host name/m);
    expect(run.stderr).not.toMatch(/^error: (MX|TXT) record/m);
  });

  it('a backslash in a raw: name: refused at the name', async () => {
    const repo = copyExample();
    setPolicy(repo, withDomain(['  b.example.org:', "    raw: [{ name: 'a\\b', type: TXT, value: 'v=spf1 -all' }]"].join('\n')));
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^policies\/mail\.yaml:\d+:\d+: name 'a\\b' contains '\\'/m);
  });

  it("version: '1' says it is text", async () => {
    const repo = copyExample();
    setPolicy(repo, (t) => t.replace('version: 1', "version: '1'"));
    const run = await runCli(['plan'], { cwd: repo });
    expect(run.stderr).toContain("policies/mail.yaml:10:10: version must be a number, not the text '1' (write version: 1, without quotes)");
  });
});

describe('an $INCLUDE that leaves the repo: what it holds is unknown', () => {
  it('audit --zones: every name of that zone is unknown, never missing', async () => {
    const repo = copyExample();
    // Move the fragment out of the repo and include it from there: its records are not read.
    const outside = outsideDir();
    execFileSync('mv', [join(repo, 'zones/example.org.mail.zone'), join(outside, 'example.org.mail.zone')]);
    const zoneFile = join(repo, 'zones/example.org.zone');
    writeFileSync(zoneFile, readFileSync(zoneFile, 'utf8').replace('$INCLUDE example.org.mail.zone', `$INCLUDE ${outside}/example.org.mail.zone`));
    const run = await runCli(['audit', '--zones', 'zones', '--no-probe', '--format', 'json', 'example.org'], { cwd: repo });
    const [org] = JSON.parse(run.stdout).domains as Array<{ findings: Array<{ code: string }>; unknownCategories: string[]; score: number | null }>;
    const codes = org!.findings.map((f) => f.code);
    for (const missing of ['spf.missing', 'dmarc.missing', 'drift.missing']) expect(codes).not.toContain(missing);
    expect(org!.unknownCategories).toEqual(expect.arrayContaining(['spf', 'dmarc', 'mx']));
    expect(org!.score).toBeNull();
    // With the directory allowed, the same audit reads it and finds the records.
    const allowed = await runCli(['audit', '--zones', 'zones', '--no-probe', '--format', 'json', '--allow-outside', outside, 'example.org'], { cwd: repo });
    const [read] = JSON.parse(allowed.stdout).domains as Array<{ unknownCategories: string[] }>;
    expect(read!.unknownCategories).not.toContain('spf');
  });

  it('plan --reports: a report linked out of the repo is not read', async () => {
    const repo = copyExample();
    const outside = outsideDir();
    writeFileSync(join(outside, 'r.xml'), '<feedback><secret>SECRETSECRET</secret></feedback>');
    mkdirSync(join(repo, 'reports'));
    symlinkSync(join(outside, 'r.xml'), join(repo, 'reports', 'r.xml'));
    setPolicy(repo, (t) => t.replace('policy: none              #', 'policy: quarantine        #'));
    const run = await runCli(['plan', '--reports', 'reports'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 report file could not be read');
    expectNoSecret(run, 'SECRETSECRET');
    const simulate = await runCli(['dmarc', 'simulate', 'reports', '--record', 'v=DMARC1; p=reject', '--domain', 'example.org'], { cwd: repo });
    expect(simulate.stderr).toContain('warning: reports/r.xml: outside the zone repo (a symbolic link leads out); not read');
    const allowed = await runCli(['dmarc', 'simulate', 'reports', '--record', 'v=DMARC1; p=reject', '--domain', 'example.org', '--allow-outside', outside], { cwd: repo });
    expect(allowed.stderr).not.toContain('outside the zone repo');
  });
});

describe('11. import: owner names a policy cannot hold', () => {
  it("'/' and escaped dots stay in the zone file, with a finding, and the plan check passes", async () => {
    const repo = copyExample();
    const zoneFile = join(repo, 'zones/example.net.zone');
    writeFileSync(zoneFile, `${readFileSync(zoneFile, 'utf8')}a/b IN TXT "v=spf1 -all"\nx\\.\\./y IN TXT "v=spf1 -all"\n`);
    const run = await runCli(['import', '--out', 'policies/imported.yaml', '--force'], { cwd: repo });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('warning import.unnameable  a/b.example.net: a/b.example.net TXT: a policy cannot name this owner');
    expect(run.stdout).toContain('warning import.unnameable  x\\.\\./y.example.net:');
    expect(run.stdout).toMatch(/mailrec plan -p policies\/imported\.yaml: no changes\./);
    // The records stay in the zone file, which still loads with the fragments import wrote.
    loadsInBind(repo, 'example.net');
    loadsInBind(repo, 'example.org');
  });
});

describe('10. init keeps staged files out of git', () => {
  it('writes a .gitignore entry, and adds to an existing .gitignore once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailrec-init-'));
    writeFileSync(join(dir, '.gitignore'), 'node_modules/');
    const run = await runCli(['init'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("updated .gitignore: git ignores keys/private/ and an interrupted apply's journal and staged files\n");
    const text = readFileSync(join(dir, '.gitignore'), 'utf8');
    expect(text).toMatch(/^node_modules\/\n# DKIM private keys .*\n\/keys\/private\/\n# mailrec: .*\n\.mailrec-apply\.journal\n\.\*\.mailrec-tmp\n$/);
    // A second init adds nothing twice.
    rmSync(join(dir, 'policies'), { recursive: true });
    for (const sub of ['zones', 'keys', 'certs']) rmSync(join(dir, sub), { recursive: true });
    expect((await runCli(['init'], { cwd: dir })).stdout).toContain(".gitignore already ignores keys/private/ and an interrupted apply's journal and staged files\n");
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe(text);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(join(dir, 'zones', '.example.org.mail.zone.0123456789ab.mailrec-tmp'), 'x');
    writeFileSync(join(dir, '.mailrec-apply.journal'), '{}');
    expect(execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: dir, encoding: 'utf8' })).toMatch(/!! \.mailrec-apply\.journal\n[\s\S]*!! zones\/\.example\.org\.mail\.zone\.0123456789ab\.mailrec-tmp/);
    rmSync(join(dir, '.mailrec-apply.journal'));
    const fresh = mkdtempSync(join(tmpdir(), 'mailrec-init-'));
    expect((await runCli(['init'], { cwd: fresh })).stdout).toContain("created .gitignore: git ignores keys/private/ and an interrupted apply's journal and staged files\n");
    expect(existsSync(join(fresh, '.gitignore'))).toBe(true);
  });
});

describe('the bundled example stays untouched by a refused apply', () => {
  it('nothing changes in the repo when apply is refused for a link that leads out', async () => {
    const repo = copyExample();
    const outside = outsideDir();
    symlinkSync(outside, join(repo, 'zones', 'out'));
    setPolicy(repo, (t) => t.replace('fragment: zones/example.net.mail.zone', 'fragment: zones/out/example.net.mail.zone'));
    const before = snapshotTree(repo, { followLinks: false });
    expect((await runCli(['apply', '--bump-serial'], { cwd: repo })).code).toBe(1);
    expect(snapshotTree(repo, { followLinks: false })).toEqual(before);
  });
});
