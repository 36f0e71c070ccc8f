// `mailrec reports fetch --after move` killed with SIGKILL at each step of its loop (the test
// seam MAILREC_TEST_KILL_AT, in a child process), then run again: every report archived exactly
// once, every report message moved exactly once, none lost. Also an index whose last line a
// crash cut in half: the next run cuts it off and goes on.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../../harness/dovecot.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { estateMail, lateReport } from './estate-mail.js';

const MAILREC = join(REPO_ROOT, 'bin', 'mailrec');
let dovecot: DovecotServer;
const mail = estateMail();
/** The messages that hold reports (all but the non-report and the two hostile ones). */
const REPORT_MESSAGES = mail.messages.length - mail.notReports - mail.hostile;

beforeAll(async () => {
  dovecot = await startDovecot();
});

afterAll(async () => {
  await dovecot?.stop();
});

function args(folder: string): string[] {
  return ['reports', 'fetch', '--imap', `127.0.0.1:${dovecot.imapsPort}`, '--user', dovecot.user, '--password-env', 'IMAP_PW', '--ca-file', dovecot.caPath, '--folder', folder, '--after', 'move', '--move-to', `${folder}-done`];
}

function indexLines(repo: string): { sha256: string; receiver: string; reportId: string; file: string }[] {
  const path = join(repo, 'reports/index.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

/**
 * The steps of the fetch loop (dmarc-reports/fetch.ts FetchStep): report files written (3 is a
 * one-report gzip mail, 7 the zip with two reports: killed between them), a message read, and
 * the batch's commit (all 12 messages are one batch): index lines written, synced with the
 * watermark saved, messages moved.
 */
const STEPS = ['file:3', 'file:7', 'message:9', 'indexed:12', 'committed:12', 'acted:12'];

describe('reports fetch killed with SIGKILL at each step, then run again', () => {
  it.each(STEPS)('killed at %s: nothing lost, nothing twice', async (step) => {
    expect(existsSync(join(REPO_ROOT, 'dist/src/cli/main.js')), 'bin/mailrec runs dist/: npm test builds it first').toBe(true);
    const folder = `Crash-${step.replace(':', '-')}`;
    await dovecot.createFolder(folder);
    await dovecot.appendMany(folder, mail.messages);
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-crash-'));
    const child = spawnSync(process.execPath, [MAILREC, ...args(folder)], {
      cwd: repo,
      env: { PATH: process.env.PATH, NO_COLOR: '1', IMAP_PW: dovecot.password, MAILREC_TEST_KILL_AT: step },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal, `not killed at ${step}: exit ${child.status}\n${child.stderr}`).toBe('SIGKILL');

    const again = await runCli(args(folder), { cwd: repo, env: { IMAP_PW: dovecot.password } });
    expect(again.code, again.stderr).toBe(0);
    // Once more with a new message: only it is read, and the archive still holds each report once.
    await dovecot.append(folder, lateReport().mail);
    const third = await runCli(args(folder), { cwd: repo, env: { IMAP_PW: dovecot.password } });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain(': 1 new message; 1 report archived (1 DMARC, 0 TLS-RPT); 1 moved to');

    const lines = indexLines(repo);
    expect(new Set(lines.map((l) => l.sha256)).size).toBe(lines.length);
    expect(lines).toHaveLength(mail.dmarcReports + mail.tlsReports + 1);
    for (const l of lines) expect(existsSync(join(repo, 'reports', l.file)), l.file).toBe(true);
    // Every report message moved once; the others stay for a person to look at.
    expect(await dovecot.messages(folder)).toHaveLength(mail.notReports + mail.hostile);
    expect(await dovecot.messages(`${folder}-done`)).toHaveLength(REPORT_MESSAGES + 1);
    expect(existsSync(join(repo, 'reports/.lock'))).toBe(false);
  });

  it('an index line cut in half by a crash is cut off; the report it was for is stored again', async () => {
    const folder = 'Torn';
    await dovecot.createFolder(folder);
    await dovecot.appendMany(folder, mail.messages.slice(0, 3));
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-torn-'));
    const leave = args(folder).slice(0, -4);
    expect((await runCli(leave, { cwd: repo, env: { IMAP_PW: dovecot.password } })).code).toBe(0);
    const whole = readFileSync(join(repo, 'reports/index.jsonl'), 'utf8');
    const last = whole.trimEnd().split('\n').at(-1)!;
    // What a crash in the middle of writing the line for another report leaves: half a line, no newline.
    appendFileSync(join(repo, 'reports/index.jsonl'), last.slice(0, 70));
    await dovecot.append(folder, lateReport().mail);
    const run = await runCli(leave, { cwd: repo, env: { IMAP_PW: dovecot.password } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('; an unfinished index line (70 bytes) of an interrupted run was cut off');
    const after = readFileSync(join(repo, 'reports/index.jsonl'), 'utf8');
    expect(after.startsWith(whole)).toBe(true);
    expect(after.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))).toHaveLength(4);
  });
});
