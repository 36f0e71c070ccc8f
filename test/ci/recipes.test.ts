// The CI recipes of docs/ci.md, run: every `mailrec` command of the GitHub Actions
// workflow and of the GitLab CI file, with the CI variables each job would see (matrix
// shards, parallel node index), on the bundled example, offline (`--zones zones` added to
// audit commands). Checks the exit codes the recipes rely on and that the files CI systems
// read parse: the plan Markdown, the shard JSON, SARIF 2.1.0, JUnit XML. Every script's
// shell glue is also checked with `bash -n`. The Kubernetes Indexed Job's container scripts
// run under `sh` with the built CLI, one pod per completion index.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseAuditOutput } from '../../src/audit/merge.js';
import { copyExample, REPO_ROOT, runCli, type CliRun } from '../helpers/cli.js';
import { checkSarifShape } from '../report/sarif-shape.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs/ci.md'), 'utf8');

/** The fenced ```yaml recipe=NAME blocks of docs/ci.md, parsed. */
function recipe(name: string): Record<string, unknown> {
  const m = new RegExp('```yaml recipe=' + name + '\\n([\\s\\S]*?)\\n```').exec(DOC);
  if (!m) throw new Error(`docs/ci.md has no \`\`\`yaml recipe=${name} block`);
  return parseYaml(m[1]!) as Record<string, unknown>;
}

interface Job {
  name: string;
  /** Shell scripts in order (GitHub `run:` steps, GitLab `script:` entries). */
  scripts: string[];
  /** Variable values per parallel copy of the job (one copy when not parallel). */
  copies: Record<string, string>[];
}

function githubJobs(doc: Record<string, unknown>): Job[] {
  const jobs = doc.jobs as Record<string, { steps: { run?: string }[]; strategy?: { matrix?: { shard?: number[] } } }>;
  return Object.entries(jobs).map(([name, job]) => {
    const shards = job.strategy?.matrix?.shard;
    return {
      name,
      scripts: job.steps.flatMap((s) => (s.run ? [s.run] : [])),
      copies: shards
        ? shards.map((k) => ({ '${{ matrix.shard }}': String(k), '${{ strategy.job-total }}': String(shards.length) }))
        : [{}],
    };
  });
}

function gitlabJobs(doc: Record<string, unknown>): Job[] {
  return Object.entries(doc)
    .filter(([, v]) => typeof v === 'object' && v !== null && Array.isArray((v as { script?: unknown }).script))
    .map(([name, v]) => {
      const job = v as { script: string[]; parallel?: number };
      const n = job.parallel ?? 1;
      return {
        name,
        scripts: job.script,
        copies: job.parallel ? Array.from({ length: n }, (_, i) => ({ $CI_NODE_INDEX: String(i + 1), $CI_NODE_TOTAL: String(n) })) : [{}],
      };
    });
}

interface MailrecCall {
  args: string[];
  stdout?: string;
}

/** The mailrec command lines of a script: `mailrec ARGS... [> FILE]`, variables substituted, globs expanded. */
function mailrecCalls(script: string, vars: Record<string, string>, cwd: string): MailrecCall[] {
  const calls: MailrecCall[] = [];
  for (const raw of script.split('\n')) {
    let line = raw.trim();
    if (!line.startsWith('mailrec ')) continue;
    for (const [k, v] of Object.entries(vars)) line = line.split(k).join(v);
    const words = line.split(/\s+/).slice(1);
    const call: MailrecCall = { args: [] };
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w === '>') call.stdout = words[++i];
      else if (w.includes('*')) {
        const re = new RegExp(`^${w.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
        const matches = readdirSync(cwd).filter((f) => re.test(f)).sort();
        expect(matches.length, `glob ${w} matched nothing`).toBeGreaterThan(0);
        call.args.push(...matches);
      } else call.args.push(w);
    }
    expect(line, 'a recipe command uses only what this runner understands').not.toMatch(/[|&;$`'"]/);
    calls.push(call);
  }
  return calls;
}

/** Run a call in-process, offline: an audit reads the zone files instead of DNS. */
async function run(call: MailrecCall, cwd: string): Promise<CliRun> {
  const args = [...call.args];
  if (args[0] === 'audit' && args[1] !== 'merge') args.push('--zones', 'zones');
  const result = await runCli(args, { cwd });
  if (call.stdout) writeFileSync(join(cwd, call.stdout), result.stdout);
  return result;
}

/** `bash -n` on a script, GitHub expressions replaced by a word. */
function checkShell(script: string): void {
  execFileSync('bash', ['-n'], { input: script.replace(/\$\{\{[^}]*\}\}/g, 'X') });
}

function checkJunit(xml: string): { suites: number; failures: number } {
  const parser = new SaxesParser();
  let suites = 0;
  let failures = 0;
  parser.on('opentag', (tag) => {
    if (tag.name === 'testsuite') suites++;
    if (tag.name === 'failure') failures++;
  });
  parser.write(xml).close();
  return { suites, failures };
}

/** What the unsharded audit says: the verdict a merge under 80 must reproduce. */
async function expectedVerdict(cwd: string): Promise<number> {
  return (await runCli(['audit', '--zones', 'zones', '--fail-under', '80', '--format', 'json'], { cwd })).code;
}

describe('docs/ci.md: the GitHub Actions workflow', () => {
  const jobs = githubJobs(recipe('github'));
  let repo: string;
  beforeAll(() => {
    repo = copyExample();
  });

  it('has the plan, a sharded audit and a merge job, with valid shell', () => {
    expect(jobs.map((j) => j.name)).toEqual(['plan', 'audit', 'merge']);
    expect(jobs[1]!.copies.length).toBeGreaterThan(1);
    for (const job of jobs) for (const script of job.scripts) checkShell(script);
  });

  it('plan --detailed-exitcode --format markdown: exit 0 or 2, a Markdown plan for the comment', async () => {
    const calls = jobs[0]!.scripts.flatMap((s) => mailrecCalls(s, {}, repo));
    expect(calls).toEqual([{ args: ['plan', '--detailed-exitcode', '--format', 'markdown'], stdout: 'plan.md' }]);
    const result = await run(calls[0]!, repo);
    expect(result.stderr).toBe('');
    // The bundled example's policy is ahead of its fragments: changes, exit 2.
    expect(result.code).toBe(2);
    expect(readFileSync(join(repo, 'plan.md'), 'utf8')).toMatch(/^### mailrec plan\n\n\*\*Plan: \d+ to create/);
  });

  it('the matrix audits every shard, and the merge gives SARIF for code scanning and one verdict', async () => {
    const [, audit, merge] = jobs as [Job, Job, Job];
    for (const vars of audit.copies) {
      for (const call of audit.scripts.flatMap((s) => mailrecCalls(s, vars, repo))) {
        const result = await run(call, repo);
        expect(result.code, result.stderr).toBe(0);
        const parsed = parseAuditOutput(readFileSync(join(repo, call.stdout!), 'utf8'), call.stdout!);
        expect(parsed.ok && parsed.part.shard).toMatchObject({ index: Number(vars['${{ matrix.shard }}']), count: audit.copies.length });
      }
    }
    const calls = merge.scripts.flatMap((s) => mailrecCalls(s, {}, repo));
    expect(calls.map((c) => c.args.slice(0, 2))).toEqual([['audit', 'merge'], ['audit', 'merge']]);
    const sarif = await run(calls[0]!, repo);
    expect(sarif.code).not.toBe(1);
    const log = JSON.parse(readFileSync(join(repo, 'mailrec.sarif'), 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(checkSarifShape(log)).toEqual([]);
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
    // Run in the zone repo, the merge locates findings at the policy's lines, as the audit does.
    const located = (log.runs[0]!.results as { locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[] }[]).filter((r) =>
      r.locations?.some((l) => l.physicalLocation?.artifactLocation?.uri === 'policies/mail.yaml'),
    );
    expect(located.length).toBeGreaterThan(0);
    const verdict = await run(calls[1]!, repo);
    expect(verdict.code).toBe(await expectedVerdict(repo));
    expect(verdict.code).toBe(2); // the example scores under 80
    expect(verdict.stdout).toMatch(/failed: \S+ scores \d+(, under 80| on [\d.]+ of \d+ points; with the [\d.]+ unknown points counted as failed it scores \d+, under 80)/);
  });
});

describe('docs/ci.md: the GitLab CI file', () => {
  const jobs = gitlabJobs(recipe('gitlab'));
  let repo: string;
  beforeAll(() => {
    repo = copyExample();
  });

  it('has the plan, a parallel audit and a report job, with valid shell', () => {
    expect(jobs.map((j) => j.name)).toEqual(['mailrec-plan', 'mailrec-audit', 'mailrec-report']);
    expect(jobs[1]!.copies.length).toBeGreaterThan(1);
    const doc = recipe('gitlab') as Record<string, { artifacts?: { reports?: { junit?: string } } }>;
    expect(doc['mailrec-report']!.artifacts!.reports!.junit).toBe('mailrec-junit.xml');
    for (const job of jobs) for (const script of job.scripts) checkShell(script);
  });

  it('the merge request plan is written for the note and the artifact', async () => {
    const calls = jobs[0]!.scripts.flatMap((s) => mailrecCalls(s, {}, repo));
    expect(calls).toHaveLength(1);
    const result = await run(calls[0]!, repo);
    expect([0, 2]).toContain(result.code);
    expect(readFileSync(join(repo, 'plan.md'), 'utf8')).toContain('### mailrec plan');
  });

  it('parallel shards, then one JUnit report and the verdict', async () => {
    const [, audit, report] = jobs as [Job, Job, Job];
    for (const vars of audit.copies) {
      for (const call of audit.scripts.flatMap((s) => mailrecCalls(s, vars, repo))) {
        const result = await run(call, repo);
        expect(result.code, result.stderr).toBe(0);
        expect(call.stdout).toBe(`audit-${vars.$CI_NODE_INDEX}.json`);
      }
    }
    const calls = report.scripts.flatMap((s) => mailrecCalls(s, {}, repo));
    expect(calls).toHaveLength(1);
    const result = await run(calls[0]!, repo);
    expect(result.code).toBe(await expectedVerdict(repo));
    const junit = checkJunit(readFileSync(join(repo, 'mailrec-junit.xml'), 'utf8'));
    expect(junit.suites).toBeGreaterThan(2);
    expect(junit.failures).toBeGreaterThan(0);
  });

  it('a missing shard fails the report job with the shard named', async () => {
    const dir = copyExample();
    const [, audit, report] = jobs as [Job, Job, Job];
    for (const vars of audit.copies.slice(1)) for (const call of audit.scripts.flatMap((s) => mailrecCalls(s, vars, dir))) await run(call, dir);
    const result = await run(report.scripts.flatMap((s) => mailrecCalls(s, {}, dir))[0]!, dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`shard 1/${audit.copies.length} is missing`);
  });
});

describe('docs/ci.md: the Kubernetes Indexed Job', () => {
  type K8sJob = { spec: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: { containers: { command: string[]; args: string[] }[] } } } };

  /** Runs a container's `sh -c` script with a `mailrec` on PATH that reads the zone files (offline) and /results in `results`. */
  function runContainer(job: K8sJob, repo: string, results: string, env: Record<string, string>): { code: number; stderr: string } {
    const container = job.spec.template.spec.containers[0]!;
    expect(container.command).toEqual(['sh', '-c']);
    const bin = mkdtempSync(join(tmpdir(), 'mailrec-k8s-bin-'));
    const mailrec = join(REPO_ROOT, 'bin', 'mailrec');
    writeFileSync(
      join(bin, 'mailrec'),
      `#!/bin/sh\nif [ "$1 $2" = "audit merge" ]; then exec "${process.execPath}" "${mailrec}" "$@"; fi\nexec "${process.execPath}" "${mailrec}" "$@" --zones zones\n`,
      { mode: 0o755 },
    );
    const script = container.args[0]!.split('/results').join(results);
    const r = spawnSync('sh', ['-c', script], { cwd: repo, env: { ...process.env, ...env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    return { code: r.status ?? 1, stderr: r.stderr };
  }

  it('N indexed pods write one shard each, and the merge Job gives the verdict of the whole estate', async () => {
    const job = recipe('kubernetes') as K8sJob;
    const merge = recipe('kubernetes-merge') as K8sJob;
    expect(job.spec.completionMode).toBe('Indexed');
    const n = job.spec.completions!;
    expect(job.spec.parallelism).toBe(n);
    expect(job.spec.template.spec.containers[0]!.args[0]).toContain(`--shard "$K/${n}"`);
    const repo = copyExample();
    const domains = (await runCli(['audit', '--zones', 'zones', '--format', 'json'], { cwd: repo })).stdout;
    const names = (JSON.parse(domains) as { domains: { domain: string }[] }).domains.map((d) => d.domain);
    writeFileSync(join(repo, 'domains.txt'), names.map((d) => `${d}\n`).join(''));
    const results = mkdtempSync(join(tmpdir(), 'mailrec-k8s-results-'));
    for (let index = 0; index < n; index++) {
      const pod = runContainer(job, repo, results, { JOB_COMPLETION_INDEX: String(index) });
      expect(pod.code, pod.stderr).toBe(0);
    }
    expect(readdirSync(results).sort()).toEqual(Array.from({ length: n }, (_, i) => `audit-${i + 1}.ndjson`).sort());
    const merged = runContainer(merge, repo, results, {});
    const verdict = (await runCli(['audit', '--domains-file', 'domains.txt', '--zones', 'zones', '--fail-under', '80', '--format', 'json'], { cwd: repo })).code;
    expect(merged.code, merged.stderr).toBe(verdict);
    const junit = checkJunit(readFileSync(join(results, 'report.xml'), 'utf8'));
    expect(junit.suites).toBeGreaterThan(0);
    // A pod that never finished leaves no whole-looking file: the merge names the missing shard.
    rmSync(join(results, 'audit-2.ndjson'));
    const short = runContainer(merge, repo, results, {});
    expect(short.code).toBe(1);
    expect(short.stderr).toContain(`shard 2/${n} is missing`);
  }, 120_000);
});
