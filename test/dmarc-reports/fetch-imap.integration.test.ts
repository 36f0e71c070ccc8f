// `mailrec reports fetch` against a real Dovecot (the test harness: throwaway, loopback, per-run
// CA): report mail from several receivers in every container, TLS reports, a message that is no
// report and hostile ones; fetched, fetched again, a new message; then `dmarc simulate --since`
// against the same files given directly, and `tlsrpt summary` against a hand computation.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../../harness/dovecot.js';
import type { IndexEntry } from '../../src/dmarc-reports/archive-index.js';
import { copyExample, runCli } from '../helpers/cli.js';
import { estateMail, lateReport, TLS_SPECS } from './estate-mail.js';
import { dayStart, dmarcMail, tlsJson } from './receiver-mail.js';

let dovecot: DovecotServer;

beforeAll(async () => {
  dovecot = await startDovecot();
});

afterAll(async () => {
  await dovecot?.stop();
});

/** The fetch flags for a folder of the test Dovecot, over IMAPS, trusting its CA. */
function imapArgs(folder: string, more: string[] = []): string[] {
  return ['reports', 'fetch', '--imap', `127.0.0.1:${dovecot.imapsPort}`, '--user', dovecot.user, '--password-env', 'IMAP_PW', '--ca-file', dovecot.caPath, '--folder', folder, ...more];
}

function env(): NodeJS.ProcessEnv {
  return { IMAP_PW: dovecot.password };
}

type IndexLine = Pick<IndexEntry, 'kind' | 'sha256' | 'file' | 'receiver' | 'reportId' | 'domain' | 'begin' | 'end' | 'rows' | 'count'>;

function index(repo: string, archive = 'reports'): IndexLine[] {
  return readFileSync(join(repo, archive, 'index.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as IndexLine);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

describe('reports fetch from IMAP, then simulate and summarize from the archive', () => {
  const mail = estateMail();
  const late = lateReport();
  let repo: string;

  beforeAll(async () => {
    repo = copyExample();
    await dovecot.createFolder('Estate');
    await dovecot.appendMany('Estate', mail.messages);
  });

  it('archives every report once, by content, with its index line; the hostile messages are skipped with one line each', async () => {
    const first = await runCli(imapArgs('Estate'), { cwd: repo, env: env() });
    expect(first.code, first.stderr).toBe(0);
    const total = mail.messages.length;
    expect(first.stdout).toContain(
      `: ${total} new messages; ${mail.dmarcReports + mail.tlsReports} reports archived (${mail.dmarcReports} DMARC, ${mail.tlsReports} TLS-RPT); ${mail.notReports} without a report; ${mail.hostile} skipped\n`,
    );
    const warnings = first.stderr.split('\n').filter((l) => l !== '');
    expect(warnings).toHaveLength(mail.hostile);
    expect(warnings[0]).toMatch(/^warning: Estate UID 11: bomb\.example!example\.org!1!2\.xml\.gz: the compressed data decompresses more than 200 times its size; refused \(decompression bomb\?\)$/);
    expect(warnings[1]).toMatch(/^warning: Estate UID 12: MIME parts nested deeper than 8; message skipped$/);

    const lines = index(repo);
    expect(lines.map((l) => `${l.kind} ${l.receiver} ${l.reportId}`).sort()).toEqual(
      [
        'dmarc enterprise.protection.outlook.com a9b8c7d6e5f4',
        'dmarc enterprise.protection.outlook.com f1a2b3c4d5e6',
        'dmarc gateway.example gw-2',
        'dmarc google.com 11478125738291652231',
        'dmarc google.com 6291465118395847022',
        'dmarc mail.receiver.example r-1765-3',
        'dmarc yahoo.com 1796400000.y3',
        'dmarc yahoo.com 1796486400.y2',
        `tlsrpt google.com ${TLS_SPECS[0]!.id}`,
        `tlsrpt microsoft.com ${TLS_SPECS[1]!.id}`,
      ].sort(),
    );
    // Each report file holds the report as sent, gzipped, under the sha256 of that report.
    for (const line of lines) {
      const stored = gunzipSync(readFileSync(join(repo, 'reports', line.file)));
      expect(createHash('sha256').update(stored).digest('hex')).toBe(line.sha256);
      const month = new Date(line.begin * 1000).toISOString().slice(0, 7).replace('-', '/');
      expect(line.file).toBe(`${line.kind}/${month}/${line.sha256}.${line.kind === 'dmarc' ? 'xml' : 'json'}.gz`);
    }
    const tlsGoogle = lines.find((l) => l.kind === 'tlsrpt' && l.receiver === 'google.com')!;
    expect(gunzipSync(readFileSync(join(repo, 'reports', tlsGoogle.file))).toString('utf8')).toBe(tlsJson(TLS_SPECS[0]!));
    expect(tlsGoogle).toMatchObject({ domain: 'example.org', rows: 1, count: 1004, begin: dayStart(3), end: dayStart(3) + 86_399 });
    const google3 = lines.find((l) => l.reportId === '11478125738291652231')!;
    expect(google3).toMatchObject({ domain: 'example.org', rows: 3, count: 230 });
    // Read-only by default: nothing was flagged.
    expect((await dovecot.messages('Estate')).every((m) => !m.flags.includes('\\Seen'))).toBe(true);
    // The password is in no output and nowhere in the archive.
    expect(first.stdout + first.stderr).not.toContain(dovecot.password);
    for (const f of filesUnder(join(repo, 'reports'))) expect(readFileSync(join(repo, 'reports', f)).includes(dovecot.password)).toBe(false);
  });

  it('a second fetch finds nothing new and stores nothing', async () => {
    const before = readFileSync(join(repo, 'reports/index.jsonl'));
    const files = filesUnder(join(repo, 'reports'));
    const again = await runCli(imapArgs('Estate'), { cwd: repo, env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(': 0 new messages; 0 reports archived (0 DMARC, 0 TLS-RPT)\n');
    expect(again.stderr).toBe('');
    expect(readFileSync(join(repo, 'reports/index.jsonl')).equals(before)).toBe(true);
    expect(filesUnder(join(repo, 'reports'))).toEqual(files);
  });

  it('a new message: only it is read', async () => {
    await dovecot.append('Estate', late.mail);
    const third = await runCli(imapArgs('Estate'), { cwd: repo, env: env() });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain(': 1 new message; 1 report archived (1 DMARC, 0 TLS-RPT)\n');
    expect(index(repo)).toHaveLength(mail.dmarcReports + mail.tlsReports + 1);
  });

  it('dmarc simulate --since 30d over the archive gives the totals of dmarc simulate over the same files', async () => {
    const dir = join(repo, 'attachments');
    mkdirSync(dir);
    for (const [i, f] of [...mail.dmarcFiles, late.attachment].entries()) writeFileSync(join(dir, `${i}-${f.filename}`), f.data);
    const record = ['--record', 'v=DMARC1; p=reject', '--domain', 'example.org', '--format', 'json', '--top', '0'];
    const fromFiles = await runCli(['dmarc', 'simulate', 'attachments', ...record], { cwd: repo });
    const fromArchive = await runCli(['dmarc', 'simulate', '--since', '30d', ...record], { cwd: repo });
    expect(fromFiles.code, fromFiles.stderr).toBe(0);
    expect(fromArchive.code, fromArchive.stderr).toBe(0);
    const a = JSON.parse(fromFiles.stdout);
    const b = JSON.parse(fromArchive.stdout);
    expect(b.simulation).toEqual(a.simulation);
    expect(b.sources).toEqual(a.sources);
    for (const key of ['reports', 'messages', 'receivers', 'schemas', 'duplicates', 'begin', 'end', 'errors']) expect(b.input[key], key).toEqual(a.input[key]);
    // Not vacuous: the proposed p=reject loses the unaligned sources' mail.
    expect(a.input.reports).toBe(mail.dmarcReports + 1);
    // 12 + 3 unaligned messages per unit of scale; scales 2, 2, 1, 1, 1, 1, 1, 1 and the late report's 3.
    expect(a.simulation.proposed.rejected).toBe((12 + 3) * (2 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 3));
    expect(b.coverage.days).toBe(30);
    expect(b.coverage.daysWithReports).toBe(3);
    const google = b.coverage.receivers.find((r: { receiver: string }) => r.receiver === 'google.com');
    expect(google.missingDays).toBe(27);
  });

  it('dmarc simulate --between over the archive, in text: the coverage names the days and the receivers missing', async () => {
    const day = (n: number) => new Date(dayStart(n) * 1000).toISOString().slice(0, 10);
    const run = await runCli(['dmarc', 'simulate', '--between', day(3), day(1), '--record', 'v=DMARC1; p=quarantine', '--domain', 'example.org'], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Coverage:\n  ${day(3)} to ${day(1)}, ${day(3)} to ${day(1)}: 3 of 3 days have reports\n`);
    expect(run.stdout).toContain(`  enterprise.protection.outlook.com: no report on ${day(1)} (1 of 3 days)\n`);
    expect(run.stdout).toContain(`  mail.receiver.example: no report on ${day(2)}..${day(1)} (2 of 3 days)\n`);
    expect(run.stdout).toContain('  every day: google.com\n');
  });

  it('tlsrpt summary --since 30d: the totals of the hand computation', async () => {
    const run = await runCli(['tlsrpt', 'summary', '--since', '30d', '--format', 'json'], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view.summary.reports).toBe(2);
    expect(view.summary.receivers).toEqual(['google.com', 'microsoft.com']);
    // By hand from TLS_SPECS: sts example.org 1000 + 500 succeeded, 4 + 6 failed;
    // certificate-host-mismatch 6, certificate-expired 3, validation-failure 1, all at mx-01.
    expect(view.summary.policies).toEqual([
      {
        domain: 'example.org',
        type: 'sts',
        modes: ['testing'],
        reports: 2,
        receivers: ['google.com', 'microsoft.com'],
        successful: 1500,
        failed: 10,
        byResult: { 'certificate-host-mismatch': 6, 'certificate-expired': 3, 'validation-failure': 1 },
        byMx: [{ mx: 'mx-01.example.org', failed: 10, byResult: { 'certificate-host-mismatch': 6, 'certificate-expired': 3, 'validation-failure': 1 } }],
        unattributed: 0,
      },
      { domain: 'lists.example.org', type: 'no-policy-found', modes: [], reports: 1, receivers: ['microsoft.com'], successful: 40, failed: 0, byResult: {}, byMx: [], unattributed: 0 },
    ]);
    const text = await runCli(['tlsrpt', 'summary'], { cwd: repo });
    expect(text.stdout).toContain('example.org, MTA-STS (mode testing): 1,510 sessions, 10 failed (0.7%)\n  by result: certificate-host-mismatch 6, certificate-expired 3, validation-failure 1\n  mx-01.example.org: 10 failed');
  });

  it('plan --reports: MTA-STS to enforce carries the TLS failures, tightening DMARC the simulation, both with their coverage', async () => {
    const policy = join(repo, 'policies/mail.yaml');
    writeFileSync(
      policy,
      readFileSync(policy, 'utf8')
        .replace('mta_sts: { mode: testing, max_age: 86400 }', 'mta_sts: { mode: enforce, max_age: 86400 }')
        .replace('      policy: none              #', '      policy: quarantine        #')
        .replace('cert: certs/mx-01.example.org.pem }', 'cert: certs/mx-01.example.org.pem, matching_type: 2 }'),
    );
    const run = await runCli(['plan', '--reports', '--format', 'json'], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as { changes: { name: string; risks: { level: string; message: string }[] }[] };
    const sts = plan.changes.find((c) => c.name === '_mta-sts.example.org')!;
    expect(sts.risks.map((r) => r.message)).toContainEqual(
      expect.stringMatching(
        /^moves MTA-STS to enforce \(from (testing|no policy)\): TLS reports, the last 30 days \(2 reports from 2 receivers\): 0\.7% of 1,510 sessions to example\.org failed under its MTA-STS policy \(10; mx-01\.example\.org: certificate-host-mismatch 6, certificate-expired 3, validation-failure 1\); enforcing would have deferred them; reports cover 2 of 30 days/,
      ),
    );
    const tlsa = plan.changes.find((c) => c.name === '_25._tcp.mx-01.example.org')!;
    expect(tlsa.risks.map((r) => r.message)).toContainEqual(
      expect.stringMatching(
        /^TLS reports, the last 30 days \(2 reports from 2 receivers\): 0\.7% of 1,510 sessions to crm\.example\.org, example\.org failed at mx-01\.example\.org \(certificate-host-mismatch 6, certificate-expired 3, validation-failure 1\); DANE senders would defer mail to it for as long as the served certificate does not match; reports cover 2 of 30 days/,
      ),
    );
    const dmarc = plan.changes.find((c) => c.name === '_dmarc.example.org')!;
    expect(dmarc.risks.map((r) => r.message)).toContainEqual(expect.stringMatching(/^aggregate reports \(9 reports, .* messages from example\.org and its subdomains\): .*; reports cover 3 of 30 days .*\(a gap is not a success\)$/));
  });
});

describe('reports fetch: what happens to the messages, and the trust and password checks', () => {
  it('after: move moves each message whose reports are all archived, and leaves the rest for a person', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-move-'));
    const mail = estateMail();
    await dovecot.createFolder('Moving');
    await dovecot.appendMany('Moving', mail.messages);
    const run = await runCli(imapArgs('Moving', ['--after', 'move', '--move-to', 'Reports/Done']), { cwd: repo, env: env() });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const moved = mail.messages.length - mail.notReports - mail.hostile;
    expect(run.stdout).toContain(`; ${moved} moved to Reports/Done\n`);
    expect(await dovecot.messages('Moving')).toHaveLength(mail.notReports + mail.hostile);
    // Dovecot's Maildir++ hierarchy delimiter is ".": the levels of Reports/Done are joined with it.
    expect(await dovecot.messages('Reports.Done')).toHaveLength(moved);
    const again = await runCli(imapArgs('Moving', ['--after', 'move', '--move-to', 'Reports/Done']), { cwd: repo, env: env() });
    expect(again.stdout).toContain(': 0 new messages; 0 reports archived');
    expect(await dovecot.messages('Moving')).toHaveLength(mail.notReports + mail.hostile);
  });

  it('after: seen flags them, over STARTTLS on the IMAP port', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-seen-'));
    await dovecot.createFolder('Seen');
    const built = dmarcMail({ org: 'google.com', id: 's-1', begin: dayStart(4), end: dayStart(4) + 86_399, domain: 'example.org', rows: [{ ip: '192.0.2.25', count: 1, headerFrom: 'example.org' }] }, 'zip');
    await dovecot.appendMany('Seen', [built.mail, 'Subject: hello\r\n\r\nnot a report\r\n']);
    const args = imapArgs('Seen', ['--after', 'seen', '--tls', 'starttls']).map((a) => (a === `127.0.0.1:${dovecot.imapsPort}` ? `127.0.0.1:${dovecot.imapPort}` : a));
    const run = await runCli(args, { cwd: repo, env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('2 new messages; 1 report archived (1 DMARC, 0 TLS-RPT); 1 without a report; 1 flagged as seen\n');
    expect(await dovecot.messages('Seen')).toEqual([
      { uid: 1, flags: ['\\Seen'] },
      { uid: 2, flags: [] },
    ]);
  });

  it('a UIDVALIDITY change: every message read again, nothing stored twice', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-uidv-'));
    await dovecot.createFolder('Renumbered');
    const mail = estateMail();
    await dovecot.appendMany('Renumbered', mail.messages.slice(0, 5));
    expect((await runCli(imapArgs('Renumbered'), { cwd: repo, env: env() })).code).toBe(0);
    const before = readFileSync(join(repo, 'reports/index.jsonl'));
    const validity = await dovecot.changeUidValidity('Renumbered');
    const run = await runCli(imapArgs('Renumbered'), { cwd: repo, env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`note: UIDVALIDITY of Renumbered changed from `);
    expect(run.stdout).toContain(` to ${validity}: every message is read again; reports already archived are not stored twice\n`);
    expect(run.stdout).toContain(': 5 new messages; 0 reports archived (0 DMARC, 0 TLS-RPT); 5 already in the archive\n');
    expect(readFileSync(join(repo, 'reports/index.jsonl')).equals(before)).toBe(true);
    const state = JSON.parse(readFileSync(join(repo, 'reports/state.json'), 'utf8'));
    expect(Object.values(state.sources)).toEqual([{ uidValidity: String(validity), lastUid: 5 }]);
  });

  it('an untrusted certificate is refused, and accepted once its CA is given', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-tls-'));
    await dovecot.createFolder('Trust');
    const args = imapArgs('Trust').filter((a, i, all) => a !== '--ca-file' && all[i - 1] !== '--ca-file');
    const refused = await runCli(args, { cwd: repo, env: env() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: imap://test%40example.org@127.0.0.1:${dovecot.imapsPort}/Trust: the server's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN)\nhint: if a private CA issued it, give that CA with ca_file: in the mailbox (or --ca-file)\n`,
    );
    const trusted = await runCli(imapArgs('Trust'), { cwd: repo, env: env() });
    expect(trusted.code, trusted.stderr).toBe(0);
  });

  it('a wrong password: one line, exit 1, the password in no output and not in the Dovecot log', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-pw-'));
    const wrong = 'Wr0ng-Pa55-7d1e9c';
    writeFileSync(join(repo, 'imap.password'), `${wrong}\n`);
    const args = imapArgs('INBOX').map((a) => (a === '--password-env' ? '--password-file' : a === 'IMAP_PW' ? 'imap.password' : a));
    const run = await runCli(args, { cwd: repo, env: {} });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: imap://test%40example.org@127.0.0.1:${dovecot.imapsPort}/INBOX: the server refused the user name or password (AUTHENTICATIONFAILED)\nhint: check user: and the password file or variable (the password is never printed)\n`,
    );
    await dovecot.waitForLog(/auth failed/);
    expect(dovecot.logs()).not.toContain(wrong);
    expect(dovecot.logs()).not.toContain(dovecot.password);
  });

  it('the policy\'s reports: section names the mailbox; a password variable that is not set is said, not guessed', async () => {
    const repo = copyExample();
    writeFileSync(join(repo, 'certs/imap-ca.pem'), dovecot.caPem);
    writeFileSync(
      join(repo, 'policies/reports.yaml'),
      ['version: 1', 'reports:', '  archive: archive/reports', '  mailbox:', '    type: imap', `    server: 127.0.0.1:${dovecot.imapsPort}`, `    user: ${dovecot.user}`, '    password_env: MAILREC_IMAP_PASSWORD', '    folder: Policy', '    ca_file: certs/imap-ca.pem', ''].join('\n'),
    );
    await dovecot.createFolder('Policy');
    await dovecot.append('Policy', lateReport().mail);
    const unset = await runCli(['reports', 'fetch'], { cwd: repo, env: {} });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toBe('error: the password variable MAILREC_IMAP_PASSWORD is not set\nhint: export it before running mailrec (in CI: a masked secret variable)\n');
    const run = await runCli(['reports', 'fetch', '--format', 'json'], { cwd: repo, env: { MAILREC_IMAP_PASSWORD: dovecot.password } });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.archive).toEqual({ dir: 'archive/reports', reports: 1, tornBytes: 0, unreadable: 0 });
    expect(summary.sources[0].dmarc).toEqual({ stored: 1, duplicates: 0 });
  });

  // Last: the temporary failure makes Dovecot slow every later login from here for a while.
  it('a temporary authentication failure is told apart from a wrong password: exit 75', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-temp-'));
    await dovecot.failAuthTemporarily();
    const run = await runCli(imapArgs('INBOX'), { cwd: repo, env: env() });
    expect(run.code).toBe(75);
    expect(run.stderr).toBe(
      `error: imap://test%40example.org@127.0.0.1:${dovecot.imapsPort}/INBOX: the server failed temporarily while connecting and logging in (UNAVAILABLE)\nhint: the user name and password were not refused; try again later\n`,
    );
  });
});
