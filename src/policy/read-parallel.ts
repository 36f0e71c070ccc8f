// Reading many large policy files over the cores: YAML parsing is about half of `plan`'s CPU
// at 10,000 domains (docs/performance.md, "Plan and import at scale"). Each file is read on
// its own (validate.ts's readPolicyPart), by the main thread or a worker thread
// (policy-worker.ts), and the parts are merged in load order: the same policy and the same
// issues as reading the files one after another. Workers get texts, never paths.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerModuleUrl } from '../base/worker-url.js';
import type { PolicySource } from './read-document.js';
import { mergePolicyParts, readPolicyPart, type ReadPart, type Validation } from './validate.js';

export type ToPolicyWorker = { index: number; source: PolicySource };
export type FromPolicyWorker = { index: number; read: ReadPart };

/**
 * Below this much YAML in all, one thread. A worker is a second copy of the policy modules
 * with a cold JIT, and its part comes back by structured clone: on two cores `loadPolicy` of
 * 10,000 domains (6.8 MB) took 3.0 s on two threads against 2.3 s on one, 40,000 (27 MB) the
 * same either way, 100,000 (68 MB) 18-26 s against 27 s (docs/performance.md).
 */
export const PARALLEL_FROM_CHARS = 32 << 20;

export interface ParallelReadOptions {
  /** Threads in all, the main one included; default: the cores there are. */
  jobs?: number;
  /** Default PARALLEL_FROM_CHARS. */
  fromChars?: number;
  /** The main thread reads files too (default); false leaves them all to the workers (tests). */
  mainReads?: boolean;
}

/** validatePolicy over several threads when the files are many and large; else validatePolicy itself. */
export async function validatePolicyInParallel(sources: readonly PolicySource[], options: ParallelReadOptions = {}): Promise<Validation> {
  const names = sources.map((s) => s.file);
  const chars = sources.reduce((n, s) => n + s.text.length, 0);
  const jobs = Math.min(options.jobs ?? availableParallelism(), sources.length);
  const read: ReadPart[] = new Array<ReadPart>(sources.length);
  if (jobs <= 1 || chars < (options.fromChars ?? PARALLEL_FROM_CHARS)) {
    sources.forEach((source, i) => (read[i] = readPolicyPart(source)));
    return mergePolicyParts(names, read);
  }
  let next = 0;
  const take = (): number | undefined => (next < sources.length ? next++ : undefined);
  const workers: Worker[] = [];
  const inWorker = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerModuleUrl(import.meta.url, 'policy-worker.js'));
      workers.push(worker);
      let inFlight = 0;
      const send = (): void => {
        const index = take();
        if (index === undefined) {
          if (inFlight === 0) resolve();
          return;
        }
        inFlight++;
        worker.postMessage({ index, source: sources[index]! } satisfies ToPolicyWorker);
      };
      worker.on('message', (message: FromPolicyWorker) => {
        inFlight--;
        read[message.index] = message.read;
        send();
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`policy reader worker stopped (exit code ${code}) before it finished`)));
      // Two files ahead: the main thread reads a file of its own between the worker's
      // replies (a second or more), and a worker with nothing queued would wait for it.
      send();
      send();
    });
  // The main thread reads too, a file at a time, letting the workers' replies in between.
  const here = async (): Promise<void> => {
    for (let index = take(); index !== undefined; index = take()) {
      read[index] = readPolicyPart(sources[index]!);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  try {
    const workerCount = options.mainReads === false ? jobs : jobs - 1;
    await Promise.all([...(options.mainReads === false ? [] : [here()]), ...Array.from({ length: workerCount }, inWorker)]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return mergePolicyParts(names, read);
}
