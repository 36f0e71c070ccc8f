// All cores (`npm run bench`, section "jobs"): mailrec audit straight to the bench's BIND on
// loopback with the default flags (adaptive concurrency, --jobs = cores from 2,000 domains),
// with --jobs 1 and with --jobs 2 at several sizes (where a second worker starts to pay), and
// the census at the largest size: queries at the server per distinct question with one job
// and with two (each worker has its own cache: a question shared by domains of both workers
// is asked by each).
//
//   node dist/bench/jobs.js [SIZES]     # alone: 1000,3000,10000

import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { auditPass, type AuditPass } from './audit-pass.js';
import { startBenchBind } from './bind.js';
import { makeDkimKeys, type DkimKeys } from './estate.js';
import { writeDomainList, writeEstate } from './files.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const MAILREC = join(resolve(HERE, '..', '..'), 'bin', 'mailrec');

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export interface JobsRow {
  n: number;
  setting: string;
  pass: AuditPass;
  census?: { queries: number; distinct: number };
}

export async function runJobsBench(keys: DkimKeys, sizes = [1000, 3000, 10_000], keep = false): Promise<JobsRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mailrec-bench-jobs-'));
  const maxN = Math.max(...sizes);
  const estate = await writeEstate(dir, maxN, keys);
  const bind = await startBenchBind(dir, estate.zones);
  const rows: JobsRow[] = [];
  console.log(`  ${availableParallelism()} cores: the default is --jobs ${availableParallelism()} from 2,000 domains`);
  try {
    for (const n of sizes) {
      const listFile = join(dir, `domains-${n}.txt`);
      await writeDomainList(listFile, n);
      for (const s of [
        { setting: 'default', args: [] as string[] },
        { setting: '--jobs 1', args: ['--jobs', '1'] },
        { setting: '--jobs 2', args: ['--jobs', '2'] },
      ]) {
        const census = n === maxN && s.setting !== 'default';
        const q0 = await bind.queries();
        const stop = census ? await bind.startQueryLog() : undefined;
        const pass = await auditPass(MAILREC, bind.port, listFile, n, dir, s.args, 'jobs.ndjson');
        const queries = (await bind.queries()) - q0;
        const logged = stop ? await stop() : undefined;
        const row: JobsRow = { n, setting: s.setting, pass, ...(logged ? { census: { queries, distinct: new Set(logged.map((q) => `${q.name} ${q.type}`)).size } } : {}) };
        rows.push(row);
        console.log(
          `  ${fmt(n).padStart(6)} domains ${s.setting.padEnd(9)}: ${fmt(pass.domainsPerS).padStart(5)} domains/s, CPU ${fmt(pass.cpuS, 1)} s, peak RSS ${fmt(pass.maxRssMiB)} MiB, ${fmt(queries / n, 1)} queries/domain, defects ${fmt(pass.found)}/${fmt(pass.planted)}, unknown ${fmt(pass.unknown)}` +
            (row.census ? `; census (query log on): ${fmt(row.census.distinct)} distinct questions, ${fmt(row.census.queries / row.census.distinct, 4)} queries per distinct` : ''),
        );
      }
    }
  } finally {
    await bind.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`jobs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const sizes = (process.argv[2] ?? '1000,3000,10000').split(',').map(Number);
  await runJobsBench(makeDkimKeys(), sizes);
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
