// One worker thread of a plan streamed over several threads (plan-parallel.ts): plans and
// renders the zones it is sent, a batch at a time, reading their fragments, zone files and
// generated files through a RepoFiles of its own, made with the main thread's root and
// allowed paths (the same checks and caps).

import { parentPort, workerData } from 'node:worker_threads';
import { RepoFiles } from '../base/repo-files.js';
import { errorToWire, type WireError } from '../base/wire-error.js';
import { styleFor } from './io.js';
import type { FromPlanWorker, PlanWorkerSetup, ToPlanWorker } from './plan-parallel.js';
import { planZoneText, type ZoneText } from './plan-zone-job.js';

const setup = workerData as PlanWorkerSetup;
const files = new RepoFiles(setup.root, { allowOutside: setup.allowOutside });
const style = styleFor(setup.colour);
const port = parentPort!;

port.on('message', (batch: ToPlanWorker) => {
  const done: ZoneText[] = [];
  let failed: WireError | undefined;
  for (const job of batch.jobs) {
    try {
      done.push(planZoneText(files, job, style));
    } catch (error) {
      // The zones after it are not planned: the main thread throws this error at its turn, as one thread would.
      failed = errorToWire(error);
      break;
    }
  }
  port.postMessage({ seq: batch.seq, done, ...(failed === undefined ? {} : { failed }) } satisfies FromPlanWorker);
});
