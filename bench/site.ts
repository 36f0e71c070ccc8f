// Benchmark of `mailrec report html`: the site for 1,000 domains over a history of 30 runs
// plus a report archive, built by the real command in a child process (wall time and peak
// RSS as the child saw them), against a baseline in the same run: a child that only reads
// and parses the same 30 runs with the history store (the floor any site build pays).
// Prints figures; asserts nothing. runSiteBench() is what `npm run bench` calls.
//
//   BENCH_SITE_DOMAINS=3000 BENCH_SITE_RUNS=90 npm run bench -- --sizes '' --no-plan --no-dmarc --no-fetch

import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { domainName, writeSyntheticArchive, writeSyntheticHistory } from '../harness/site-history.js';
import { runMeasured } from './measure.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface SiteBenchOptions {
  mailrec: string;
  cwd: string;
  domains?: number;
  runs?: number;
  /** Domains with DMARC and TLS reports in the archive, one report per receiver and day. */
  reportDomains?: number;
  days?: number;
  keep?: boolean;
}

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

export async function runSiteBench(options: SiteBenchOptions): Promise<void> {
  const domains = options.domains ?? Number(process.env.BENCH_SITE_DOMAINS ?? 1000);
  const runs = options.runs ?? Number(process.env.BENCH_SITE_RUNS ?? 30);
  const reportDomains = Math.min(domains, options.reportDomains ?? 30);
  const days = options.days ?? 30;
  const dir = await mkdtemp(join(tmpdir(), 'mailrec-bench-site-'));
  try {
    const started = performance.now();
    writeSyntheticHistory(join(dir, 'history'), { domains, runs });
    const archive = await writeSyntheticArchive(dir, join(dir, 'reports'), { domains: Array.from({ length: reportDomains }, (_, i) => domainName(i)), days });
    const history = await sizeOf(join(dir, 'history'));
    console.log(
      `  history of ${fmt(runs)} runs x ${fmt(domains)} domains (${fmt(history.bytes / 2 ** 20, 1)} MiB gzipped) and an archive of ${fmt(archive.dmarc)} DMARC and ${fmt(archive.tls)} TLS reports (${fmt(reportDomains)} domains, ${days} days) written in ${fmt((performance.now() - started) / 1000, 1)} s`,
    );
    const env = { MAILREC_NOW: '2026-12-07T07:00:00Z' };
    const base = await runMeasured([join(HERE, 'site-baseline.js'), join(dir, 'history')], undefined, dir, env);
    if (base.code !== 0) throw new Error(`site baseline exited ${base.code}:\n${base.stderr}`);
    const site = await runMeasured([options.mailrec, 'report', 'html', '--history', 'history', '--reports', 'reports', '--since', `${days + 1}d`, '--out', 'site'], undefined, dir, env);
    if (site.code !== 0) throw new Error(`mailrec report html exited ${site.code}:\n${site.stderr}`);
    const out = await sizeOf(join(dir, 'site'));
    console.log(`  baseline (read and parse the ${fmt(runs)} runs with the history store, nothing else): ${fmt(base.wallMs / 1000, 2)} s, peak RSS ${fmt(base.maxRssMiB)} MiB`);
    console.log(
      `  mailrec report html: ${fmt(site.wallMs / 1000, 2)} s (${fmt(site.cpuS, 2)} s CPU), peak RSS ${fmt(site.maxRssMiB)} MiB; ${fmt(out.files)} pages, ${fmt(out.bytes / 2 ** 20, 1)} MiB (${fmt(out.bytes / out.files / 1024, 1)} KiB a page); ${fmt(site.wallMs / base.wallMs, 2)}x the baseline's time`,
    );
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
    else console.log(`  kept ${dir}`);
  }
}
