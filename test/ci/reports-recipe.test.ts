// The reports workflow of docs/ci.md, run: its nightly job's `mailrec reports fetch` against a
// Dovecot the test starts (the policy's reports: section names it, the password in the variable
// the step sets from the secret), then its pull-request job's commands on a policy that
// tightens DMARC: the comment file holds the plan with the simulated impact and the simulation,
// both with the window's coverage. Every script's shell is checked with `bash -n`.

import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startDovecot, type DovecotServer } from '../../harness/dovecot.js';
import { estateMail } from '../dmarc-reports/estate-mail.js';
import { copyExample, REPO_ROOT, runCli } from '../helpers/cli.js';

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
