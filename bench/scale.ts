// Plan and import at scale (docs/performance.md, "Plan and import at scale"): the whole
// `mailrec plan` command on repos of 1,000 / 10,000 / 100,000 one-domain zones (policy split
// into files of 5,000 domains: a policy file is capped at 16 MiB), before and after `apply`;
// a 1,000-domain policy written with 2,000 YAML aliases against the same policy written out;
// `mailrec import` of a zone with 20,000 and 200,000 MX records (four a domain). Wall time, CPU and peak RSS
// of each child; the "before" build (bench/before-build.ts), when given, at the sizes it
// finishes in reasonable time.

import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAN_JOBS_FROM_ZONES } from '../src/cli/plan-parallel.js';
import { runMeasured, type ChildRun } from './measure.js';
import { writeOneZoneRepo, writePlanRepo, type SharedBlocks } from './plan.js';

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const line = (what: string, r: ChildRun): string => `${what}: ${fmt(r.wallMs / 1000, 2)} s, CPU ${fmt(r.cpuS, 1)} s, peak RSS ${fmt(r.maxRssMiB)} MiB`;

export interface ScaleOptions {
  planSizes: number[];
  /** Sizes of the one-zone repo (n subdomains in example.edu). */
  oneZoneSizes: number[];
  importSizes: number[];
  aliases: boolean;
  /** bin/mailrec of the "before" build, and the sizes up to which it is run too. */
  before?: { bin: string; label: string; planUpTo: number; importUpTo: number };
  keep: boolean;
}

async function inTempDir<T>(prefix: string, keep: boolean, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await body(dir);
  } finally {
    if (keep) console.log(`  kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

/** `mailrec plan --detailed-exitcode [args]`, which must exit as expected (2: changes, 0: none); its text to `out`. */
async function plan(bin: string, dir: string, expect: 0 | 2, args: string[] = [], out?: string): Promise<ChildRun> {
  const run = await runMeasured([bin, 'plan', '--detailed-exitcode', ...args], out, dir);
  if (run.code !== expect) throw new Error(`plan in ${dir} exited ${run.code}, not ${expect}:\n${run.stderr}`);
  return run;
}

/**
 * Where the default plan runs its zones in worker threads (plan --jobs), the same plan on one
 * thread, as the baseline in the same run; its text must be the default's byte for byte.
 */
async function oneThread(mailrec: string, dir: string, expect: 0 | 2, n: number, defaultText: string): Promise<string | undefined> {
  if (n < PLAN_JOBS_FROM_ZONES) return undefined;
  const text = join(dir, 'bench-plan-one-thread.txt');
  const run = await plan(mailrec, dir, expect, ['--jobs', '1'], text);
  const same = (await readFile(text)).equals(await readFile(defaultText));
  await rm(text, { force: true });
  if (!same) throw new Error(`plan --jobs 1 in ${dir} printed another text than the default's`);
  return line('the same with --jobs 1 (one thread; the same text)', run);
}

async function planScale(mailrec: string, options: ScaleOptions): Promise<void> {
  for (const n of options.planSizes) {
    await inTempDir('mailrec-bench-scale-', options.keep, async (dir) => {
      await writePlanRepo(dir, n, { perFile: 5000 });
      const text = join(dir, 'bench-plan.txt');
      const first = await plan(mailrec, dir, 2, [], text);
      console.log(`  ${fmt(n).padStart(7)} domains: ${line('plan before apply (every record to create)', first)}`);
      const single = await oneThread(mailrec, dir, 2, n, text);
      if (single) console.log(`           ${single}`);
      if (options.before && n <= options.before.planUpTo) console.log(`           ${line(`the same with ${options.before.label}`, await plan(options.before.bin, dir, 2))}`);
      const apply = await runMeasured([mailrec, 'apply'], undefined, dir);
      if (apply.code !== 0) throw new Error(`apply exited ${apply.code}:\n${apply.stderr}`);
      console.log(`           ${line('apply', apply)}`);
      console.log(`           ${line('plan after apply (no changes)', await plan(mailrec, dir, 0, [], text))}`);
      const singleAfter = await oneThread(mailrec, dir, 0, n, text);
      if (singleAfter) console.log(`           ${singleAfter}`);
      if (options.before && n <= options.before.planUpTo) console.log(`           ${line(`the same with ${options.before.label}`, await plan(options.before.bin, dir, 0))}`);
    });
  }
}

async function oneZoneScale(mailrec: string, options: ScaleOptions): Promise<void> {
  for (const n of options.oneZoneSizes) {
    await inTempDir('mailrec-bench-onezone-', options.keep, async (dir) => {
      await writeOneZoneRepo(dir, n);
      console.log(`  ${fmt(n).padStart(7)} subdomains: ${line('plan before apply', await plan(mailrec, dir, 2))}`);
      if (options.before && n <= options.before.planUpTo) console.log(`           ${line(`the same with ${options.before.label}`, await plan(options.before.bin, dir, 2))}`);
      const apply = await runMeasured([mailrec, 'apply'], undefined, dir);
      if (apply.code !== 0) throw new Error(`apply exited ${apply.code}:\n${apply.stderr}`);
      console.log(`           ${line('plan after apply (no changes)', await plan(mailrec, dir, 0))}`);
    });
  }
}

async function aliasBench(mailrec: string, options: ScaleOptions): Promise<void> {
  const n = 1000;
  for (const shared of ['expanded', 'aliases'] as SharedBlocks[]) {
    await inTempDir('mailrec-bench-alias-', options.keep, async (dir) => {
      await writePlanRepo(dir, n, { shared });
      const what = shared === 'aliases' ? `${fmt(n)} domains, ${fmt(2 * n - 8)} YAML aliases` : `${fmt(n)} domains, the same written out`;
      const runs = [await plan(mailrec, dir, 2), await plan(mailrec, dir, 2)];
      const best = runs.reduce((a, b) => (a.wallMs <= b.wallMs ? a : b));
      console.log(`  ${line(`${what}, plan (best of 2)`, best)}`);
      if (options.before) console.log(`  ${line(`${what}, plan with ${options.before.label}`, await plan(options.before.bin, dir, 2))}`);
    });
  }
}

/**
 * A zone example.com with n MX records: n/4 customer subdomains with four MX each (a hoster's
 * zone). Four a domain keeps the imported policy of 200,000 records under the 16 MiB a policy
 * file may have; one MX a domain would not (docs/performance.md).
 */
export async function writeImportZone(dir: string, n: number): Promise<string> {
  await mkdir(join(dir, 'zones'), { recursive: true });
  const lines = [
    '$ORIGIN example.com.',
    '$TTL 3600',
    '@ IN SOA ns1.example.com. hostmaster.example.com. 2026120701 7200 3600 1209600 3600',
    '  IN NS ns1.example.com.',
    'ns1 IN A 192.0.2.53',
    '@ IN MX 10 mx1.example.com.',
    'mx1 IN A 192.0.2.25',
  ];
  for (let i = 0; i < n; i++) lines.push(`c${Math.floor(i / 4)} IN MX ${10 * ((i % 4) + 1)} mx${i % 4}.provider${Math.floor(i / 4) % 7}.example.`);
  const file = 'zones/example.com.zone';
  await writeFile(join(dir, file), `${lines.join('\n')}\n`);
  return file;
}

async function importScale(mailrec: string, options: ScaleOptions): Promise<void> {
  for (const n of options.importSizes) {
    const once = async (bin: string): Promise<ChildRun> =>
      inTempDir('mailrec-bench-import-', options.keep, async (dir) => {
        const file = await writeImportZone(dir, n);
        const report = join(dir, 'import-report.txt');
        const run = await runMeasured([bin, 'import', '--zone-file', file, '--origin', 'example.com'], report, dir);
        if (run.code !== 0) throw new Error(`import of ${fmt(n)} MX records exited ${run.code}:\n${run.stderr}`);
        // The import's own promise, checked by it: plan against what it wrote has nothing to change.
        const text = await readFile(report, 'utf8');
        // Over 12 MiB the policy is split (imported.yaml, imported-2.yaml, ...): plan is given each.
        if (!/^mailrec plan -p policies\/imported\.yaml( -p policies\/imported-\d+\.yaml)*: no changes\.$/m.test(text)) throw new Error(`import of ${fmt(n)} MX records: its plan check is not clean:\n${text.slice(-2000)}`);
        return run;
      });
    console.log(`  ${fmt(n).padStart(7)} MX records: ${line('import', await once(mailrec))}`);
    if (options.before && n <= options.before.importUpTo) console.log(`           ${line(`the same with ${options.before.label}`, await once(options.before.bin))}`);
  }
}

export async function runScaleBench(mailrec: string, options: ScaleOptions): Promise<void> {
  if (options.planSizes.length > 0) {
    console.log(`\nplan at scale: one zone per domain, policy files of 5,000 domains (the whole command)`);
    await planScale(mailrec, options);
  }
  if (options.oneZoneSizes.length > 0) {
    console.log('\nplan at scale: one zone, N subdomains in it (the whole command)');
    await oneZoneScale(mailrec, options);
  }
  if (options.aliases) {
    console.log('\nplan with YAML aliases:');
    await aliasBench(mailrec, options);
  }
  if (options.importSizes.length > 0) {
    console.log('\nimport at scale: a zone of N MX records, four to a subdomain');
    await importScale(mailrec, options);
  }
}
