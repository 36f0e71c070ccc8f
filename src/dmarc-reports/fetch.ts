// `mailrec reports fetch`: new messages from each mailbox, their reports into the archive,
// then the mailbox's watermark, then the after-processing action, in that order, batch by
// batch. The archive stores by content, so a batch read twice (after a crash before its
// watermark moved) stores nothing twice; the watermark moves only once the batch's index
// lines are synced, so nothing read is lost; actions wait in the state until done, so a crash
// after the watermark still gets its messages flagged or moved on the next run.

import { nameReceiver } from './receiver.js';
import type { MailboxAfter } from '../policy/model.js';
import { ReportArchive, STATE_FILE, type ReportToStore } from './archive.js';
import type { ReportFiles } from './archive-files.js';
import { extractMessage, type Extracted, type ExtractedReport, type ExtractSink } from './extract.js';
import { DEFAULT_LIMITS, type ReadLimits } from './limits.js';

/** One message (or report file) of a mailbox, ready to be read. */
export interface FetchedMessage {
  /** Its identity in the mailbox: a UID, a Maildir name, an mbox offset, a path. */
  id: string;
  /** How messages name it: "INBOX UID 12", "cur/1765.M1.host", "dmarc.mbox at byte 5120". */
  where: string;
  content: { type: 'message'; data: Buffer } | { type: 'file'; read: (limits: ReadLimits, sink: ExtractSink) => Promise<Extracted> } | { type: 'unreadable'; problem: string };
}

/** A mailbox, as the fetch loop drives it. */
export interface MessageSource {
  /** imap://user@host:port/folder, maildir:path, ...: for output and the index (never a password). */
  readonly label: string;
  /** Its key in the archive's state file. */
  readonly key: string;
  readonly after: MailboxAfter;
  /** Open it with the state the last run left; finish the actions that run left pending. Returns notes for the output. */
  start(previous: unknown): Promise<string[]>;
  /** The next batch of new messages, oldest first; undefined when there are no more. */
  next(): Promise<FetchedMessage[] | undefined>;
  /** The state once the batch just read is archived; `act`: the messages the action still has to be applied to. */
  checkpoint(act: readonly string[]): unknown;
  /** Flag or move these messages (after: seen | move). */
  act(ids: readonly string[]): Promise<void>;
  /** What the action did so far (for the output): e.g. "12 moved to Processed". */
  acted(): string | undefined;
  close(): Promise<void>;
}

/**
 * Points of the fetch loop, for crash tests: a run killed at any of them loses nothing.
 * file: a report file written; message: a message read (its files written, not yet synced);
 * indexed: the batch's files synced and its index lines written (not yet synced); committed:
 * the index synced and the watermark saved; acted: the batch's messages flagged or moved.
 */
export type FetchStep = 'file' | 'indexed' | 'message' | 'committed' | 'acted';

export interface FetchOptions {
  limits?: Partial<ReadLimits>;
  now: () => Date;
  /** Called at each step with the ordinal of the message (1-based, this run) it concerns. */
  onStep?: (step: FetchStep, message: number) => void;
  /** A message (or report file) that could not be read, or not wholly: one line each. */
  onProblem?: (line: string) => void;
  onProgress?: (messages: number) => void;
}

export interface SourceSummary {
  label: string;
  notes: string[];
  /** New messages (or files) read. */
  messages: number;
  dmarc: { stored: number; duplicates: number };
  tlsrpt: { stored: number; duplicates: number };
  /** Messages with no report attached. */
  notReports: number;
  /** Messages (or reports) that could not be read, skipped with a line each. */
  skipped: number;
  /** Reports stored whose receiver and id were in the archive already with other content. */
  sameIdOther: number;
  acted?: string;
}

export interface FetchSummary {
  sources: SourceSummary[];
  archive: { dir: string; reports: number; tornBytes: number; unreadable: number };
}

interface StateFile {
  version: 1;
  sources: Record<string, unknown>;
}

function loadState(files: ReportFiles, dir: string): StateFile {
  const path = `${dir}/${STATE_FILE}`;
  if (!files.exists(path)) return { version: 1, sources: {} };
  try {
    const value = JSON.parse(files.read(path, 16 << 20).toString('utf8')) as StateFile;
    if (value?.version === 1 && typeof value.sources === 'object' && value.sources !== null) return value;
  } catch {
    // Unreadable: start over; the archive's content addressing keeps a full re-read harmless.
  }
  return { version: 1, sources: {} };
}

/** What the archive records of a report, from what the readers found in it. */
function toStore(report: ExtractedReport, source: string): ReportToStore {
  if (report.kind === 'dmarc') {
    const { meta, published } = report.parsed;
    const out: ReportToStore = {
      kind: 'dmarc',
      bytes: report.xml,
      receiver: nameReceiver(meta, report.where).name,
      reportId: meta.reportId,
      domain: published.domain,
      rows: report.parsed.records,
      count: report.parsed.messages,
      source,
    };
    if (meta.begin !== undefined) out.begin = meta.begin;
    if (meta.end !== undefined) out.end = meta.end;
    return out;
  }
  const r = report.report;
  return {
    kind: 'tlsrpt',
    bytes: report.json,
    receiver: r.organization,
    reportId: r.reportId,
    domain: r.policies[0]?.domain ?? '',
    begin: r.begin,
    end: r.end,
    rows: r.policies.length,
    count: r.policies.reduce((n, p) => n + p.successfulSessions + p.failedSessions, 0),
    source,
  };
}

/** Fetch every source into the archive at `dir`. The caller holds the archive's lock. */
export async function fetchReports(files: ReportFiles, dir: string, sources: readonly MessageSource[], options: FetchOptions): Promise<FetchSummary> {
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const archive = ReportArchive.open(files, dir);
  const state = loadState(files, dir);
  const saveState = () => void files.writeAtomic(`${dir}/${STATE_FILE}`, `${JSON.stringify(state, null, 1)}\n`);
  const summaries: SourceSummary[] = [];
  let ordinal = 0;
  archive.onFileWritten = () => options.onStep?.('file', ordinal);
  try {
    for (const source of sources) {
      const summary: SourceSummary = {
        label: source.label,
        notes: [],
        messages: 0,
        dmarc: { stored: 0, duplicates: 0 },
        tlsrpt: { stored: 0, duplicates: 0 },
        notReports: 0,
        skipped: 0,
        sameIdOther: 0,
      };
      summaries.push(summary);
      try {
        summary.notes.push(...(await source.start(state.sources[source.key])));
        let wrote = false;
        for (let batch = await source.next(); batch; batch = await source.next()) {
          const done: string[] = [];
          for (const message of batch) {
            ordinal++;
            summary.messages++;
            const problems: string[] = [];
            const sink: ExtractSink = {
              report: (report) => {
                const outcome = archive.store(toStore(report, source.label), options.now());
                const counts = report.kind === 'dmarc' ? summary.dmarc : summary.tlsrpt;
                if (outcome.status === 'stored') {
                  counts.stored++;
                  if (outcome.sameIdOther) summary.sameIdOther++;
                } else counts.duplicates++;
              },
              error: (where, text) => problems.push(`${where}: ${text}`),
            };
            let found: Extracted;
            if (message.content.type === 'unreadable') {
              problems.push(`${message.where}: ${message.content.problem}`);
              found = { reports: 0, errors: 1 };
            } else if (message.content.type === 'message') found = await extractMessage(message.content.data, message.where, limits, sink);
            else found = await message.content.read(limits, sink);
            if (problems.length > 0) {
              summary.skipped++;
              // One line for the message, however many of its parts failed.
              const more = problems.length - 1;
              options.onProblem?.(more > 0 ? `${problems[0]!} (and ${more} more problem${more === 1 ? '' : 's'} in the same message)` : problems[0]!);
            } else if (found.reports === 0) summary.notReports++;
            // Only a message whose every report is archived is flagged or moved; the others stay for a person to look at.
            else done.push(message.id);
            options.onStep?.('message', ordinal);
            options.onProgress?.(ordinal);
          }
          await archive.commit(() => options.onStep?.('indexed', ordinal));
          state.sources[source.key] = source.checkpoint(source.after === 'leave' ? [] : done);
          saveState();
          wrote = true;
          options.onStep?.('committed', ordinal);
          if (source.after !== 'leave' && done.length > 0) {
            await source.act(done);
            options.onStep?.('acted', ordinal);
          }
        }
        const final = source.checkpoint([]);
        if (wrote || JSON.stringify(final) !== JSON.stringify(state.sources[source.key])) {
          state.sources[source.key] = final;
          saveState();
        }
        const acted = source.acted();
        if (acted !== undefined) summary.acted = acted;
      } finally {
        await source.close();
      }
    }
  } finally {
    await archive.close();
  }
  return { sources: summaries, archive: { dir: files.show(dir), reports: archive.reports, tornBytes: archive.notes.tornBytes, unreadable: archive.notes.unreadable } };
}
