// One worker thread of the parallel policy reader (src/policy/read-parallel.ts): reads the
// policy files' texts it is sent, one at a time, and sends back what each yields. It reads
// no file itself: the main thread read them through the repo's checks (RepoFiles).

import { parentPort } from 'node:worker_threads';
import type { ToPolicyWorker, FromPolicyWorker } from './read-parallel.js';
import { readPolicyPart } from './validate.js';

const port = parentPort!;
port.on('message', (message: ToPolicyWorker) => {
  const reply: FromPolicyWorker = { index: message.index, read: readPolicyPart(message.source) };
  port.postMessage(reply);
});
