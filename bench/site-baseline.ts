// The site benchmark's baseline, run as a child: every run of a history read and parsed with
// the history store, and nothing else; prints how many domains it saw.

import { listRuns, readRun } from '../src/audit/history/store.js';
import { RepoFiles } from '../src/base/repo-files.js';

const dir = process.argv[2]!;
const files = new RepoFiles(dir);
let domains = 0;
for (const run of listRuns(files, dir)) domains += readRun(files, run.file).domains.length;
process.stdout.write(`${domains}\n`);
