// The latency model (`npm run bench`, section "latency"): a proxy on loopback in front of the
// bench's BIND that holds every answer back by 20 ms, as a recursive resolver 20 ms away
// would, and the same with 5 % of the answers lost. mailrec audits through it with the
// default (adaptive) concurrency and with --concurrency 8 / 64 / 256.
//
//   node dist/bench/latency.js [N] [LOSS_N] [SETTINGS]   # alone: 10,000 domains, 3,000 with loss; 0 leaves a
//                                                      # model out; SETTINGS e.g. default,256 (default: all)

import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startDnsProxy } from '../harness/dns-proxy.js';
import { seededRandom } from '../harness/processes.js';
import { auditPass, type AuditPass } from './audit-pass.js';
import { startBenchBind } from './bind.js';
import { makeDkimKeys, type DkimKeys } from './estate.js';
import { writeDomainList, writeEstate } from './files.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const MAILREC = join(resolve(HERE, '..', '..'), 'bin', 'mailrec');

export interface LatencyRow {
  model: string;
  setting: string;
  pass: AuditPass;
}

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The settings compared, and how many domains each runs (the slow fixed 8 on fewer: its rate is steady). */
function settings(n: number): { setting: string; args: string[]; n: number }[] {
  return [
    { setting: 'default', args: [], n },
    { setting: '--concurrency 8', args: ['--concurrency', '8'], n: Math.min(n, 1000) },
    { setting: '--concurrency 64', args: ['--concurrency', '64'], n },
    { setting: '--concurrency 256', args: ['--concurrency', '256'], n },
  ];
}

export async function runLatencyBench(keys: DkimKeys, n = 10_000, lossN = 3000, keep = false, only?: string[]): Promise<LatencyRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mailrec-bench-latency-'));
  const rows: LatencyRow[] = [];
  const estate = await writeEstate(dir, Math.max(n, lossN), keys);
  const bind = await startBenchBind(dir, estate.zones);
  try {
    for (const model of [
      { model: '20 ms', delayMs: 20, lossRate: 0, n },
      { model: '20 ms, 5 % lost', delayMs: 20, lossRate: 0.05, n: lossN },
    ].filter((m) => m.n > 0)) {
      const proxy = await startDnsProxy({ upstreamPort: bind.port, delayMs: model.delayMs, lossRate: model.lossRate, random: seededRandom(18) });
      try {
        for (const s of settings(model.n).filter((x) => !only || only.includes(x.setting.replace('--concurrency ', '')))) {
          const listFile = join(dir, `domains-${s.n}.txt`);
          await writeDomainList(listFile, s.n);
          const pass = await auditPass(MAILREC, proxy.port, listFile, s.n, dir, [...s.args, '--verbose'], 'latency.ndjson');
          rows.push({ model: model.model, setting: s.setting, pass });
          const pacing = /adaptive concurrency: .*?\)/.exec(pass.stderr)?.[0];
          console.log(
            `  ${model.model.padEnd(16)} ${s.setting.padEnd(18)} ${fmt(s.n).padStart(6)} domains: ${fmt(pass.domainsPerS).padStart(5)} domains/s, CPU ${fmt(pass.cpuS, 1)} s, peak RSS ${fmt(pass.maxRssMiB)} MiB, defects ${fmt(pass.found)}/${fmt(pass.planted)}, unknown ${fmt(pass.unknown)}${pacing ? `; ${pacing}` : ''}`,
          );
        }
      } finally {
        await proxy.stop();
      }
    }
  } finally {
    await bind.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const mine = rows.filter((r) => r.model === model);
    const fixed = mine.filter((r) => r.setting !== 'default');
    const def = mine.find((r) => r.setting === 'default');
    if (fixed.length === 0 || !def) continue;
    const best = fixed.reduce((a, b) => (b.pass.domainsPerS > a.pass.domainsPerS ? b : a));
    console.log(`  ${model}: default ${fmt(def.pass.domainsPerS)} domains/s = ${fmt((100 * def.pass.domainsPerS) / best.pass.domainsPerS)} % of the best fixed setting (${best.setting}, ${fmt(best.pass.domainsPerS)}/s)`);
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`latency model, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await runLatencyBench(makeDkimKeys(), Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 3000), false, process.argv[4]?.split(','));
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
