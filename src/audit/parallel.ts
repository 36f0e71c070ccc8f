// `audit --jobs N`: the domain list split over N worker threads (src/audit/audit-worker.ts),
// each with its own DNS client, sockets, cache and pacing, sharing nothing but the list.
// Domains go out in chunks in input order to whichever worker asks; reports come back as
// they finish, and the caller puts them in input order (src/audit/in-order.ts).

import { Worker } from 'node:worker_threads';
import { workerModuleUrl } from '../base/worker-url.js';
import { availableParallelism } from 'node:os';
import type { PacingOptions, PacingStats } from '../dns/pacing.js';
import type { AuditOptions, DomainReport } from './run.js';
import type { AuditRun, AuditSummary } from './summary.js';
import type { SourceSpec } from './sources/index.js';

/**
 * Below this many domains the default is one job: starting a worker (a thread, a second
 * copy of mailrec's modules, a cold JIT) costs about as much as auditing this many domains
 * on loopback (docs/performance.md, "All cores").
 */
export const JOBS_FROM_DOMAINS = 2000;

/** A source a worker can open from plain data: live DNS or the zones' own servers. */
export type WorkerSpec = Omit<Extract<SourceSpec, { kind: 'dns' | 'authoritative' }>, 'pacing'>;

/** What a worker needs to render its domains as NDJSON lines and summarise them. */
export type RunSettings = Pick<AuditRun, 'source' | 'failUnder' | 'allowUnknown' | 'failOn'>;

export interface WorkerSetup {
  spec: WorkerSpec;
  pacing: Omit<PacingOptions, 'now'>;
  /** Set: the worker sends each domain as its NDJSON line and summary, not as a report. */
  render?: RunSettings;
}

/** What the line of a domain needs from the main thread: the notes it adds, whether the domain has a policy. */
export interface LineInputs {
  notes: string[];
  hasPolicy: boolean;
}

/**
 * A domain audited and rendered in a worker: its NDJSON line and its share of the run's
 * summary. Copying a string between threads costs a fraction of the structured clone of
 * the report it was made from, and the main thread then only writes it.
 */
export interface RenderedReport {
  domain: string;
  line: string;
  summary: AuditSummary;
}

export type ToWorker = { type: 'work'; items: { index: number; domain: string; options: AuditOptions; line?: LineInputs }[] } | { type: 'end' };
export type FromWorker =
  | { type: 'more'; want: number }
  | { type: 'reports'; items: { index: number; report: DomainReport | RenderedReport }[] }
  | { type: 'done'; runNotes: string[]; pacing: PacingStats };

/** The default --jobs: the cores there are, or one for a list too short to pay for more. */
export function defaultJobs(domains: number, cores = availableParallelism()): number {
  return domains < JOBS_FROM_DOMAINS ? 1 : Math.max(1, cores);
}

export interface ParallelAuditOptions {
  jobs: number;
  spec: WorkerSpec;
  /** Per worker: --concurrency pins each worker's domains in flight; --max-qps is split between them. */
  pacing: Omit<PacingOptions, 'now'>;
  optionsFor: (domain: string) => AuditOptions;
  /**
   * Render in the workers (a streamed NDJSON run): the run's settings, and each domain's
   * line inputs. onReport then gets RenderedReports.
   */
  render?: { run: RunSettings; lineInputs: (domain: string) => LineInputs };
  /** Each report as it arrives, in completion order, with its index in `domains`. */
  onReport: (report: DomainReport | RenderedReport, index: number) => void;
}

export interface ParallelAuditResult {
  runNotes: string[];
  /** One per worker. */
  pacing: PacingStats[];
}

export async function auditInWorkers(domains: readonly string[], opts: ParallelAuditOptions): Promise<ParallelAuditResult> {
  const jobs = Math.max(1, Math.min(opts.jobs, domains.length));
  const maxQps = opts.pacing.maxQps !== undefined && opts.pacing.maxQps > 0 ? opts.pacing.maxQps / jobs : undefined;
  const setup: WorkerSetup = {
    spec: opts.spec,
    pacing: { ...(opts.pacing.concurrency !== undefined ? { concurrency: opts.pacing.concurrency } : {}), ...(maxQps !== undefined ? { maxQps } : {}) },
    ...(opts.render ? { render: opts.render.run } : {}),
  };
  let next = 0;
  const take = (want: number): ToWorker => {
    const items: Extract<ToWorker, { type: 'work' }>['items'] = [];
    while (items.length < want && next < domains.length) {
      const index = next++;
      const domain = domains[index]!;
      items.push({ index, domain, options: opts.optionsFor(domain), ...(opts.render ? { line: opts.render.lineInputs(domain) } : {}) });
    }
    return items.length > 0 ? { type: 'work', items } : { type: 'end' };
  };
  const url = workerModuleUrl(import.meta.url, 'audit-worker.js');
  const workers: Worker[] = [];
  const runs = Array.from({ length: jobs }, () => {
    const worker = new Worker(url, { workerData: setup });
    workers.push(worker);
    return new Promise<{ runNotes: string[]; pacing: PacingStats }>((resolve, reject) => {
      let finished = false;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'more') worker.postMessage(take(message.want));
        else if (message.type === 'reports') for (const { index, report } of message.items) opts.onReport(report, index);
        else {
          finished = true;
          resolve({ runNotes: message.runNotes, pacing: message.pacing });
          void worker.terminate();
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (!finished) reject(new Error(`audit worker stopped (exit code ${code}) before it finished`));
      });
    });
  });
  try {
    const results = await Promise.all(runs);
    return { runNotes: [...new Set(results.flatMap((r) => r.runNotes))], pacing: results.map((r) => r.pacing) };
  } finally {
    for (const w of workers) void w.terminate();
  }
}
