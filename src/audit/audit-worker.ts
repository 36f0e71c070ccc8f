// One worker thread of `audit --jobs N` (src/audit/parallel.ts): its own DNS source, sockets,
// cache and pacing; domains come in chunks from the main thread and reports go back.

import { parentPort, workerData } from 'node:worker_threads';
import { createPacing } from '../dns/pacing.js';
import { auditDomain, type DomainReport } from './run.js';
import { recordsOf } from './records.js';
import { openAuditSource } from './sources/index.js';
import { domainJson, domainJsonLine, summarizeAudit, withExtraNotes } from './summary.js';
import type { FromWorker, LineInputs, RenderedReport, RunSettings, ToWorker, WorkerSetup } from './parallel.js';

const port = parentPort!;
const setup = workerData as WorkerSetup;
const render = setup.render;

/** The domain's NDJSON line and summary, as the main thread would make them from its report. */
function rendered(report: DomainReport, line: LineInputs, run: RunSettings): RenderedReport {
  const full = withExtraNotes(report, line.notes);
  return { domain: full.domain, line: domainJsonLine(domainJson(full, line.hasPolicy)), summary: summarizeAudit({ ...run, reports: [full] }) };
}
const pacing = createPacing(setup.pacing);
const source = await openAuditSource({ ...setup.spec, pacing });

let pending = 0;
let ended = false;
let asked = false;
let out: Extract<FromWorker, { type: 'reports' }>['items'] = [];
let timer: NodeJS.Timeout | undefined;
/**
 * Reports leave in batches of this many, or what is there after FLUSH_MS: each message
 * wakes the main thread, and one a turn of the event loop was a few reports each.
 */
const FLUSH_ITEMS = 64;
const FLUSH_MS = 50;
const post = (message: FromWorker): void => port.postMessage(message);

const flush = (): void => {
  clearTimeout(timer);
  timer = undefined;
  if (out.length === 0) return;
  post({ type: 'reports', items: out });
  out = [];
};

/** Keeps about four times the domains in flight queued here, so the worker never idles. */
const askMore = (): void => {
  const want = Math.max(32, 4 * pacing.domains.max);
  if (ended || asked || pending >= want / 2) return;
  asked = true;
  post({ type: 'more', want: want - pending });
};

const finishIfDone = (): void => {
  if (!ended || pending > 0) return;
  flush();
  post({ type: 'done', runNotes: source.runNotes(), pacing: pacing.stats() });
  port.close();
};

port.on('message', (message: ToWorker) => {
  if (message.type === 'end') {
    ended = true;
    finishIfDone();
    return;
  }
  asked = false;
  for (const item of message.items) {
    pending++;
    void pacing.domains
      .run(() => auditDomain(item.domain, source.resolver, item.options))
      .then(({ answers, ...rest }) => {
        // The domain's own records leave the worker, not every answer it saw (providers' too):
        // less to copy between threads, and json writes only these (audit/records.ts).
        const report = { ...rest, records: recordsOf(rest.domain, answers ?? []) };
        out.push({ index: item.index, report: item.line && render ? rendered(report, item.line, render) : report });
        if (out.length >= FLUSH_ITEMS) flush();
        else timer ??= setTimeout(flush, FLUSH_MS);
        pending--;
        askMore();
        finishIfDone();
      });
  }
  askMore();
});
askMore();
