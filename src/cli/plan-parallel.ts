// `plan --jobs N`: the zones of a streamed plan read, diffed and rendered over N worker
// threads (plan-worker.ts), while the main thread builds each zone's desired records and
// hands the zones out in batches. Batches come back in any order and are handed on in zone
// order, so the text is the same as one thread's; at most a few batches per worker are out
// at once, so a large plan is never held whole.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { inInputOrder } from '../base/in-order.js';
import { workerModuleUrl } from '../base/worker-url.js';
import { errorFromWire, type WireError } from '../base/wire-error.js';
import type { ZoneJob, ZoneText } from './plan-zone-job.js';

/**
 * Below this many zones the default is one thread: a worker (a second copy of the plan's
 * modules, a cold JIT) costs about what planning a thousand or two zones does
 * (docs/performance.md, "Zones planned on every core").
 */
export const PLAN_JOBS_FROM_ZONES = 2000;

/** Zones a batch: a message costs about what a zone does, and a batch keeps workers busy for tens of milliseconds. */
const BATCH = 64;

/** Batches out per worker at once: one in work, one queued behind it. */
const AHEAD = 2;

export interface PlanWorkerSetup {
  root: string;
  allowOutside: string[];
  colour: boolean;
}

export type ToPlanWorker = { seq: number; jobs: ZoneJob[] };
export type FromPlanWorker = { seq: number; done: ZoneText[]; failed?: WireError };

/** The default --jobs of plan: the cores there are, or one for a policy too small to pay for workers. */
export function defaultPlanJobs(zones: number, cores = availableParallelism()): number {
  return zones < PLAN_JOBS_FROM_ZONES ? 1 : Math.max(1, cores);
}

interface Planner {
  worker: Worker;
  out: number;
}

/**
 * Zones in, ZoneTexts out in the order they went in. `add` waits while enough batches are
 * out; `close` waits for the last and stops the workers. An error in a zone is thrown by
 * `add` or `close` once every zone before it was handed on: the error one thread would throw.
 */
export class ZonePlanPool {
  private readonly planners: Planner[];
  private batch: ZoneJob[] = [];
  private sent = 0;
  private handed = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly inOrder: ReturnType<typeof inInputOrder<FromPlanWorker>>;

  constructor(jobs: number, setup: PlanWorkerSetup, deliver: (zone: ZoneText) => void) {
    this.inOrder = inInputOrder<FromPlanWorker>((reply) => {
      if (this.failure) return;
      for (const zone of reply.done) deliver(zone);
      if (reply.failed) this.failure = errorFromWire(reply.failed);
      this.handed++;
    });
    this.planners = Array.from({ length: jobs }, () => {
      const planner: Planner = { worker: new Worker(workerModuleUrl(import.meta.url, 'plan-worker.js'), { workerData: setup }), out: 0 };
      planner.worker.on('message', (reply: FromPlanWorker) => {
        planner.out--;
        this.inOrder.add(reply, reply.seq);
        this.notify();
      });
      planner.worker.on('error', (error) => this.fail(error));
      planner.worker.on('exit', (code) => this.fail(new Error(`plan worker stopped (exit code ${code}) before it finished`)));
      return planner;
    });
  }

  async add(job: ZoneJob): Promise<void> {
    this.throwIfFailed();
    this.batch.push(job);
    if (this.batch.length < BATCH) return;
    this.send();
    while (this.sent - this.handed >= this.planners.length * AHEAD) await this.next();
  }

  /** Waits for every zone added, then stops the workers. */
  async close(): Promise<void> {
    try {
      if (this.batch.length > 0) this.send();
      while (this.handed < this.sent) await this.next();
    } finally {
      await this.stop();
    }
  }

  /** Stops the workers (after an error elsewhere; close does it otherwise). */
  async stop(): Promise<void> {
    const planners = this.planners.splice(0);
    for (const p of planners) p.worker.removeAllListeners('exit');
    await Promise.all(planners.map((p) => p.worker.terminate()));
  }

  private send(): void {
    const planner = this.planners.reduce((a, b) => (b.out < a.out ? b : a));
    planner.out++;
    planner.worker.postMessage({ seq: this.sent++, jobs: this.batch } satisfies ToPlanWorker);
    this.batch = [];
  }

  /** Until the next reply (or a failure); throws the failure. */
  private async next(): Promise<void> {
    this.throwIfFailed();
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.throwIfFailed();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
