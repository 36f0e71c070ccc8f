// An IMAP mailbox (RFC 9051 / RFC 3501) through imapflow: TLS from the start (RFC 8314) or a
// STARTTLS upgrade that is required, never skipped; the server's certificate checked against
// the system CAs or the CA file given. New messages are those above the UID the last run
// reached under the same UIDVALIDITY (RFC 3501 §2.3.1.1); when UIDVALIDITY changes, every
// message is read again and the archive keeps what it already holds. Messages are fetched
// with BODY.PEEK, so reading never sets \Seen; the action (seen, move) comes after.

import { ImapFlow, type FetchMessageObject, type ImapFlowOptions } from 'imapflow';
import { MailboxAuthError, MailboxError, TemporaryError } from '../base/errors.js';
import type { ImapMailbox } from '../policy/model.js';
import type { FetchedMessage, MessageSource } from './fetch.js';
import { formatBytes } from '../base/repo-files.js';

export interface ImapSourceOptions {
  mailbox: Omit<ImapMailbox, 'password' | 'position' | 'caFile'>;
  /** The password, read by the caller from the file or variable the policy names. */
  password: string;
  /** PEM of the CA that issued the server's certificate, when it is a private one. */
  caPem?: string;
  maxMessageBytes: number;
  /** Seconds to wait for the connection, the greeting and each answer. */
  timeoutSeconds?: number;
}

interface ImapState {
  uidValidity: string;
  lastUid: number;
  pending?: number[];
}

/** Messages per batch, and their size in all: one FETCH, one watermark write. */
const BATCH = 100;
const BATCH_BYTES = 16 << 20;

/** "1:4,7,9:12": a sorted UID list as an IMAP sequence set (RFC 3501 §9 sequence-set). */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * A folder name as the policy writes it, "/" between levels, as the levels imapflow joins
 * with the server's own hierarchy delimiter (RFC 3501 §5.1.1: "." on Dovecot's Maildir++, "/" elsewhere).
 */
function levels(folder: string): string[] {
  return folder.toUpperCase() === 'INBOX' ? [folder] : folder.split('/').filter((l) => l !== '');
}

const TLS_TRUST = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const TEMPORARY_CODES = new Set(['UNAVAILABLE', 'INUSE']);
const TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'ETIMEDOUT']);

/**
 * One line for what went wrong, in mailrec's words: the server's own text is not repeated
 * (it is not ours to quote), only its RFC 5530 response code; the password never appears.
 */
export function describeImapError(error: unknown, label: string, what: string): MailboxError {
  const e = error as { code?: string; serverResponseCode?: string; authenticationFailed?: boolean; message?: string } | undefined;
  const code = e?.serverResponseCode?.toUpperCase();
  if (code && TEMPORARY_CODES.has(code))
    return new TemporaryError(`${label}: the server failed temporarily while ${what} (${code})`, 'the user name and password were not refused; try again later');
  if (e?.authenticationFailed)
    return new MailboxAuthError(`${label}: the server refused the user name or password${code ? ` (${code})` : ''}`, 'check user: and the password file or variable (the password is never printed)');
  if (e?.code && TIMEOUTS.has(e.code)) return new TemporaryError(`${label}: no answer from the server while ${what} (${e.code})`, 'try again later');
  if (e?.code && TLS_TRUST.has(e.code))
    return new MailboxError(`${label}: the server's TLS certificate is not trusted (${e.code})`, 'if a private CA issued it, give that CA with ca_file: in the mailbox (or --ca-file)');
  if (e?.code === 'CERT_HAS_EXPIRED' || e?.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || e?.code === 'CERT_NOT_YET_VALID')
    return new MailboxError(`${label}: the server's TLS certificate does not fit (${e.code})`, 'the certificate must be valid now and name the server as given');
  if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'EHOSTUNREACH' || e?.code === 'ENETUNREACH' || e?.code === 'EAI_AGAIN')
    return new MailboxError(`${label}: cannot connect (${e.code})`, 'check server: and that the port is open from here');
  if (code === 'NONEXISTENT') return new MailboxError(`${label}: no such folder`, 'check folder: (IMAP folder names are case-sensitive, except INBOX)');
  return new MailboxError(`${label}: IMAP failed while ${what}${code ? ` (${code})` : e?.code ? ` (${e.code})` : ''}`);
}

export function imapSource(options: ImapSourceOptions): MessageSource {
  const { mailbox } = options;
  const hostPart = mailbox.host.includes(':') ? `[${mailbox.host}]` : mailbox.host;
  const label = `imap://${encodeURIComponent(mailbox.user)}@${hostPart}:${mailbox.port}/${encodeURIComponent(mailbox.folder)}`;
  let client: ImapFlow | undefined;
  let lastError: unknown;
  let uidValidity = '';
  let lastUid = 0;
  let queue: number[] = [];
  let acted = 0;
  let moveFolderReady = false;

  const call = async <T>(what: string, run: (c: ImapFlow) => Promise<T>): Promise<T> => {
    try {
      return await run(client!);
    } catch (error) {
      throw describeImapError(lastError ?? error, label, what);
    }
  };

  const applyAction = async (uids: readonly number[]): Promise<void> => {
    if (uids.length === 0 || mailbox.after === 'leave') return;
    const set = uidSet(uids);
    if (mailbox.after === 'seen') {
      await call('flagging messages as seen', (c) => c.messageFlagsAdd(set, ['\\Seen'], { uid: true }));
    } else {
      const to = mailbox.moveTo!;
      if (!moveFolderReady) {
        // Created when missing; ALREADYEXISTS (RFC 5530) is no error.
        await call(`creating folder ${to}`, (c) => c.mailboxCreate(levels(to)));
        moveFolderReady = true;
      }
      // RFC 6851 MOVE (imapflow falls back to COPY, STORE \Deleted, EXPUNGE). UIDs no longer there are ignored.
      await call(`moving messages to ${to}`, (c) => c.messageMove(set, levels(to), { uid: true }));
    }
    acted += uids.length;
  };

  return {
    label,
    key: label,
    after: mailbox.after,
    async start(previous) {
      const tls: NonNullable<ImapFlowOptions['tls']> = { minVersion: 'TLSv1.2', rejectUnauthorized: true };
      if (options.caPem !== undefined) tls.ca = [options.caPem];
      const timeout = (options.timeoutSeconds ?? 60) * 1000;
      client = new ImapFlow({
        host: mailbox.host,
        port: mailbox.port,
        secure: mailbox.tls === 'implicit',
        // RFC 8314 §4.1 / RFC 3501 §6.2.1: with starttls the upgrade is required; a server that drops it from its capabilities is refused, not talked to in clear.
        ...(mailbox.tls === 'starttls' ? { doSTARTTLS: true } : {}),
        tls,
        auth: { user: mailbox.user, pass: options.password },
        logger: false,
        disableAutoIdle: true,
        connectionTimeout: timeout,
        greetingTimeout: Math.min(timeout, 16_000),
        socketTimeout: timeout * 5,
        // What a hostile server can make the client hold: one message literal (checked by size before), one line.
        maxLiteralSize: options.maxMessageBytes + (64 << 10),
        maxResponseSize: options.maxMessageBytes + (1 << 20),
        maxLineLength: 16 << 20,
        clientInfo: { name: 'mailrec' },
      });
      client.on('error', (error: unknown) => {
        lastError = error;
      });
      await call('connecting and logging in', (c) => c.connect());
      lastError = undefined;
      const box = await call(`opening ${mailbox.folder}`, (c) => c.mailboxOpen(levels(mailbox.folder), { readOnly: mailbox.after === 'leave' }));
      uidValidity = String(box.uidValidity);
      const prior = previous as ImapState | undefined;
      const notes: string[] = [];
      if (prior && typeof prior.uidValidity === 'string' && prior.uidValidity !== uidValidity) {
        // RFC 3501 §2.3.1.1: the old UIDs mean nothing now; every message is read again (the archive keeps each report once).
        notes.push(`UIDVALIDITY of ${mailbox.folder} changed from ${prior.uidValidity} to ${uidValidity}: every message is read again; reports already archived are not stored twice`);
        lastUid = 0;
      } else {
        lastUid = prior && Number.isInteger(prior.lastUid) ? prior.lastUid : 0;
        // Actions a crashed run had not finished: done first (flagging or moving twice is harmless).
        if (prior?.pending && prior.pending.length > 0) await applyAction(prior.pending.filter((u) => Number.isInteger(u) && u > 0));
      }
      if (box.exists > 0) {
        const found = await call('searching for new messages', (c) => c.search({ uid: `${lastUid + 1}:*` }, { uid: true }));
        // "N:*" also matches the last message when N is above it (RFC 3501 §6.4.8): keep only the new.
        queue = (Array.isArray(found) ? found : []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
      }
      return notes;
    },
    async next() {
      if (queue.length === 0) return undefined;
      const candidates = queue.splice(0, BATCH);
      const sizes = new Map<number, number>();
      const sized = await call('reading message sizes', async (c) => {
        const out: FetchMessageObject[] = [];
        for await (const m of c.fetch(uidSet(candidates), { uid: true, size: true }, { uid: true })) out.push(m);
        return out;
      });
      for (const m of sized) sizes.set(m.uid, m.size ?? 0);
      // At most BATCH_BYTES of messages at once (at least one); the rest waits for the next batch.
      const batch: number[] = [];
      let bytes = 0;
      for (const uid of candidates) {
        const size = sizes.get(uid);
        if (size === undefined) continue; // expunged meanwhile
        const counted = size > options.maxMessageBytes ? 0 : size;
        if (batch.length > 0 && bytes + counted > BATCH_BYTES) break;
        batch.push(uid);
        bytes += counted;
      }
      queue.unshift(...candidates.slice(candidates.indexOf(batch.at(-1) ?? candidates.at(-1)!) + 1));
      const wanted = batch.filter((uid) => (sizes.get(uid) ?? 0) <= options.maxMessageBytes);
      const sources = new Map<number, Buffer>();
      if (wanted.length > 0) {
        await call('fetching messages', async (c) => {
          for await (const m of c.fetch(uidSet(wanted), { uid: true, source: true }, { uid: true })) if (m.source) sources.set(m.uid, m.source);
        });
      }
      lastUid = Math.max(lastUid, ...batch);
      return batch.map((uid): FetchedMessage => {
        const where = `${mailbox.folder} UID ${uid}`;
        const size = sizes.get(uid) ?? 0;
        if (size > options.maxMessageBytes) return { id: String(uid), where, content: { type: 'unreadable', problem: `the message is ${formatBytes(size)}, over ${formatBytes(options.maxMessageBytes)}; message skipped` } };
        const data = sources.get(uid);
        return data ? { id: String(uid), where, content: { type: 'message', data } } : { id: String(uid), where, content: { type: 'unreadable', problem: 'the server sent no content for it; message skipped' } };
      });
    },
    checkpoint(act) {
      const state: ImapState = { uidValidity, lastUid };
      if (act.length > 0) state.pending = act.map(Number);
      return state;
    },
    async act(ids) {
      await applyAction(ids.map(Number));
    },
    acted: () => (acted === 0 ? undefined : mailbox.after === 'seen' ? `${acted} flagged as seen` : `${acted} moved to ${mailbox.moveTo}`),
    async close() {
      const c = client;
      client = undefined;
      if (!c) return;
      try {
        await c.logout();
      } catch {
        c.close();
      }
    },
  };
}
