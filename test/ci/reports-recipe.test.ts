// The reports workflow of docs/ci.md, run: its nightly job's `mailrec reports fetch` against a
// Dovecot the test starts (the policy's reports: section names it, the password in the variable
// the step sets from the secret), then its pull-request job's commands on a policy that
// tightens DMARC: the comment file holds the plan with the simulated impact and the simulation,
// both with the window's coverage. Every script's shell is checked with `bash -n`. The GitLab
// recipe's two jobs run as the runner runs them (bash -e, pipefail) against the same Dovecot, a
// bare git remote and a local API server that takes the merge request's note.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startDovecot, type DovecotServer } from '../../harness/dovecot.js';
import { estateMail } from '../dmarc-reports/estate-mail.js';
import { copyExample, REPO_ROOT, runCli } from '../helpers/cli.js';
import { startGitlabApi } from '../helpers/gitlab-api.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs/ci.md'), 'utf8');

interface Step {
  run?: string;
  env?: Record<string, string>;
}

function recipe(): Record<string, { steps: Step[] }> {
  const m = /```yaml recipe=github-reports\n([\s\S]*?)\n```/.exec(DOC);
  if (!m) throw new Error('docs/ci.md has no ```yaml recipe=github-reports block');
  return (parseYaml(m[1]!) as { jobs: Record<string, { steps: Step[] }> }).jobs;
}

interface Call {
  args: string[];
  stdout?: { file: string; append: boolean };
}

/** `mailrec ARGS [> FILE | >> FILE]` lines of a script. */
function calls(script: string): Call[] {
  const out: Call[] = [];
  for (const raw of script.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('mailrec ')) continue;
    expect(line, 'a recipe command uses only what this runner understands').not.toMatch(/[|&;$`'"]/);
    const words = line.split(/\s+/).slice(1);
    const call: Call = { args: [] };
    for (let i = 0; i < words.length; i++) {
      if (words[i] === '>' || words[i] === '>>') call.stdout = { file: words[++i]!, append: words[i - 1] === '>>' };
      else call.args.push(words[i]!);
    }
    out.push(call);
  }
  return out;
}

async function run(call: Call, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const result = await runCli(call.args, { cwd, env });
  expect(result.code, `mailrec ${call.args.join(' ')}: ${result.stderr}`).toBe(0);
  if (call.stdout) (call.stdout.append ? appendFileSync : writeFileSync)(join(cwd, call.stdout.file), result.stdout);
  return result.code;
}

let dovecot: DovecotServer;

beforeAll(async () => {
  dovecot = await startDovecot();
  await dovecot.appendMany('INBOX', estateMail().messages);
});

afterAll(async () => {
  await dovecot?.stop();
});

describe('docs/ci.md: the reports workflow', () => {
  const jobs = recipe();

  it('has the nightly fetch and the pull-request simulation, with valid shell', () => {
    expect(Object.keys(jobs)).toEqual(['fetch', 'simulate']);
    for (const job of Object.values(jobs)) for (const step of job.steps) if (step.run) execFileSync('bash', ['-n'], { input: step.run.replace(/\$\{\{[^}]*\}\}/g, 'X') });
  });

  it('fetch archives the mailbox of the policy; the pull request gets the plan and the simulation over 30 days', async () => {
    const repo = copyExample();
    writeFileSync(join(repo, 'certs/imap-ca.pem'), dovecot.caPem);
    writeFileSync(
      join(repo, 'policies/reports.yaml'),
      ['version: 1', 'reports:', '  mailbox:', '    type: imap', `    server: 127.0.0.1:${dovecot.imapsPort}`, `    user: ${dovecot.user}`, '    password_env: MAILREC_IMAP_PASSWORD', '    ca_file: certs/imap-ca.pem', ''].join('\n'),
    );
    // The fetch step's env maps the secret to the variable the policy names.
    const fetchSteps = jobs.fetch!.steps.filter((s) => s.run !== undefined && calls(s.run).length > 0);
    expect(fetchSteps.map((s) => s.env)).toEqual([{ MAILREC_IMAP_PASSWORD: '${{ secrets.MAILREC_IMAP_PASSWORD }}' }]);
    const fetchCalls = fetchSteps.flatMap((s) => calls(s.run!));
    expect(fetchCalls).toEqual([{ args: ['reports', 'fetch'] }]);
    for (const call of fetchCalls) await run(call, repo, { MAILREC_IMAP_PASSWORD: dovecot.password });
    expect(readFileSync(join(repo, 'reports/index.jsonl'), 'utf8').split('\n').filter((l) => l !== '')).toHaveLength(10);

    // The pull request tightens DMARC.
    const policy = join(repo, 'policies/mail.yaml');
    writeFileSync(policy, readFileSync(policy, 'utf8').replace('      policy: none              #', '      policy: quarantine        #'));
    const prCalls = jobs.simulate!.steps.flatMap((s) => (s.run ? calls(s.run) : []));
    expect(prCalls.map((c) => c.args.slice(0, 2))).toEqual([
      ['plan', '--reports'],
      ['dmarc', 'simulate'],
    ]);
    for (const call of prCalls) await run(call, repo, {});
    const comment = readFileSync(join(repo, 'reports.md'), 'utf8');
    expect(comment).toMatch(/^### mailrec plan\n/);
    expect(comment).toMatch(/tightens the policy \(p=\) from none to quarantine/);
    // 10 units of scale in the estate's reports, 100 aligned + 12 + 3 unaligned messages each (estate-mail.ts).
    expect(comment).toMatch(/aggregate reports \(8 reports, 1,150 messages from example\.org and its subdomains\): 1,000 \(87\.0%\) pass DMARC; the new record would leave 150 quarantined \(13\.0%\)/);
    expect(comment).toMatch(/reports cover 2 of 30 days/);
    expect(comment).toContain('## DMARC simulation');
    expect(comment).toContain('### Coverage');
  });
});

describe('docs/ci.md: the reports workflow on GitLab', () => {
  interface GitlabJob {
    rules: { if: string; changes?: string[] }[];
    variables?: Record<string, string>;
    retry?: { max: number; exit_codes: number[] };
    script: string[];
  }
  const doc = (() => {
    const m = /```yaml recipe=gitlab-reports\n([\s\S]*?)\n```/.exec(DOC);
    if (!m) throw new Error('docs/ci.md has no ```yaml recipe=gitlab-reports block');
    return parseYaml(m[1]!) as Record<string, GitlabJob> & { stages: string[] };
  })();
  const fetchJob = doc['mailrec-reports-fetch']!;
  const simulateJob = doc['mailrec-reports-simulate']!;

  /** A job's script as the runner runs it (bash, -e and pipefail), after the npm install. */
  function runJob(job: GitlabJob, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    const script = job.script.filter((line) => !line.startsWith('npm install')).join('\n');
    return new Promise((resolve) => {
      const child = execFile('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
  }

  it('runs on the schedule and on merge requests that change the policy; a temporary failure is retried', () => {
    expect(doc.stages).toEqual(['reports']);
    expect(fetchJob.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    expect(fetchJob.retry).toEqual({ max: 2, exit_codes: [75] });
    expect(fetchJob.variables?.PUSH_URL).toContain('${MAILREC_TOKEN}');
    expect(simulateJob.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"', changes: ['policies/**/*'] }]);
    for (const job of [fetchJob, simulateJob]) execFileSync('bash', ['-n'], { input: job.script.join('\n') });
  });

  it('the schedule archives the mailbox and pushes it once; the merge request gets the plan and the simulation as a note', async () => {
    for (const tool of ['git', 'jq', 'curl']) expect(spawnSync(tool, ['--version']).status, `${tool} is needed (apt-get install ${tool})`).toBe(0);
    const work = mkdtempSync(join(tmpdir(), 'mailrec-gitlab-reports-'));
    const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd, encoding: 'utf8' });
    // `mailrec` on PATH: the built CLI.
    const bin = join(work, 'bin');
    execFileSync('mkdir', [bin]);
    writeFileSync(join(bin, 'mailrec'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin/mailrec')}" "$@"\n`);
    chmodSync(join(bin, 'mailrec'), 0o755);
    const api = await startGitlabApi('{"id": 1}');
    const notes = api.requests;
    try {
      // The zone repo on the default branch, its remote a bare repository (PUSH_URL, and origin).
      const repo = copyExample();
      writeFileSync(join(repo, 'certs/imap-ca.pem'), dovecot.caPem);
      writeFileSync(
        join(repo, 'policies/reports.yaml'),
        ['version: 1', 'reports:', '  mailbox:', '    type: imap', `    server: 127.0.0.1:${dovecot.imapsPort}`, `    user: ${dovecot.user}`, '    password_env: MAILREC_IMAP_PASSWORD', '    ca_file: certs/imap-ca.pem', ''].join('\n'),
      );
      const remote = join(work, 'remote.git');
      execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
      git(repo, 'init', '--quiet', '--initial-branch=main');
      git(repo, 'add', '-A');
      git(repo, 'commit', '--quiet', '-m', 'zone repo');
      git(repo, 'push', '--quiet', remote, 'main');
      const env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        PUSH_URL: remote,
        CI_DEFAULT_BRANCH: 'main',
        MAILREC_IMAP_PASSWORD: dovecot.password,
        MAILREC_TOKEN: 'glpat-test',
        CI_PROJECT_ID: '42',
        CI_MERGE_REQUEST_IID: '7',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
        CI_API_V4_URL: api.baseUrl,
      };
      const commits = () => Number(execFileSync('git', ['--git-dir', remote, 'rev-list', '--count', 'main'], { encoding: 'utf8' }));

      const night = await runJob(fetchJob, repo, env);
      expect(night.code, night.stderr).toBe(0);
      expect(commits()).toBe(2);
      const index = execFileSync('git', ['--git-dir', remote, 'show', 'main:reports/index.jsonl'], { encoding: 'utf8' });
      expect(index.split('\n').filter((l) => l !== '')).toHaveLength(10);
      expect(execFileSync('git', ['--git-dir', remote, 'log', '-1', '--format=%s', 'main'], { encoding: 'utf8' }).trim()).toBe('reports: nightly fetch');
      // The next night has nothing new: no commit, no push.
      const quiet = await runJob(fetchJob, repo, env);
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(commits()).toBe(2);
      expect(notes).toEqual([]);

      // A merge request that tightens DMARC, cloned as the runner clones it: the archive comes from the target branch.
      const mr = join(work, 'mr');
      execFileSync('git', ['clone', '--quiet', '--branch', 'main', remote, mr]);
      git(mr, 'checkout', '--quiet', '-b', 'tighten');
      rmSync(join(mr, 'reports'), { recursive: true, force: true });
      const policy = join(mr, 'policies/mail.yaml');
      writeFileSync(policy, readFileSync(policy, 'utf8').replace('      policy: none              #', '      policy: quarantine        #'));
      git(mr, 'commit', '--quiet', '-am', 'DMARC: quarantine');
      const request = await runJob(simulateJob, mr, env);
      expect(request.code, request.stderr).toBe(0);
      expect(existsSync(join(mr, 'reports/index.jsonl'))).toBe(true);
      expect(notes.map((n) => [n.url, n.token])).toEqual([['POST /api/v4/projects/42/merge_requests/7/notes', 'glpat-test']]);
      const body = (JSON.parse(notes[0]!.body) as { body: string }).body;
      expect(body).toBe(readFileSync(join(mr, 'reports.md'), 'utf8'));
      expect(body).toMatch(/tightens the policy \(p=\) from none to quarantine/);
      expect(body).toMatch(/the new record would leave 150 quarantined \(13\.0%\)/);
      expect(body).toContain('## DMARC simulation');
      // No secret in what is posted.
      expect(body).not.toContain(dovecot.password);
    } finally {
      await api.close();
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
