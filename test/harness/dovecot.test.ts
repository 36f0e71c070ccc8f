// The Dovecot harness against the real Dovecot: APPEND and fetch back with imapflow, local delivery, folders, a UIDVALIDITY change, TLS trust, a wrong password, a clean stop.

import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer } from '../../harness/dovecot.js';
import { liveGroupMembers } from '../../harness/processes.js';

const REPORT_XML = '<?xml version="1.0"?>\n<feedback><report_metadata><org_name>receiver.example</org_name></report_metadata></feedback>\n';

/** An aggregate report as receivers mail it: multipart/mixed, a text part, the gzip attachment in base64. */
function reportMessage(subject: string): string {
  const gz = gzipSync(REPORT_XML).toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    'From: noreply-dmarc-support@receiver.example',
    'To: test@example.org',
    `Subject: ${subject}`,
    'Date: Mon, 02 Nov 2026 00:00:00 +0000',
    'Message-ID: <r1@receiver.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is an aggregate report from receiver.example.',
    '--b1',
    'Content-Type: application/gzip; name="receiver.example!example.org!1793577600!1793664000.xml.gz"',
    'Content-Disposition: attachment; filename="receiver.example!example.org!1793577600!1793664000.xml.gz"',
    'Content-Transfer-Encoding: base64',
    '',
    gz,
    '--b1--',
    '',
  ].join('\r\n');
}

let dovecot: DovecotServer;

beforeAll(async () => {
  dovecot = await startDovecot();
});

afterAll(async () => {
  await dovecot?.stop();
});

describe('Dovecot harness', () => {
  it('APPENDs a multipart report with a gzip attachment that imapflow fetches back byte for byte', async () => {
    const appended = await dovecot.append('INBOX', reportMessage('Report domain: example.org'), ['\\Seen']);
    expect(appended.uid).toBe(1);
    expect(appended.uidValidity).toBeGreaterThan(0n);

    const client = await dovecot.connect();
    try {
      const mailbox = await client.mailboxOpen('INBOX');
      expect(BigInt(mailbox.uidValidity)).toBe(appended.uidValidity);
      const fetched = await client.fetchOne(String(appended.uid), { envelope: true, bodyStructure: true }, { uid: true });
      if (!fetched) throw new Error('FETCH returned nothing');
      expect(fetched.envelope?.subject).toBe('Report domain: example.org');
      expect((fetched.bodyStructure?.childNodes ?? []).map((p) => `${p.type} ${p.part}`)).toEqual(['text/plain 1', 'application/gzip 2']);
      const { content } = await client.download(String(appended.uid), '2', { uid: true });
      const chunks: Buffer[] = [];
      for await (const chunk of content ?? []) chunks.push(chunk as Buffer);
      expect(gunzipSync(Buffer.concat(chunks)).toString('utf8')).toBe(REPORT_XML);
    } finally {
      await client.logout();
    }
    expect(await dovecot.messages('INBOX')).toEqual([{ uid: 1, flags: ['\\Seen'] }]);
  });

  it('delivers with dovecot-lda and straight into the Maildir, and creates folders that IMAP LIST shows', async () => {
    await dovecot.deliver(reportMessage('Report domain: example.org (lda)'));
    expect((await dovecot.messages('INBOX')).map((m) => m.uid)).toEqual([1, 2]);
    await dovecot.createFolder('Processed');
    await dovecot.deliver(reportMessage('into a folder'), 'Processed');
    expect(await dovecot.messages('Processed')).toEqual([{ uid: 1, flags: [] }]);
    // dovecot-lda creates a folder it is told to deliver into.
    await dovecot.deliver(reportMessage('quarantined'), 'Quarantine');
    await dovecot.deliverToMaildir([reportMessage('bulk 1'), reportMessage('bulk 2')], 'Quarantine');
    expect((await dovecot.messages('Quarantine')).map((m) => m.uid)).toEqual([1, 2, 3]);

    const client = await dovecot.connect();
    try {
      expect((await client.list()).map((m) => m.path).sort()).toEqual(['INBOX', 'Processed', 'Quarantine']);
      await client.mailboxOpen('Quarantine');
      const subjects: string[] = [];
      for await (const m of client.fetch('1:*', { envelope: true }, { uid: true })) subjects.push(m.envelope?.subject ?? '');
      expect(subjects.sort()).toEqual(['bulk 1', 'bulk 2', 'quarantined']);
    } finally {
      await client.logout();
    }
    await expect(dovecot.messages('NoSuchFolder')).rejects.toThrow(/doveadm/);
    await expect(dovecot.deliverToMaildir(['x'], 'NoSuchFolder')).rejects.toThrow(/doveadm/);
  });

  it('changes UIDVALIDITY: the same messages renumbered from 1, and a client sees the new value', async () => {
    await dovecot.append('Processed', reportMessage('second in folder'));
    await dovecot.append('Processed', reportMessage('third in folder'));
    const before = await dovecot.status('Processed');
    // Expunge UID 1 so the renumbering is visible: UIDs 2, 3 become 1, 2.
    const client = await dovecot.connect();
    try {
      await client.mailboxOpen('Processed');
      await client.messageDelete('1', { uid: true });
    } finally {
      await client.logout();
    }
    expect((await dovecot.messages('Processed')).map((m) => m.uid)).toEqual([2, 3]);

    const uidValidity = await dovecot.changeUidValidity('Processed');
    expect(uidValidity).not.toBe(before.uidValidity);
    expect((await dovecot.messages('Processed')).map((m) => m.uid)).toEqual([1, 2]);

    const again = await dovecot.connect();
    try {
      const mailbox = await again.mailboxOpen('Processed');
      expect(BigInt(mailbox.uidValidity)).toBe(uidValidity);
      const subjects: string[] = [];
      for await (const m of again.fetch('1:*', { envelope: true }, { uid: true })) subjects.push(`${m.uid} ${m.envelope?.subject}`);
      expect(subjects).toEqual(['1 second in folder', '2 third in folder']);
    } finally {
      await again.logout();
    }
    // INBOX is a folder like the others here.
    const inbox = await dovecot.status('INBOX');
    expect(await dovecot.changeUidValidity('INBOX')).not.toBe(inbox.uidValidity);
  });

  it('upgrades with STARTTLS on the IMAP port when the client trusts the CA', async () => {
    const client = await dovecot.connect({ port: dovecot.imapPort, secure: false });
    try {
      expect(client.secureConnection).toBe(true);
    } finally {
      await client.logout();
    }
  });

  it('refuses a client that does not trust the per-run CA', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapsPort, secure: true, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
    await expect(client.connect()).rejects.toThrow(/certificate/i);
  });

  it('rejects a wrong password, and does not log it', async () => {
    const wrong = 'not-the-password-1234';
    const client = new ImapFlow({
      host: '127.0.0.1', port: dovecot.imapsPort, secure: true, tls: { ca: dovecot.caPem },
      auth: { user: dovecot.user, pass: wrong }, logger: false,
    });
    const error = await client.connect().then(() => undefined, (e: unknown) => e as { authenticationFailed?: boolean; message: string });
    expect(error?.authenticationFailed).toBe(true);
    // Dovecot's own reason, so a temporary auth failure (which imapflow reports the same way) cannot pass.
    expect(await dovecot.waitForLog(/auth failed, 1 attempts/)).toMatch(/\(auth failed, 1 attempts in \d+ secs?\): user=<test@example\.org>, method=PLAIN/);
    expect(dovecot.logs()).not.toContain(wrong);
    expect(dovecot.logs()).not.toContain(dovecot.password);
  });

  it('fails logins temporarily (UNAVAILABLE) on demand, and logs them in again once restored', async () => {
    // Resolves only once a login was answered UNAVAILABLE (a second one would wait ~4 s: Dovecot slows repeated failures).
    const restore = await dovecot.failAuthTemporarily();
    try {
      expect(await dovecot.waitForLog(/auth service reported temporary failure\): user=<test@example\.org>/)).toBeTruthy();
      expect(dovecot.logs()).toMatch(/checkpassword\(test@example\.org,127\.0\.0\.1,<[^>]+>\): Child \d+ exited with status 111/);
    } finally {
      await restore();
    }
    const client = await dovecot.connect();
    await client.logout();
  });
});

describe('Dovecot harness stop', () => {
  it('stops the whole process group and removes its directory', async () => {
    const server = await startDovecot({ user: 'other@example.org', password: 'pw' });
    try {
      const client = await server.connect();
      await client.logout();
      expect(Number(readFileSync(`${server.dir}/run/master.pid`, 'utf8'))).toBe(server.pid);
      expect(liveGroupMembers(server.pid).length).toBeGreaterThan(1);
    } finally {
      await server.stop();
    }
    expect(liveGroupMembers(server.pid)).toEqual([]);
    expect(existsSync(server.dir)).toBe(false);
  });
});
