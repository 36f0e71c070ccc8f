// reports fetch from files: the Maildir a real MDA (Dovecot's dovecot-lda) delivers into, with
// seen and move done as Maildir renames that Dovecot then reads back; an mbox read on from where
// the last run stopped, and read again whole when rotated; a directory of report files and mail.

import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../../harness/dovecot.js';
import { copyExample, runCli } from '../helpers/cli.js';
import { mbox, zip } from './containers.js';
import { estateMail, lateReport, TLS_SPECS } from './estate-mail.js';
import { tlsJson } from './receiver-mail.js';

let dovecot: DovecotServer;

beforeAll(async () => {
  dovecot = await startDovecot();
});

afterAll(async () => {
  await dovecot?.stop();
});

function indexCount(repo: string): number {
  return readFileSync(join(repo, 'reports/index.jsonl'), 'utf8').split('\n').filter((l) => l !== '').length;
}

describe('reports fetch --maildir, on the Maildir dovecot-lda delivers into', () => {
  it('reads new messages once; after: seen renames them into cur/ with the S flag, and Dovecot shows \\Seen', async () => {
    const mail = estateMail();
    for (const m of mail.messages.slice(0, 4)) await dovecot.deliver(m, 'Lda');
    // Dovecot's Maildir++ folder "Lda" of the test user.
    const maildir = join(dovecot.dir, 'mail', dovecot.user, '.Lda');
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-maildir-'));
    const args = ['reports', 'fetch', '--maildir', maildir, '--after', 'seen'];
    const first = await runCli(args, { cwd: repo });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(': 4 new messages; 4 reports archived (4 DMARC, 0 TLS-RPT); 4 flagged as seen\n');
    expect(readdirSync(join(maildir, 'new'))).toEqual([]);
    expect(readdirSync(join(maildir, 'cur')).every((n) => /:2,S$/.test(n))).toBe(true);
    expect((await dovecot.messages('Lda')).map((m) => m.flags)).toEqual([['\\Seen'], ['\\Seen'], ['\\Seen'], ['\\Seen']]);

    await dovecot.deliver(lateReport().mail, 'Lda');
    const second = await runCli(args, { cwd: repo });
    expect(second.stdout).toContain(': 1 new message; 1 report archived (1 DMARC, 0 TLS-RPT); 1 flagged as seen\n');
    expect(indexCount(repo)).toBe(5);
  });

  it('after: move renames report messages into a Maildir++ folder Dovecot lists', async () => {
    const mail = estateMail();
    for (const m of [mail.messages[0]!, mail.messages[7]!, mail.messages[9]!]) await dovecot.deliver(m, 'LdaMove');
    const maildir = join(dovecot.dir, 'mail', dovecot.user, '.LdaMove');
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-maildir-'));
    const run = await runCli(['reports', 'fetch', '--maildir', maildir, '--after', 'move', '--move-to', 'LdaMove/Done'], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(': 3 new messages; 2 reports archived (1 DMARC, 1 TLS-RPT); 1 without a report; 2 moved to LdaMove/Done\n');
    expect(await dovecot.messages('LdaMove')).toHaveLength(1);
    // Dovecot names the nested folder with its "." separator: .LdaMove.Done inside this Maildir.
    expect(readdirSync(join(maildir, '.LdaMove.Done', 'cur'))).toHaveLength(2);
  });
});

describe('reports fetch --mbox and --dir', () => {
  it('an mbox is read on from where the last run stopped; a rotated one is read again whole, storing nothing twice', async () => {
    const mail = estateMail();
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-mbox-'));
    const file = join(repo, 'dmarc.mbox');
    writeFileSync(file, mbox(mail.messages.slice(0, 3)));
    const args = ['reports', 'fetch', '--mbox', 'dmarc.mbox'];
    expect((await runCli(args, { cwd: repo })).stdout).toContain(': 3 new messages; 3 reports archived');
    expect((await runCli(args, { cwd: repo })).stdout).toContain(': 0 new messages; 0 reports archived');
    appendFileSync(file, `\n${mbox(mail.messages.slice(3, 5))}`);
    expect((await runCli(args, { cwd: repo })).stdout).toContain(': 2 new messages; 2 reports archived');
    writeFileSync(file, mbox([...mail.messages.slice(7, 9), lateReport().mail]));
    const rotated = await runCli(args, { cwd: repo });
    expect(rotated.stdout).toContain(': 3 new messages; 3 reports archived (1 DMARC, 2 TLS-RPT)');
    expect(rotated.stdout).toContain('note: dmarc.mbox was rotated or rewritten since the last run: read from the start\n');
    writeFileSync(file, mbox(mail.messages.slice(0, 3)));
    expect((await runCli(args, { cwd: repo })).stdout).toContain(': 3 new messages; 0 reports archived (0 DMARC, 0 TLS-RPT); 3 already in the archive');
    expect(indexCount(repo)).toBe(8);
  });

  it('a directory of report files and messages: each read, a README passed over, a broken one named in one line', async () => {
    const repo = copyExample();
    const dir = join(repo, 'incoming');
    mkdirSync(join(dir, 'tls'), { recursive: true });
    const mail = estateMail();
    for (const [i, f] of mail.dmarcFiles.entries()) writeFileSync(join(dir, `${i}-${f.filename}`), f.data);
    writeFileSync(join(dir, 'tls', 'google.json'), tlsJson(TLS_SPECS[0]!));
    writeFileSync(join(dir, 'late.eml'), lateReport().mail);
    writeFileSync(join(dir, 'README'), 'reports land here\n');
    writeFileSync(join(dir, 'broken.zip'), zip([{ name: 'a.xml', data: 'x', declaredSize: 1 << 30 }]));
    const run = await runCli(['reports', 'fetch', '--dir', 'incoming'], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`: ${mail.dmarcFiles.length + 3} new messages; ${mail.dmarcReports + 2} reports archived (${mail.dmarcReports + 1} DMARC, 1 TLS-RPT); 1 skipped\n`);
    expect(run.stderr).toBe('warning: incoming/broken.zip: a.xml: the zip entry claims 1024 MiB, over 64 MiB; refused (zip bomb?)\n');
    const again = await runCli(['reports', 'fetch', '--dir', 'incoming'], { cwd: repo });
    expect(again.stdout).toContain(`0 reports archived (0 DMARC, 0 TLS-RPT); ${mail.dmarcReports + 2} already in the archive; 1 skipped`);
  });
});
