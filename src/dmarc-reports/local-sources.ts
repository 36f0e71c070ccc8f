// Mailboxes on disk, as a local MTA delivers them: a Maildir (new/ and cur/, messages named
// uniquely; seen and move are renames), an mbox (RFC 4155; read from the offset the last run
// reached, never rewritten), and a plain directory of report files and messages (read whole
// each run: the archive skips what it holds).

import { createHash } from 'node:crypto';
import path from 'node:path';
import type { MailboxAfter } from '../policy/model.js';
import type { ReportFiles } from './archive-files.js';
import { extractAttachment, extractMessage, type Extracted, type ExtractSink } from './extract.js';
import type { FetchedMessage, MessageSource } from './fetch.js';
import { formatBytes } from '../base/repo-files.js';
import { type ReadLimits } from './limits.js';
import { splitMbox, type MboxMessage } from './mbox-split.js';
import { listReportFiles } from './read-reports.js';
import { sniffContent } from './read-container.js';

/** Messages read per batch (and per watermark write). */
const BATCH = 100;

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function trimEnd(data: Buffer): Buffer {
  let end = data.length;
  while (end > 0 && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
  return data.subarray(0, end);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// --- Maildir -------------------------------------------------------------------------------

interface MaildirState {
  /** Unique names (before ":2,") of the messages already read. */
  read: string[];
  /** Messages still to flag or move. */
  pending?: string[];
}

/** A Maildir message file name: the unique part, then ":2," and the flags (maildir(5)). */
function uniqueOf(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

function flagsOf(name: string): string {
  const m = /:2,([A-Za-z]*)$/.exec(name);
  return m ? m[1]! : '';
}

/** Maildir++ folder of a folder name ("Archive/DMARC" is ".Archive.DMARC"). */
function maildirFolder(folder: string): string {
  return `.${folder.replace(/^\.+/, '').replace(/\//g, '.')}`;
}

export function maildirSource(files: ReportFiles, dir: string, after: MailboxAfter, moveTo: string | undefined, maxMessageBytes: number): MessageSource {
  let seen = new Set<string>();
  let queue: { unique: string; sub: 'new' | 'cur'; name: string }[] = [];
  let present = new Set<string>();
  let acted = 0;
  const label = `maildir:${files.show(dir)}`;

  /** Where a message is now, by its unique name (it may have moved between new/ and cur/). */
  const find = (unique: string): { sub: 'new' | 'cur'; name: string } | undefined => {
    for (const sub of ['new', 'cur'] as const) {
      const hit = files.list(`${dir}/${sub}`).find((e) => e.isFile() && uniqueOf(e.name) === unique);
      if (hit) return { sub, name: hit.name };
    }
    return undefined;
  };
  const apply = (uniques: readonly string[]): void => {
    for (const unique of uniques) {
      const at = find(unique);
      if (!at) continue; // moved already, or gone
      const flags = [...new Set(`${flagsOf(at.name)}${after === 'seen' ? 'S' : ''}`)].sort().join('');
      const to = after === 'move' ? `${dir}/${maildirFolder(moveTo!)}/cur/${unique}:2,${flags}` : `${dir}/cur/${unique}:2,${flags}`;
      if (after === 'move') for (const sub of ['cur', 'new', 'tmp']) files.ensureDir(`${dir}/${maildirFolder(moveTo!)}/${sub}`);
      if (`${dir}/${at.sub}/${at.name}` !== to) files.rename(`${dir}/${at.sub}/${at.name}`, to);
      acted++;
    }
  };
  return {
    label,
    key: label,
    after,
    async start(previous) {
      const prior = previous as MaildirState | undefined;
      seen = new Set(Array.isArray(prior?.read) ? prior.read : []);
      for (const sub of ['new', 'cur'] as const) files.locate(`${dir}/${sub}`);
      if (after !== 'leave' && Array.isArray(prior?.pending)) apply(prior.pending);
      acted = 0;
      const all: typeof queue = [];
      for (const sub of ['new', 'cur'] as const) {
        for (const entry of files.list(`${dir}/${sub}`)) {
          if (!entry.isFile() || entry.name.startsWith('.')) continue;
          all.push({ unique: uniqueOf(entry.name), sub, name: entry.name });
        }
      }
      present = new Set(all.map((m) => m.unique));
      // Unique names begin with the delivery time (maildir(5)): name order is arrival order.
      queue = all.filter((m) => !seen.has(m.unique)).sort((a, b) => (a.unique < b.unique ? -1 : a.unique > b.unique ? 1 : 0));
      return [];
    },
    async next() {
      if (queue.length === 0) return undefined;
      const batch = queue.splice(0, BATCH);
      return batch.map((m): FetchedMessage => {
        seen.add(m.unique);
        const where = `${files.show(dir)}/${m.sub}/${m.unique}`;
        try {
          return { id: m.unique, where, content: { type: 'message', data: files.read(`${dir}/${m.sub}/${m.name}`, maxMessageBytes) } };
        } catch (error) {
          return { id: m.unique, where, content: { type: 'unreadable', problem: `${describeError(error)}; message skipped` } };
        }
      });
    },
    checkpoint(act) {
      // Names no longer in the Maildir are forgotten: the state stays as large as the mailbox.
      const state: MaildirState = { read: [...seen].filter((u) => present.has(u)).sort() };
      if (act.length > 0) state.pending = [...act];
      return state;
    },
    async act(ids) {
      apply(ids);
    },
    acted: () => (acted === 0 ? undefined : after === 'seen' ? `${acted} flagged as seen` : `${acted} moved to ${moveTo}`),
    async close() {},
  };
}

// --- mbox ----------------------------------------------------------------------------------

interface MboxState {
  /** Offset of the last message read: it is read again next time (it may still have been growing). */
  offset: number;
  /** sha256 of that message, so that reading it again does not count it as new. */
  last: string;
  /** sha256 of the file's first bytes: a rotated or rewritten mbox is read from the start. */
  head: string;
}

const HEAD_BYTES = 4096;

export function mboxSource(files: ReportFiles, file: string, maxMessageBytes: number): MessageSource {
  const label = `mbox:${files.show(file)}`;
  let iterator: AsyncGenerator<MboxMessage> | undefined;
  let prior: MboxState | undefined;
  let state: MboxState | undefined;
  let headSha = '';
  return {
    label,
    key: label,
    after: 'leave',
    async start(previous) {
      const p = previous as MboxState | undefined;
      const { bytes, size } = files.head(file, HEAD_BYTES);
      headSha = sha(bytes);
      const resume = p && typeof p.offset === 'number' && p.head === headSha && p.offset <= size ? p.offset : 0;
      prior = resume > 0 ? p : undefined;
      const notes = p && resume === 0 && p.offset > 0 ? [`${files.show(file)} was rotated or rewritten since the last run: read from the start`] : [];
      iterator = splitMbox(files.stream(file, resume), resume, maxMessageBytes);
      return notes;
    },
    async next() {
      const batch: FetchedMessage[] = [];
      while (batch.length < BATCH) {
        const step = await iterator!.next();
        if (step.done) break;
        const m = step.value;
        const where = `${files.show(file)} at byte ${m.offset}`;
        // The blank line before the next "From " belongs to no message: left out of the identity.
        const digest = m.data ? sha(trimEnd(m.data)) : `size:${m.size}`;
        state = { offset: m.offset, last: digest, head: headSha };
        // The message the last run ended on is read again only to see where the file goes on.
        if (prior && m.offset === prior.offset && digest === prior.last) continue;
        batch.push({
          id: String(m.offset),
          where,
          content: m.data ? { type: 'message', data: m.data } : { type: 'unreadable', problem: `the message is ${formatBytes(m.size)}, over ${formatBytes(maxMessageBytes)}; message skipped` },
        });
      }
      return batch.length > 0 ? batch : undefined;
    },
    checkpoint: () => state ?? prior ?? null,
    async act() {},
    acted: () => undefined,
    async close() {
      await iterator?.return(undefined);
    },
  };
}

// --- directory -----------------------------------------------------------------------------

/** A report file or a message file (.eml, mbox) of a directory: every report in it. */
export async function extractFile(files: ReportFiles, file: string, where: string, limits: ReadLimits, maxMessageBytes: number, sink: ExtractSink): Promise<Extracted> {
  try {
    const { bytes, size } = files.head(file, 64);
    if (size === 0) throw new Error('empty file');
    const kind = sniffContent(bytes);
    if (kind === 'mbox') {
      const out: Extracted = { reports: 0, errors: 0 };
      for await (const m of splitMbox(files.stream(file, 0), 0, maxMessageBytes)) {
        const at = `${where} at byte ${m.offset}`;
        let found: Extracted = { reports: 0, errors: 1 };
        if (m.data) found = await extractMessage(m.data, at, limits, sink);
        else sink.error(at, `the message is ${formatBytes(m.size)}, over ${formatBytes(maxMessageBytes)}; message skipped`);
        out.reports += found.reports;
        out.errors += found.errors;
      }
      return out;
    }
    if (kind === 'mail') return await extractMessage(files.read(file, maxMessageBytes), where, limits, sink);
    const data = files.read(file, limits.maxAttachmentBytes);
    const found = await extractAttachment({ contentType: 'application/octet-stream', filename: path.basename(file), data }, where, limits, sink);
    if (found) return found;
    throw new Error('not a report: neither XML, gzip, zip, TLS-RPT JSON nor a mail message');
  } catch (error) {
    sink.error(where, describeError(error));
    return { reports: 0, errors: 1 };
  }
}

/** Report file names a directory walk also takes: TLS-RPT JSON (RFC 8460 §5.3). */
export const TLS_REPORT_NAME = /\.json$/i;

export function directorySource(files: ReportFiles, dir: string, maxMessageBytes: number): MessageSource {
  const label = `directory:${files.show(dir)}`;
  let queue: string[] = [];
  let problems: string[] = [];
  return {
    label,
    key: label,
    after: 'leave',
    async start() {
      const root = files.locate(dir);
      const listed = await listReportFiles([root], { alsoNamed: TLS_REPORT_NAME });
      // Each file is checked again where it is read: inside the repo or the directory named.
      queue = listed.files;
      problems = listed.errors.map((e) => `${e.file}: ${e.message}`);
      return problems;
    },
    async next() {
      if (queue.length === 0) return undefined;
      return queue.splice(0, BATCH).map((file): FetchedMessage => {
        const where = files.show(file);
        return { id: file, where, content: { type: 'file', read: (limits, sink) => extractFile(files, file, where, limits, maxMessageBytes, sink) } };
      });
    },
    checkpoint: () => null,
    async act() {},
    acted: () => undefined,
    async close() {},
  };
}
