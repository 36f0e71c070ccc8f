// `plan --jobs N`: the zones of a streamed plan read, diffed and rendered over N worker
// threads (plan-worker.ts), while the main thread builds each zone's desired records and
// hands the zones out in batches. The workers start reading the zones' files while the main
// thread still builds (the build needs the whole policy; the reading needs only the zones).
// Batches come back in any order and are handed on in zone order, so the text is the same as
// one thread's; at most a few batches per worker are out at once, and the zones read ahead
// are bounded, so a large plan is never held whole.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { inInputOrder } from '../base/in-order.js';
import { workerModuleUrl } from '../base/worker-url.js';
import { errorFromWire, type WireError } from '../base/wire-error.js';
import type { ZoneConfig } from '../policy/model.js';
import type { ZoneJob, ZoneText } from './plan-zone-job.js';

/**
 * Below this many zones the default is one thread. Each worker is a second copy of the plan's
 * modules with a cold JIT, and the batches are copied between threads: on two cores, 10,000
 * zones took as long with workers as without, for a quarter more CPU, and 100,000 a quarter
 * less time (docs/performance.md, "Zones planned on every core").
 */
export const PLAN_JOBS_FROM_ZONES = 20_000;

/** Zones a batch: a message costs about what a zone does, and a batch keeps workers busy for tens of milliseconds. */
const BATCH = 64;

/** Batches out per worker at once: one in work, one queued behind it. */
const AHEAD = 2;

/**
 * Zones whose files the workers read ahead of their turn: enough to keep them busy while the
 * main thread builds 100,000 domains' records (about 11 s, docs/performance.md), few enough
 * that the states waiting in the workers stay in tens of MB.
 */
const READ_AHEAD_ZONES = 40_000;

export interface PlanWorkerSetup {
  root: string;
  allowOutside: string[];
  colour: boolean;
}

/** Read these zones' files now (their plan comes later, to the same worker); or plan these zones. */
export type ToPlanWorker = { kind: 'read'; configs: ZoneConfig[] } | { kind: 'plan'; seq: number; jobs: ZoneJob[] };
export type FromPlanWorker = { seq: number; done: ZoneText[]; failed?: WireError };

/** The default --jobs of plan: the cores there are, or one for a policy too small to pay for workers. */
export function defaultPlanJobs(zones: number, cores = availableParallelism()): number {
  return zones < PLAN_JOBS_FROM_ZONES ? 1 : Math.max(1, cores);
}

/**
 * Zones in, ZoneTexts out in the order they went in. `readAhead` names the zones to come, in
 * their order; `add` waits while enough batches are out; `close` waits for the last and stops
 * the workers. An error in a zone is thrown by `add` or `close` once every zone before it was
 * handed on: the error one thread would throw. Batch i goes to worker i mod N, which read its
 * zones ahead.
 */
export class ZonePlanPool {
  private readonly workers: Worker[];
  private zones: readonly ZoneConfig[] = [];
  private readBatches = 0;
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
    this.workers = Array.from({ length: jobs }, () => {
      const worker = new Worker(workerModuleUrl(import.meta.url, 'plan-worker.js'), { workerData: setup });
      worker.on('message', (reply: FromPlanWorker) => {
        this.inOrder.add(reply, reply.seq);
        this.notify();
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => this.fail(new Error(`plan worker stopped (exit code ${code}) before it finished`)));
      return worker;
    });
  }

  /** The zones `add` will be given, in that order: their files are read from now on, READ_AHEAD_ZONES ahead. */
  readAhead(zones: readonly ZoneConfig[]): void {
    this.zones = zones;
    while (this.readBatches * BATCH < Math.min(zones.length, READ_AHEAD_ZONES)) this.sendRead();
  }

  async add(job: ZoneJob): Promise<void> {
    this.throwIfFailed();
    this.batch.push(job);
    if (this.batch.length < BATCH) return;
    this.send();
    while (this.sent - this.handed >= this.workers.length * AHEAD) await this.next();
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
    const workers = this.workers.splice(0);
    for (const w of workers) w.removeAllListeners('exit');
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private send(): void {
    const seq = this.sent++;
    this.workers[seq % this.workers.length]!.postMessage({ kind: 'plan', seq, jobs: this.batch } satisfies ToPlanWorker);
    this.batch = [];
    if (this.readBatches * BATCH < this.zones.length) this.sendRead();
  }

  /** The next batch of zones to read ahead, to the worker that will plan them. */
  private sendRead(): void {
    const seq = this.readBatches++;
    const configs = this.zones.slice(seq * BATCH, (seq + 1) * BATCH);
    this.workers[seq % this.workers.length]!.postMessage({ kind: 'read', configs } satisfies ToPlanWorker);
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
