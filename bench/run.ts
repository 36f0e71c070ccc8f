// `npm run bench`: mailrec audit over a synthetic estate served by a real BIND on loopback,
// against a baseline measured in the same run, at several sizes; then `plan` for a
// 1,000-domain policy. Figures are printed, not asserted (docs/performance.md).
//
//   npm run bench                              # 1,000 / 3,000 / 10,000 domains
//   BENCH_SIZES=1000,3000 npm run bench        # other sizes
//   npm run bench -- --large                   # also 100,000 domains (memory; takes a while)
//   npm run bench -- --no-baseline --no-census --no-plan --concurrency 64
//   npm run bench -- --hostile                 # only plan on special and huge files (docs/security.md)
//   npm run bench -- --sizes '' --no-plan --no-dmarc --no-fetch   # only report html (bench/site.ts; --no-site skips it)
//   BENCH_FETCH_SIZES=1000 npm run bench -- --sizes '' --no-plan --no-dmarc   # only reports fetch
//   BENCH_PLAN_SIZES=1000,10000 BENCH_IMPORT_SIZES=20000 npm run bench    # plan/import at scale (bench/scale.ts)
//   BENCH_ONE_ZONE_SIZES=1000,10000 npm run bench    # plan of one zone with N subdomains (the default sizes)
//   npm run bench -- --before 3c7da49          # the "before" build for CPU ms/domain and scale; --before none: leave out
//   npm run bench -- --no-latency --no-jobs    # without the latency model and the --jobs section (issue 18)
//
// Everything it starts listens on 127.0.0.1 only and is stopped at the end.

import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAuditOutput } from '../src/audit/merge.js';
import type { DomainJson } from '../src/audit/summary.js';
import { median } from '../src/base/median.js';
import { startBenchBind, type BenchBind } from './bind.js';
import { EXPECTED_CODE, makeDkimKeys, profileCounts, profileOf, SELECTOR, type DkimKeys, type Profile } from './estate.js';
import { writeDomainList, writeEstate } from './files.js';
import { runFetchBench } from './fetch.js';
import { runHostileBench } from './hostile.js';
import { runSiteBench } from './site.js';
import { runMeasured, type ChildRun } from './measure.js';
import { timeComputePlan, writePlanRepo } from './plan.js';
import { buildBefore, type BeforeBuild } from './before-build.js';
import { runScaleBench } from './scale.js';
import { runJobsBench } from './jobs.js';
import { runLatencyBench } from './latency.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root: dist/bench/ -> ../.. */
const ROOT = resolve(HERE, '..', '..');
const MAILREC = join(ROOT, 'bin', 'mailrec');

interface Args {
  sizes: number[];
  large: number | undefined;
  baseline: boolean;
  census: boolean;
  plan: boolean;
  concurrency: number | undefined;
  keep: boolean;
  dmarc: boolean;
  /** Report messages fetched from the test Dovecot at each size ([] with --no-fetch). */
  fetch: number[];
  /** Only the hostile-files section (it runs after the others otherwise). */
  hostileOnly: boolean;
  /** The latency model (bench/latency.ts) and the --jobs section (bench/jobs.ts). */
  latency: boolean;
  jobs: boolean;
  /** report html over a 30-run history (bench/site.ts). */
  site: boolean;
  /** Plan and import at scale (bench/scale.ts); [] to leave out. */
  planSizes: number[];
  oneZoneSizes: number[];
  importSizes: number[];
  aliases: boolean;
  /** The commit built as the "before" of CPU ms/domain and the scale figures (none: no before). */
  before: string | undefined;
}

/** The commit before issue 18's CPU and scale work: the "before" build unless --before says otherwise. */
const DEFAULT_BEFORE = '3c7da49';

/** "1000,3000" -> [1000, 3000]; "" -> [] (only --large, or only the plan). */
function sizesOf(text: string): number[] {
  return text.split(',').filter((s) => s.trim() !== '').map((s) => Number(s.trim()));
}

function parseArgs(argv: string[]): Args {
  const env = process.env.BENCH_SIZES;
  const args: Args = {
    sizes: env !== undefined ? sizesOf(env) : [1000, 3000, 10000],
    large: undefined,
    baseline: true,
    census: true,
    plan: true,
    concurrency: undefined,
    keep: false,
    dmarc: true,
    fetch: sizesOf(process.env.BENCH_FETCH_SIZES ?? '2000,10000'),
    hostileOnly: false,
    latency: true,
    jobs: true,
    site: true,
    planSizes: sizesOf(process.env.BENCH_PLAN_SIZES ?? '1000,10000,100000'),
    oneZoneSizes: sizesOf(process.env.BENCH_ONE_ZONE_SIZES ?? '1000,10000'),
    importSizes: sizesOf(process.env.BENCH_IMPORT_SIZES ?? '20000,200000'),
    aliases: true,
    before: DEFAULT_BEFORE,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--large') args.large = 100_000;
    else if (a.startsWith('--large=')) args.large = Number(a.slice('--large='.length));
    else if (a === '--sizes') args.sizes = sizesOf(argv[++i] ?? '');
    else if (a === '--no-baseline') args.baseline = false;
    else if (a === '--no-census') args.census = false;
    else if (a === '--no-plan') args.plan = false;
    else if (a === '--concurrency') args.concurrency = Number(argv[++i]);
    else if (a === '--keep') args.keep = true;
    else if (a === '--no-dmarc') args.dmarc = false;
    else if (a === '--no-fetch') args.fetch = [];
    else if (a === '--no-latency') args.latency = false;
    else if (a === '--no-jobs') args.jobs = false;
    else if (a === '--no-site') args.site = false;
    else if (a === '--no-scale') Object.assign(args, { planSizes: [], oneZoneSizes: [], importSizes: [], aliases: false });
    else if (a === '--before') args.before = argv[++i] === 'none' ? undefined : argv[i];
    else if (a === '--hostile') Object.assign(args, { hostileOnly: true, sizes: [], plan: false, dmarc: false, fetch: [], latency: false, jobs: false, site: false, planSizes: [], oneZoneSizes: [], importSizes: [], aliases: false });
    else throw new Error(`unknown argument ${a} (see the header of bench/run.ts)`);
  }
  if (args.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad sizes: ${args.sizes.join(',')}`);
  return args;
}

interface AuditFigures {
  n: number;
  wallMs: number;
  domainsPerS: number;
  queries: number;
  maxRssMiB: number;
  cpuS: number;
  bindCpuS: number;
  reported: number;
  defects: { found: number; planted: number; misses: string[] };
}

async function auditRun(bind: BenchBind, n: number, listFile: string, outFile: string, dir: string, concurrency: number | undefined, bin = MAILREC, extra: string[] = []): Promise<AuditFigures> {
  const q0 = await bind.queries();
  const b0 = await bind.cpuSeconds();
  const args = [bin, 'audit', '--resolver', `127.0.0.1:${bind.port}`, '--domains-file', listFile, '--format', 'json', '--no-probe', '--selector', SELECTOR];
  if (concurrency !== undefined) args.push('--concurrency', String(concurrency));
  args.push(...extra);
  const run = await runMeasured(args, outFile, dir);
  const queries = (await bind.queries()) - q0;
  const bindCpuS = (await bind.cpuSeconds()) - b0;
  if (run.code !== 0 && run.code !== 2) throw new Error(`mailrec audit exited ${run.code}:\n${run.stderr}`);
  // Did the audit find what was planted? Each defect profile has the code it must produce.
  // Read line by line: a 100,000-domain stream is 300 MB, and this process must stay small
  // (the DMARC bench after it measures its own memory).
  let found = 0;
  let planted = 0;
  let reported = 0;
  const misses: string[] = [];
  const check = (d: DomainJson): void => {
    reported++;
    const i = Number(/^d(\d+)\./.exec(d.domain)?.[1]);
    const expected = EXPECTED_CODE[profileOf(i)];
    if (!expected) return;
    planted++;
    if (d.findings.some((f) => f.code === expected)) found++;
    else if (misses.length < 5) misses.push(`${d.domain} (${profileOf(i)}): no ${expected}`);
  };
  const lines = createInterface({ input: createReadStream(outFile, 'utf8'), crlfDelay: Infinity });
  let first: string | undefined;
  let summary = false;
  for await (const line of lines) {
    first ??= line;
    if (first === '{') break; // a pretty-printed document, not a stream: read it whole below
    const v = JSON.parse(line) as { type?: string } & DomainJson;
    if (v.type === 'domain') check(v);
    else if (v.type === 'summary') summary = true;
  }
  if (first === '{') {
    const parsed = parseAuditOutput(await readFile(outFile, 'utf8'), outFile);
    if (!parsed.ok) throw new Error(parsed.message);
    for (const d of parsed.part.domains) check(d);
    summary = true;
  }
  if (!summary) throw new Error(`${outFile}: no summary line: the audit did not finish`);
  return {
    n,
    wallMs: run.wallMs,
    domainsPerS: (n / run.wallMs) * 1000,
    queries,
    maxRssMiB: run.maxRssMiB,
    cpuS: run.cpuS,
    bindCpuS,
    reported,
    defects: { found, planted, misses },
  };
}

/** The same audit again with BIND's query log on: every (name, type) it asked, and how often. */
async function censusRun(bind: BenchBind, listFile: string, dir: string, concurrency: number | undefined): Promise<{ logged: number; distinct: number }> {
  const stop = await bind.startQueryLog();
  const args = [MAILREC, 'audit', '--resolver', `127.0.0.1:${bind.port}`, '--domains-file', listFile, '--format', 'json', '--no-probe', '--selector', SELECTOR];
  if (concurrency !== undefined) args.push('--concurrency', String(concurrency));
  const run = await runMeasured(args, undefined, dir);
  const questions = await stop();
  if (run.code !== 0 && run.code !== 2) throw new Error(`census audit exited ${run.code}:\n${run.stderr}`);
  return { logged: questions.length, distinct: new Set(questions.map((q) => `${q.name} ${q.type}`)).size };
}

interface BaselineFigures {
  wallMs: number;
  domainsPerS: number;
  queries: number;
  distinct: number;
  maxRssMiB: number;
  cpuS: number;
}

async function baselineRun(bind: BenchBind, n: number, listFile: string, dir: string): Promise<BaselineFigures> {
  const q0 = await bind.queries();
  const outFile = join(dir, `baseline-${n}.json`);
  const run = await runMeasured([join(HERE, 'baseline.js'), `127.0.0.1:${bind.port}`, listFile, '16'], outFile, dir);
  const queries = (await bind.queries()) - q0;
  if (run.code !== 0) throw new Error(`baseline exited ${run.code}:\n${run.stderr}`);
  const result = JSON.parse(await readFile(outFile, 'utf8')) as { elapsedMs: number; queries: number; distinct: number };
  return { wallMs: run.wallMs, domainsPerS: (n / run.wallMs) * 1000, queries, distinct: result.distinct, maxRssMiB: run.maxRssMiB, cpuS: run.cpuS };
}

/** A process's CPU per query it sent (queries counted at BIND): the two auditors' cost per question, whatever each asks. */
const perQuery = (cpuS: number, queries: number): string => `${fmt((cpuS * 1e6) / Math.max(1, queries))} µs a query`;

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} CPUs (${cpu}), Node ${process.version}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

async function withEstate<T>(n: number, keys: DkimKeys, keep: boolean, body: (dir: string, bind: BenchBind) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mailrec-bench-'));
  const started = performance.now();
  const estate = await writeEstate(dir, n, keys);
  const bind = await startBenchBind(dir, estate.zones);
  console.log(`  estate of ${fmt(n)} domains written and loaded by BIND (port ${bind.port}, ${fmt(await bind.rssMiB())} MiB) in ${fmt((performance.now() - started) / 1000, 1)} s`);
  try {
    return await body(dir, bind);
  } finally {
    await bind.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
    else console.log(`  kept ${dir}`);
  }
}

function printCounts(n: number): void {
  const counts = profileCounts(n);
  const parts = (Object.entries(counts) as [Profile, number][]).map(([p, c]) => `${p} ${fmt(c)}`);
  console.log(`  profiles: ${parts.join(', ')}`);
}

/** Runs of each build in cpuBeforeAfter: one pair of runs read −12 % in one bench run and +4 % in the next, the code unchanged. */
const CPU_PAIRS = 3;

/**
 * CPU ms per audited domain, this build against the "before" build, on the same list and
 * server: CPU_PAIRS pairs, the two builds alternating, so that a slow minute of the machine
 * falls on both. The fewest planted defects any run found is printed with them.
 */
async function cpuBeforeAfter(bind: BenchBind, n: number, listFile: string, dir: string, concurrency: number | undefined, now: AuditFigures, before: BeforeBuild): Promise<void> {
  const perDomain = (a: AuditFigures): number => (a.cpuS * 1000) / n;
  const ms = (x: number): string => `${fmt(x, 3)} ms`;
  const pairs: { then: AuditFigures; single: AuditFigures }[] = [];
  for (let i = 0; i < CPU_PAIRS; i++) {
    const then = await auditRun(bind, n, listFile, join(dir, `audit-before-${n}.json`), dir, concurrency, before.bin);
    // The before build runs one thread: so does --jobs 1, the like-for-like figure (worker threads cost CPU of their own).
    const single = await auditRun(bind, n, listFile, join(dir, `audit-jobs1-${n}.json`), dir, concurrency, MAILREC, ['--jobs', '1']);
    pairs.push({ then, single });
  }
  const ratios = pairs.map((p) => perDomain(p.single) / perDomain(p.then));
  const lower = ratios.filter((r) => r < 1).length;
  console.log(
    `           CPU per domain: ${ms(perDomain(now))} this build (default flags); ${CPU_PAIRS} alternating pairs, --jobs 1 against before (${before.rev}, one thread): ` +
      pairs.map((p, i) => `${ms(perDomain(p.single))} / ${ms(perDomain(p.then))} (${fmt((ratios[i]! - 1) * 100, 1)} %)`).join(', '),
  );
  console.log(
    `           median ${ms(median(pairs.map((p) => perDomain(p.single))))} against ${ms(median(pairs.map((p) => perDomain(p.then))))}, median change ${fmt((median(ratios) - 1) * 100, 1)} %; lower in ${lower} of ${CPU_PAIRS} pairs; --jobs 1 ${fmt(median(pairs.map((p) => p.single.domainsPerS)))} domains/s, before ${fmt(median(pairs.map((p) => p.then.domainsPerS)))} domains/s; defects found at least ${fmt(Math.min(...pairs.map((p) => p.single.defects.found)))} and ${fmt(Math.min(...pairs.map((p) => p.then.defects.found)))} of ${fmt(now.defects.planted)}`,
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(`mailrec bench — ${machine()}`);
  const keys = makeDkimKeys();
  const before = args.before !== undefined && (args.sizes.length > 0 || args.planSizes.length > 0 || args.oneZoneSizes.length > 0 || args.importSizes.length > 0 || args.aliases) ? buildBefore(ROOT, args.before) : undefined;
  if (before) console.log(`"before" build: ${before.rev} (${before.commit.slice(0, 12)}), built in a temporary directory`);
  const sizes = [...new Set(args.sizes)].sort((a, b) => a - b);
  const rows: { n: number; audit: AuditFigures; census?: { logged: number; distinct: number }; baseline?: BaselineFigures }[] = [];

  if (sizes.length > 0) {
    const maxN = sizes.at(-1)!;
    console.log(`\naudit: one estate of ${fmt(maxN)} domains, the first N audited at each size`);
    printCounts(maxN);
    await withEstate(maxN, keys, args.keep, async (dir, bind) => {
      for (const n of sizes) {
        const listFile = join(dir, `domains-${n}.txt`);
        if (!existsSync(listFile)) await writeDomainList(listFile, n);
        const audit = await auditRun(bind, n, listFile, join(dir, `audit-${n}.json`), dir, args.concurrency);
        const row: (typeof rows)[number] = { n, audit };
        console.log(
          `  ${fmt(n).padStart(7)} domains: ${fmt(audit.domainsPerS)} domains/s, ${fmt(audit.queries / n, 1)} queries/domain, peak RSS ${fmt(audit.maxRssMiB)} MiB, CPU ${fmt(audit.cpuS, 1)} s (${perQuery(audit.cpuS, audit.queries)}; BIND ${fmt(audit.bindCpuS, 1)} s); defects found ${fmt(audit.defects.found)}/${fmt(audit.defects.planted)}`,
        );
        for (const miss of audit.defects.misses) console.log(`      missed: ${miss}`);
        if (before && n === sizes.filter((s) => s <= 10_000).at(-1)) await cpuBeforeAfter(bind, n, listFile, dir, args.concurrency, audit, before);
        if (args.census && n <= 10_000) {
          row.census = await censusRun(bind, listFile, dir, args.concurrency);
          console.log(`           census: ${fmt(row.census.distinct)} distinct questions, ${fmt(row.census.logged)} asked (${fmt(row.census.logged / row.census.distinct, 3)} per distinct question)`);
        }
        if (args.baseline) {
          row.baseline = await baselineRun(bind, n, listFile, dir);
          const b = row.baseline;
          console.log(
            `           baseline (mailauth SPF + DMARC fetch, 16 at a time): ${fmt(b.domainsPerS)} domains/s, ${fmt(b.queries / n, 1)} queries/domain, ${fmt(b.distinct)} distinct (${fmt(b.queries / b.distinct, 2)} per distinct), peak RSS ${fmt(b.maxRssMiB)} MiB, CPU ${fmt(b.cpuS, 1)} s (${perQuery(b.cpuS, b.queries)})`,
          );
        }
        rows.push(row);
      }
    });
  }

  if (args.large !== undefined) {
    const n = args.large;
    console.log(`\nlarge: ${fmt(n)} domains, streamed NDJSON (memory)`);
    await withEstate(n, keys, args.keep, async (dir, bind) => {
      const audit = await auditRun(bind, n, join(dir, `domains-${n}.txt`), join(dir, `audit-${n}.ndjson`), dir, args.concurrency);
      rows.push({ n, audit });
      console.log(
        `  ${fmt(n).padStart(7)} domains: ${fmt(audit.domainsPerS)} domains/s, ${fmt(audit.queries / n, 1)} queries/domain, peak RSS ${fmt(audit.maxRssMiB)} MiB, CPU ${fmt(audit.cpuS, 1)} s (BIND ${fmt(audit.bindCpuS, 1)} s); defects found ${fmt(audit.defects.found)}/${fmt(audit.defects.planted)}`,
      );
    });
  }

  if (rows.length > 0) {
    // Ratios are mailrec ÷ baseline. The baseline does less per domain (SPF and a DMARC
    // record only), so questions answered a second compare the two engines more fairly.
    console.log('\n| domains | mailrec domains/s | queries/domain | distinct questions | queries per distinct | peak RSS MiB | baseline domains/s | baseline queries/domain | baseline queries per distinct | domains/s ratio | questions/s ratio |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const { n, audit, census, baseline } of rows) {
      const qps = audit.queries / (audit.wallMs / 1000);
      const cells = [
        fmt(n),
        fmt(audit.domainsPerS),
        fmt(audit.queries / n, 1),
        census ? fmt(census.distinct) : '–',
        census ? fmt(audit.queries / census.distinct, 3) : '–',
        fmt(audit.maxRssMiB),
        baseline ? fmt(baseline.domainsPerS) : '–',
        baseline ? fmt(baseline.queries / n, 1) : '–',
        baseline ? fmt(baseline.queries / baseline.distinct, 2) : '–',
        baseline ? `${fmt(audit.domainsPerS / baseline.domainsPerS, 2)}×` : '–',
        baseline ? `${fmt(qps / (baseline.queries / (baseline.wallMs / 1000)), 2)}×` : '–',
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }

  // Issue 18: all cores on loopback, then a resolver 20 ms away (with and without loss).
  if (args.jobs) {
    console.log('\njobs: default flags, --jobs 1 and --jobs 2 straight to BIND (census at the largest size)');
    await runJobsBench(keys, sizesOf(process.env.BENCH_JOBS_SIZES ?? '1000,3000,10000'), args.keep);
  }
  if (args.latency) {
    console.log('\nlatency model: through a proxy that holds each answer back 20 ms (and one that also loses 5 %)');
    await runLatencyBench(keys, Number(process.env.BENCH_LATENCY_N ?? 10_000), Number(process.env.BENCH_LATENCY_LOSS_N ?? 3000), args.keep);
  }
  if (args.planSizes.length > 0 || args.oneZoneSizes.length > 0 || args.importSizes.length > 0 || args.aliases) {
    await runScaleBench(MAILREC, {
      planSizes: args.planSizes,
      oneZoneSizes: args.oneZoneSizes,
      importSizes: args.importSizes,
      aliases: args.aliases,
      keep: args.keep,
      ...(before ? { before: { bin: before.bin, label: `the before build (${before.rev})`, planUpTo: 10_000, importUpTo: 20_000 } } : {}),
    });
  }
  before?.remove();

  if (args.plan) {
    const n = 1000;
    console.log(`\nplan: a policy of ${fmt(n)} domains, one zone each`);
    const dir = await mkdtemp(join(tmpdir(), 'mailrec-bench-plan-'));
    try {
      await writePlanRepo(dir, n);
      const first = await timeComputePlan(dir, 1);
      const apply = await runMeasured([MAILREC, 'apply'], undefined, dir);
      if (apply.code !== 0) throw new Error(`apply exited ${apply.code}:\n${apply.stderr}`);
      const inProcess = await timeComputePlan(dir, 3);
      const cli: ChildRun[] = [];
      for (let i = 0; i < 3; i++) cli.push(await runMeasured([MAILREC, 'plan', '--detailed-exitcode'], undefined, dir));
      if (cli.some((r) => r.code !== 0)) throw new Error(`plan after apply should exit 0:\n${cli.map((r) => r.stderr).join('\n')}`);
      const best = (xs: number[]) => Math.min(...xs);
      console.log(`  computePlan before apply (${fmt(first.changes)} changes): ${fmt(first.ms[0]!)} ms`);
      console.log(`  computePlan after apply (no changes): best ${fmt(best(inProcess.ms))} ms of ${inProcess.ms.map((m) => fmt(m)).join(', ')}`);
      console.log(`  mailrec plan --detailed-exitcode (whole command, Node start included): best ${fmt(best(cli.map((r) => r.wallMs)))} ms of ${cli.map((r) => fmt(r.wallMs)).join(', ')}, peak RSS ${fmt(Math.max(...cli.map((r) => r.maxRssMiB)))} MiB`);
    } finally {
      if (!args.keep) await rm(dir, { recursive: true, force: true });
    }
  }

  // The DMARC report benchmark (bench/dmarc.ts), when it is there: runDmarcBench() in a
  // process of its own, so that its memory figures are its own and not this one's.
  if (args.dmarc && existsSync(join(HERE, 'dmarc.js'))) {
    console.log('\ndmarc:');
    const url = pathToFileURL(join(HERE, 'dmarc.js')).href;
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); await m.runDmarcBench();`], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('exit', done);
    });
    if (code !== 0) console.log(`  dmarc bench exited ${code}`);
  }
  if (args.fetch.length > 0) {
    console.log(`\nreports fetch: ${args.fetch.map((n) => fmt(n)).join(' and ')} report messages from the test Dovecot, archived`);
    await runFetchBench(args.fetch);
  }
  if (args.site) {
    console.log('\nreport html: 1,000 domains over 30 runs and a report archive');
    await runSiteBench({ mailrec: MAILREC, cwd: ROOT, keep: args.keep });
  }
  await runHostileBench(MAILREC, ROOT);
  console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
