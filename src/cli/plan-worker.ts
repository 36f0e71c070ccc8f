// One worker thread of a plan streamed over several threads (plan-parallel.ts): reads the
// zones it is told of ahead of their turn, then plans and renders them a batch at a time. It
// reads fragments, zone files and generated files through a RepoFiles of its own, made with
// the main thread's root and allowed paths: the same checks and caps.

import { parentPort, workerData } from 'node:worker_threads';
import { RepoFiles } from '../base/repo-files.js';
import { errorToWire, type WireError } from '../base/wire-error.js';
import { readFragmentStateNow } from '../plan/fragment-state.js';
import type { ZoneState } from '../plan/plan.js';
import { styleFor } from './io.js';
import type { FromPlanWorker, PlanWorkerSetup, ToPlanWorker } from './plan-parallel.js';
import { planZoneText, type ZoneText } from './plan-zone-job.js';

const setup = workerData as PlanWorkerSetup;
const files = new RepoFiles(setup.root, { allowOutside: setup.allowOutside });
const style = styleFor(setup.colour);
const port = parentPort!;

/** Zones read ahead, by apex, until their turn: the state, or the error reading it gave (thrown at the zone's turn, as one thread would). */
const readAhead = new Map<string, { state: ZoneState } | { error: WireError }>();

port.on('message', (message: ToPlanWorker) => {
  if (message.kind === 'read') {
    for (const config of message.configs) {
      try {
        readAhead.set(config.apex, { state: readFragmentStateNow(files, config) });
      } catch (error) {
        readAhead.set(config.apex, { error: errorToWire(error) });
      }
    }
    return;
  }
  const done: ZoneText[] = [];
  let failed: WireError | undefined;
  for (const job of message.jobs) {
    const read = readAhead.get(job.config.apex);
    readAhead.delete(job.config.apex);
    // A state the main thread read (for the SPF builder) is the one to plan against. After an
    // error the zones that follow are not planned: the main thread throws it at the zone's turn.
    if (!job.have && read && 'error' in read) {
      failed = read.error;
      break;
    }
    try {
      const have = job.have ?? (read && 'state' in read ? read.state : undefined);
      done.push(planZoneText(files, have ? { ...job, have } : job, style));
    } catch (error) {
      failed = errorToWire(error);
      break;
    }
  }
  port.postMessage({ seq: message.seq, done, ...(failed === undefined ? {} : { failed }) } satisfies FromPlanWorker);
});
