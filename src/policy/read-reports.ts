// Reads the `reports:` section: the archive where `reports fetch` keeps DMARC aggregate
// and TLS-RPT reports, how long it keeps them, and the mailboxes they arrive in. A
// password is named by file or environment variable, never written in the policy.

import type { ImapMailbox, LocalMailbox, MailboxAfter, MailboxConfig, ReportsConfig } from './model.js';
import { readSecretRef } from './read-secret.js';
import { checkDuration, checkRepoPath, checkServer } from './values.js';
import { DEFAULT_REPORTS_ARCHIVE, IMAP_PORT, IMAPS_PORT, KEY_ALIASES, POLICY_ENUMS, POLICY_KEYS } from './vocabulary.js';
import type { Field, YamlReader } from './yaml-reader.js';

const MAILBOX_HINTS: Readonly<Record<string, string>> = {
  password: 'a policy never holds a password: use password_file: <path> or password_env: <VARIABLE>',
  pass: 'a policy never holds a password: use password_file: <path> or password_env: <VARIABLE>',
  port: 'give the port with the server: server: imap.example.org:993',
};

/** Keys that only an IMAP mailbox takes, and those only a file mailbox takes. */
const IMAP_ONLY = ['server', 'tls', 'user', 'password_file', 'password_env', 'folder', 'ca_file'] as const;
const LOCAL_ONLY = ['path'] as const;


export function readReports(r: YamlReader, field: Field): ReportsConfig | undefined {
  const map = r.mapping(field, POLICY_KEYS.reports, { what: 'a map { archive, retention, mailbox }' });
  if (!map) return undefined;
  const out: ReportsConfig = { archive: DEFAULT_REPORTS_ARCHIVE, mailboxes: [], position: field.at };
  const archiveField = map.get('archive');
  if (archiveField) {
    const text = r.string(archiveField);
    const path = text === undefined ? undefined : r.take(archiveField, checkRepoPath(text.replace(/\/+$/, ''), 'archive'));
    if (path !== undefined) out.archive = path;
  }
  const retentionField = map.get('retention');
  if (retentionField) {
    const text = r.text(retentionField);
    if (text === undefined) r.typeError(retentionField, 'a duration such as 400d');
    const seconds = text === undefined ? undefined : r.take(retentionField, checkDuration(text, 'retention'));
    // Shorter than a day would prune reports as they arrive ("13m" is 13 minutes, not months).
    if (seconds !== undefined && seconds < 86_400) r.refuse(retentionField, `retention '${text}' is shorter than a day`, 'm is minutes; give days or weeks, e.g. 400d or 56w');
    else if (seconds !== undefined) out.retentionSeconds = seconds;
  }
  const mailboxField = map.get('mailbox');
  if (mailboxField) {
    for (const item of r.oneOrMore(mailboxField)) {
      const mailbox = readMailbox(r, item);
      if (mailbox) out.mailboxes.push(mailbox);
    }
  }
  return out;
}

function readMailbox(r: YamlReader, field: Field): MailboxConfig | undefined {
  const map = r.mapping(field, POLICY_KEYS.mailbox, { aliases: KEY_ALIASES.mailbox, hints: MAILBOX_HINTS, what: 'a map { type, server, user, ... } or { type, path }' });
  if (!map) return undefined;
  const typeField = r.need(map, 'type', field);
  const type = typeField && r.oneOf(typeField, POLICY_ENUMS.mailbox_type);
  if (type === undefined) return undefined;
  const stray = (keys: readonly string[], why: string): void => {
    for (const key of keys) {
      const f = map.get(key);
      if (f) r.report(f.at, f.path, `${key} does not apply to a mailbox of type ${type}`, why);
    }
  };
  const after = readAfter(r, map, type);
  if (type === 'imap') {
    stray(LOCAL_ONLY, 'an IMAP mailbox is named by server, user and folder');
    return readImap(r, field, map, after);
  }
  stray(IMAP_ONLY, `${type === 'mbox' ? 'an mbox' : `a ${type}`} is read from its path`);
  const pathField = r.need(map, 'path', field);
  const text = pathField && r.string(pathField);
  const path = pathField && text !== undefined ? r.take(pathField, checkRepoPath(text.replace(/\/+$/, ''), 'path')) : undefined;
  if (path === undefined || after === undefined) return undefined;
  const out: LocalMailbox = { type, path, after: after.after, position: field.at };
  if (after.moveTo !== undefined) out.moveTo = after.moveTo;
  return out;
}

/** after: and move_to: together; mbox and directories are only read (rewriting an mbox races the MTA's delivery). */
function readAfter(r: YamlReader, map: Map<string, Field>, type: MailboxConfig['type']): { after: MailboxAfter; moveTo?: string } | undefined {
  const afterField = map.get('after');
  const after = afterField ? r.oneOf(afterField, POLICY_ENUMS.mailbox_after) : 'leave';
  const moveField = map.get('move_to');
  if (after === undefined) return undefined;
  if (after !== 'leave' && (type === 'mbox' || type === 'directory')) {
    r.refuse(afterField!, `after: ${after} is not possible for ${type === 'mbox' ? 'an mbox' : 'a directory'}`, type === 'mbox' ? 'an mbox is only read: rewriting it would race the MTA that appends to it; use after: leave' : 'files in a directory are only read; use after: leave');
    return undefined;
  }
  if (after === 'move' && !moveField) {
    r.report(afterField!.at, afterField!.path, 'after: move needs move_to: <folder>', 'name the folder processed messages go to, e.g. move_to: Processed');
    return undefined;
  }
  if (after !== 'move' && moveField) {
    r.report(moveField.at, moveField.path, 'move_to has no effect without after: move');
    return undefined;
  }
  if (!moveField) return { after };
  const folder = readFolder(r, moveField);
  return folder === undefined ? undefined : { after, moveTo: folder };
}

/** An IMAP mailbox name (RFC 3501 §5.1): any text but control characters; "/" or "." separate levels. */
function readFolder(r: YamlReader, field: Field): string | undefined {
  const text = r.string(field);
  if (text === undefined) return undefined;
  if (text === '' || /[\x00-\x1f\x7f]/.test(text) || text.length > 255) {
    r.refuse(field, `${field.name} is not a folder name`, 'a folder name such as INBOX or Reports/Processed, without control characters');
    return undefined;
  }
  return text;
}

function readImap(r: YamlReader, field: Field, map: Map<string, Field>, after: { after: MailboxAfter; moveTo?: string } | undefined): ImapMailbox | undefined {
  const tlsField = map.get('tls');
  const tls = tlsField ? r.oneOf(tlsField, POLICY_ENUMS.mailbox_tls) : 'implicit';
  const serverField = r.need(map, 'server', field);
  const serverText = serverField && r.string(serverField);
  const server = serverField && serverText !== undefined ? r.take(serverField, checkServer(serverText)) : undefined;
  const userField = r.need(map, 'user', field);
  const userText = userField && r.string(userField);
  let user: string | undefined;
  if (userField && userText !== undefined) {
    if (userText === '' || /[\x00-\x1f\x7f]/.test(userText)) r.refuse(userField, 'user is empty or holds control characters');
    else user = userText;
  }
  const password = readSecretRef(r, field, map, { word: 'password', owner: 'an IMAP mailbox' });
  const folderField = map.get('folder');
  const folder = folderField ? readFolder(r, folderField) : 'INBOX';
  if (after?.moveTo !== undefined && folder !== undefined && after.moveTo === folder) {
    const moveField = map.get('move_to')!;
    r.refuse(moveField, `move_to is the folder the reports are read from (${folder})`, 'name another folder, e.g. Processed');
    return undefined;
  }
  const caField = map.get('ca_file');
  const caText = caField && r.string(caField);
  const caFile = caField && caText !== undefined ? r.take(caField, checkRepoPath(caText, 'ca_file')) : undefined;
  if (tls === undefined || server === undefined || user === undefined || password === undefined || folder === undefined || after === undefined) return undefined;
  if (caField && caFile === undefined) return undefined;
  const { host, port } = splitServer(server, tls === 'implicit' ? IMAPS_PORT : IMAP_PORT);
  const out: ImapMailbox = { type: 'imap', host, port, tls, user, password, folder, after: after.after, position: field.at };
  if (after.moveTo !== undefined) out.moveTo = after.moveTo;
  if (caFile !== undefined) out.caFile = caFile;
  return out;
}

/** "host", "host:port", "[v6]:port" (as checkServer normalised it) into host and port. */
export function splitServer(server: string, defaultPort: number): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  const colon = server.lastIndexOf(':');
  if (colon > 0 && server.indexOf(':') === colon) return { host: server.slice(0, colon), port: Number(server.slice(colon + 1)) };
  return { host: server, port: defaultPort };
}
