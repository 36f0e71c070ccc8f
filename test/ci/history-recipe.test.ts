// The history recipes of docs/ci.md, run: the scripts of the GitHub workflows (cache, and a
// `mailrec-history` branch pushed to a local git remote) and of the GitLab job, with bash,
// twice, with the example's DMARC record removed between the runs; `mailrec` is the built
// CLI (bin/mailrec, offline with --zones zones). The second run fails on the new error
// only, and the webhook script of the docs posts to an HTTP server the test starts (real
// jq and curl; CI installs them, the test fails without them).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { copyExample, REPO_ROOT, runCli } from '../helpers/cli.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs/ci.md'), 'utf8');

function block(fence: string): string {
  const m = new RegExp('```' + fence + '\\n([\\s\\S]*?)\\n```').exec(DOC);
  if (!m) throw new Error(`docs/ci.md has no \`\`\`${fence} block`);
  return m[1]!;
}

/** The `run:` scripts of a GitHub workflow's one job, in order, without the install step. */
function githubSteps(name: string): string[] {
  const doc = parseYaml(block(`yaml recipe=${name}`)) as { jobs: Record<string, { steps: { run?: string }[] }> };
  const [job] = Object.values(doc.jobs);
  return job!.steps.flatMap((s) => (s.run && !s.run.startsWith('npm install') ? [s.run] : []));
}

let bin: string;
let hook: Server;
let posts: string[] = [];
let hookUrl: string;

beforeAll(async () => {
  expect(existsSync(join(REPO_ROOT, 'dist/src/cli/main.js')), 'bin/mailrec runs dist/: npm test builds it first').toBe(true);
  for (const tool of ['jq', 'curl', 'git']) expect(spawnSync(tool, ['--version']).status, `${tool} is needed (apt-get install ${tool})`).toBe(0);
  // `mailrec` on PATH: the built CLI, offline on the zone files.
  bin = mkdtempSync(join(tmpdir(), 'mailrec-bin-'));
  writeFileSync(join(bin, 'mailrec'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin/mailrec')}" "$@" --zones zones\n`);
  chmodSync(join(bin, 'mailrec'), 0o755);
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      posts.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => hook?.close(() => resolve()));
});

/** The example after apply, with the docs' webhook script where the recipes call it. */
async function zoneRepo(dir?: string): Promise<string> {
  const repo = copyExample(dir);
  expect((await runCli(['apply'], { cwd: repo })).code).toBe(0);
  for (const where of ['.github', 'ci']) {
    mkdirSync(join(repo, where), { recursive: true });
    writeFileSync(join(repo, where, 'mailrec-notify.sh'), `${block('sh notify=webhook')}\n`);
    chmodSync(join(repo, where, 'mailrec-notify.sh'), 0o755);
  }
  return repo;
}

function removeDmarc(repo: string): void {
  const fragment = join(repo, 'zones/example.org.mail.zone');
  writeFileSync(fragment, readFileSync(fragment, 'utf8').replace(/^_dmarc\.example\.org\..*\n/m, ''));
}

/** bash -e -c SCRIPT, without blocking the event loop (the webhook server answers in this process). */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (code) => resolve({ status: code ?? 1, stderr }));
  });
}

/** Run GitHub steps as the runner does (`bash -e`), carrying GITHUB_ENV between them; the exit code of the first that fails. */
async function runSteps(steps: readonly string[], cwd: string): Promise<{ code: number; summary: string; stderr: string }> {
  const summary = join(cwd, '.step-summary');
  const envFile = join(cwd, '.github-env');
  writeFileSync(summary, '');
  writeFileSync(envFile, '');
  let stderr = '';
  for (const script of steps) {
    const extra = Object.fromEntries(readFileSync(envFile, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => l.split('=', 2) as [string, string]));
    const r = await bash(script, cwd, { PATH: `${bin}:${process.env.PATH}`, HOME: cwd, GITHUB_STEP_SUMMARY: summary, GITHUB_ENV: envFile, MAILREC_WEBHOOK: hookUrl, GIT_CONFIG_NOSYSTEM: '1', ...extra });
    stderr += r.stderr;
    if (r.status !== 0) return { code: r.status, summary: readFileSync(summary, 'utf8'), stderr };
  }
  return { code: 0, summary: readFileSync(summary, 'utf8'), stderr };
}

describe('docs/ci.md: the nightly history on GitHub with actions/cache', () => {
  it('the first run starts the history; after a change, the job fails on the new error and the webhook hears of it', async () => {
    const steps = githubSteps('github-history');
    expect(steps).toHaveLength(2);
    const repo = await zoneRepo();
    posts = [];
    const first = await runSteps(steps, repo);
    expect(first.code, first.stderr).toBe(0);
    expect(readdirSync(join(repo, 'mailrec-history'))).toHaveLength(1);
    expect(posts).toEqual([]);
    removeDmarc(repo);
    const second = await runSteps(steps, repo);
    expect(second.code).toBe(2);
    expect(second.summary).toContain('#### Since the previous run');
    // example.org's record went, and with it the one its subdomains crm and lists inherited.
    expect(second.stderr).toContain('failed: example.org has 2 new errors since the previous run (dmarc.missing, drift.missing)');
    expect(second.stderr).toContain('failed: crm.example.org has 1 new error since the previous run (dmarc.missing)');
    expect(readdirSync(join(repo, 'mailrec-history'))).toHaveLength(2);
    expect(posts).toHaveLength(1);
    const [method, url, type, ...body] = posts[0]!.split(' ');
    expect([method, url, type]).toEqual(['POST', '/hook', 'application/json']);
    const text = (JSON.parse(body.join(' ')) as { text: string }).text;
    expect(text).toMatch(/^mailrec: 4 new since audit-\d{8}T\d{6}Z(\.\d+)?\.json\.gz\n/);
    expect(text).toContain('- error dmarc.missing at _dmarc.example.org (example.org)');
  });
});

describe('docs/ci.md: the nightly history on a mailrec-history branch', () => {
  let origin: string;
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } });

  /** What actions/checkout gives a run: a fresh shallow clone of the default branch. */
  function checkout(): string {
    const dir = mkdtempSync(join(tmpdir(), 'mailrec-checkout-'));
    git(dir, 'clone', '-q', '--depth', '1', `file://${origin}`, 'repo');
    return join(dir, 'repo');
  }

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'mailrec-origin-'));
    origin = join(root, 'origin.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', origin);
    const work = await zoneRepo(join(root, 'work'));
    git(work, 'init', '-q', '-b', 'main');
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'zone repo');
    git(work, 'push', '-q', origin, 'main');
  });

  it('creates the branch on the first run, adds a run each night, and fails on the new error', async () => {
    const steps = githubSteps('github-history-branch');
    expect(steps).toHaveLength(4);
    const first = await runSteps(steps, checkout());
    expect(first.code, first.stderr).toBe(0);
    expect(git(origin, 'ls-tree', '-r', '--name-only', 'mailrec-history').trim().split('\n')).toEqual([expect.stringMatching(/^runs\/audit-\d{8}T\d{6}Z\.json\.gz$/)]);
    // The zone change lands on main, as a merge would.
    const scratch = checkout();
    git(scratch, 'fetch', '-q', 'origin', 'main');
    removeDmarc(scratch);
    git(scratch, 'commit', '-q', '-am', 'remove the DMARC record');
    git(scratch, 'push', '-q', 'origin', 'HEAD:main');
    const second = await runSteps(steps, checkout());
    expect(second.code).toBe(2);
    expect(second.summary).toContain('7 new (4 errors, 3 info)');
    expect(git(origin, 'ls-tree', '-r', '--name-only', 'mailrec-history').trim().split('\n')).toHaveLength(2);
    expect(git(origin, 'rev-list', '--count', 'mailrec-history').trim()).toBe('2');
  });
});

describe('docs/ci.md: the nightly history on GitLab', () => {
  it('the cached directory carries the history; the JUnit report fails exactly the new errors', async () => {
    const doc = parseYaml(block('yaml recipe=gitlab-history')) as Record<string, { script?: string[]; cache?: { paths: string[]; when: string }; artifacts?: { paths: string[]; when: string } }>;
    const job = doc['mailrec-nightly']!;
    expect(job.cache).toMatchObject({ paths: ['mailrec-history/'], when: 'always' });
    expect(job.artifacts).toMatchObject({ paths: ['mailrec-history/'], when: 'always' });
    const scripts = job.script!.filter((s) => !s.startsWith('npm install'));
    const repo = await zoneRepo();
    const cache = mkdtempSync(join(tmpdir(), 'mailrec-cache-'));
    const night = async (): Promise<number> => {
      // A fresh job: the cache restored into the checkout, saved back after (when: always).
      if (existsSync(join(cache, 'mailrec-history'))) cpSync(join(cache, 'mailrec-history'), join(repo, 'mailrec-history'), { recursive: true });
      const r = await runSteps(scripts, repo);
      rmSync(join(cache, 'mailrec-history'), { recursive: true, force: true });
      cpSync(join(repo, 'mailrec-history'), join(cache, 'mailrec-history'), { recursive: true });
      rmSync(join(repo, 'mailrec-history'), { recursive: true });
      return r.code;
    };
    expect(await night()).toBe(0);
    removeDmarc(repo);
    expect(await night()).toBe(2);
    const junit = readFileSync(join(repo, 'mailrec-junit.xml'), 'utf8');
    const suite = junit.slice(junit.indexOf('<testsuite name="since the previous run"'));
    expect(suite).toMatch(/^<testsuite name="since the previous run" tests="\d+" failures="4"/);
    expect(readdirSync(join(cache, 'mailrec-history'))).toHaveLength(2);
  });
});

describe('docs/ci.md: the one-line webhook that posts the summary as it is', () => {
  it('posts the regression summary to the URL only when something is new', async () => {
    const m = /--notify-command '([^']*)'/.exec(DOC.slice(DOC.indexOf('For a webhook that takes any JSON')));
    if (!m) throw new Error('docs/ci.md has no one-line --notify-command');
    const command = m[1]!.replace(/\s+/g, ' ');
    expect(command).toContain('curl');
    const repo = await zoneRepo();
    const audit = `mailrec audit --no-probe --history mailrec-history --notify-command '${command}' --format json > /dev/null || test $? -eq 2`;
    const env = { PATH: `${bin}:${process.env.PATH}`, HOME: repo, MAILREC_WEBHOOK: hookUrl };
    posts = [];
    const first = await bash(audit, repo, env);
    expect(first.status, first.stderr).toBe(0);
    expect(posts).toEqual([]);
    removeDmarc(repo);
    const second = await bash(audit, repo, env);
    expect(second.status, second.stderr).toBe(0);
    expect(posts).toHaveLength(1);
    const [method, url, type, ...body] = posts[0]!.split(' ');
    expect([method, url, type]).toEqual(['POST', '/hook', 'application/json']);
    const summary = JSON.parse(body.join(' ')) as { schema: string; new: Array<{ code: string; name: string }> };
    expect(summary.schema).toBe('mailrec-regressions/1');
    expect(summary.new).toContainEqual(expect.objectContaining({ code: 'dmarc.missing', name: '_dmarc.example.org' }));
  });
});
