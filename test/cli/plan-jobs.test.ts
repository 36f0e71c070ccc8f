// `plan --jobs N` (src/cli/plan-parallel.ts): the zones of a text plan read, diffed and rendered
// in worker threads must give the text, stderr and exit code of one thread, byte for byte:
// zones spread over several batches and both workers, colour, hand-edited fragments, refusals,
// a file error in a later zone (the same first error), and the repo's file checks (a link out
// of the repo, --allow-outside) holding in the workers as on the main thread.

import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/report/plan-text.js';
import { copyExample, runCli, type CliRun } from '../helpers/cli.js';

/** Zones a batch in plan-parallel.ts is 64: 200 zones make four batches, over two workers. */
const ZONES = 200;

const zoneName = (i: number) => `c${String(i).padStart(3, '0')}.example.com`;

/** The example plus a policy file of `ZONES` one-domain zones, each with a zone file of its own. */
function manyZones(): string {
  const repo = copyExample();
  const policy = ['version: 1', 'zones:'];
  const domains = ['domains:'];
  for (let i = 0; i < ZONES; i++) {
    const d = zoneName(i);
    policy.push(`  ${d}:`, `    fragment: zones/${d}.mail.zone`, `    zone_file: zones/${d}.zone`);
    // Every seventh publishes its hosts' addresses: the SPF builder reads that zone on the main thread, before the workers plan it.
    domains.push(
      `  ${d}:`,
      ...(i % 7 === 0 ? ['    spf: { own_hosts: addresses }', `    senders: [mx, { host: mx1.${d} }]`] : [`    senders: [mx, { ip4: 127.0.0.${(i % 200) + 1} }]`]),
      `    mx: [{ host: mx1.${d}, preference: 10 }]`,
      `    dmarc: { policy: ${i % 3 === 0 ? 'reject' : 'none'}, rua: [dmarc@${d}] }`,
      ...(i % 5 === 0 ? ['    mta_sts: { mode: testing, max_age: 86400 }', `    tls_rpt: { rua: [tlsrpt@${d}] }`] : []),
    );
    writeFileSync(
      join(repo, 'zones', `${d}.zone`),
      [`$ORIGIN ${d}.`, '$TTL 3600', '@ IN SOA ns1.example.org. hostmaster.example.org. 2026120701 7200 3600 1209600 3600', '  IN NS ns1.example.org.', `mx1 IN A 127.0.1.${(i % 200) + 1}`, `@ IN TXT "verification=${i}"`, `$INCLUDE ${d}.mail.zone`, ''].join('\n'),
    );
  }
  writeFileSync(join(repo, 'policies', 'zz-many.yaml'), `${[...policy, ...domains].join('\n')}\n`);
  return repo;
}

async function plan(repo: string, jobs: number, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli(['plan', '--detailed-exitcode', '--jobs', String(jobs), ...extra], { cwd: repo, env });
}

/** --jobs 2 against --jobs 1 and the whole plan's text; the text. */
async function expectSameOnEveryThread(repo: string, extra: string[] = []): Promise<string> {
  const one = await plan(repo, 1, extra);
  const two = await plan(repo, 2, extra);
  expect(two).toEqual(one);
  const whole = JSON.parse((await runCli(['plan', '--format', 'json', ...extra], { cwd: repo })).stdout) as Plan;
  expect(two.stdout).toBe(renderPlanText(whole));
  return two.stdout;
}

describe('plan --jobs', () => {
  it('prints what one thread prints over several batches: before and after apply, with fragments edited by hand, in colour', async () => {
    const repo = manyZones();
    const before = await expectSameOnEveryThread(repo);
    expect(before).toContain(`zone ${zoneName(ZONES - 1)} (zones/${zoneName(ZONES - 1)}.mail.zone, new file)`);
    expect(before).toContain(`file mta-sts/${zoneName(195)}/.well-known/mta-sts.txt: create`);
    // The zones in canonical order, as computePlan's: example.com's children before example.net.
    expect(before.indexOf(`zone ${zoneName(0)} `)).toBeLessThan(before.indexOf(`zone ${zoneName(199)} `));
    expect(before.indexOf(`zone ${zoneName(199)} `)).toBeLessThan(before.indexOf('zone example.net '));

    const colour = { FORCE_COLOR: '1' };
    const colourOne = await plan(repo, 1, [], colour);
    expect(colourOne.stdout).toContain('\u001b[');
    expect(await plan(repo, 2, [], colour)).toEqual(colourOne);

    expect((await runCli(['apply'], { cwd: repo })).code).toBe(0);
    expect(await expectSameOnEveryThread(repo)).toContain('No changes. The zones match the policy.');
    // Hand edits in the first and the last batch, and a record changed in the zone file of a middle zone.
    appendFileSync(join(repo, 'zones', `${zoneName(3)}.mail.zone`), '; a note by hand\n');
    appendFileSync(join(repo, 'zones', `${zoneName(190)}.mail.zone`), '; a note by hand\n');
    appendFileSync(join(repo, 'zones', `${zoneName(100)}.zone`), 'www IN A 127.0.2.1\n');
    // A host's new address in a zone the SPF builder reads: its SPF record changes.
    appendFileSync(join(repo, 'zones', `${zoneName(140)}.zone`), 'mx1 IN A 127.0.3.140\n');
    const edited = await expectSameOnEveryThread(repo);
    expect(edited.split('edited by hand since mailrec wrote it').length - 1).toBe(2);
    expect(edited).toMatch(new RegExp(`~ ${zoneName(140).replace(/[.]/g, '\\.')} TXT[^]*?ip4:127\\.0\\.3\\.140`));
  });

  it('refuses a broken policy with the same messages, exit code and nothing on stdout', async () => {
    const repo = manyZones();
    // The zone file of a late zone already publishes SPF where the policy wants it: an error of that zone.
    appendFileSync(join(repo, 'zones', `${zoneName(180)}.zone`), '@ IN TXT "v=spf1 -all"\n');
    const one = await plan(repo, 1);
    expect(one.code).not.toBe(0);
    expect(one.stdout).toBe('');
    expect(one.stderr).toContain(`error zone.conflict: the zone file of ${zoneName(180)} already has a TXT record at ${zoneName(180)}`);
    expect(await plan(repo, 2)).toEqual(one);
  });

  it('stops at the same first file error as one thread, whichever worker met it', async () => {
    const repo = manyZones();
    const fifo = (i: number) => execFileSync('mkfifo', [join(repo, 'zones', `${zoneName(i)}.mail.zone`)]);
    const fifoError = (i: number): CliRun => ({ code: 1, stdout: '', stderr: `error: zones/${zoneName(i)}.mail.zone: is a FIFO, not a regular file\n` });
    // Two unreadable fragments in different batches: the first in zone order is the error.
    fifo(71);
    fifo(11);
    expect(await plan(repo, 1)).toEqual(fifoError(11));
    expect(await plan(repo, 2)).toEqual(fifoError(11));
    expect(await plan(repo, 3)).toEqual(fifoError(11));
    // A zone the SPF builder reads on the main thread (own_hosts: addresses) is read before any zone's turn.
    fifo(70);
    expect(await plan(repo, 1)).toEqual(fifoError(70));
    expect(await plan(repo, 2)).toEqual(fifoError(70));

    // A zone file the reader cannot parse, in a later batch than the FIFO's: still the FIFO first.
    rmSync(join(repo, 'zones', `${zoneName(70)}.mail.zone`));
    writeFileSync(join(repo, 'zones', `${zoneName(150)}.zone`), '$ORIGIN c150.example.com.\n@ IN BOGUS 1\n');
    expect(await plan(repo, 2)).toEqual(fifoError(11));
    rmSync(join(repo, 'zones', `${zoneName(11)}.mail.zone`));
    rmSync(join(repo, 'zones', `${zoneName(71)}.mail.zone`));
    const syntax = await plan(repo, 1);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(new RegExp(`^error: zones/${zoneName(150)}\\.zone:2:`));
    expect(await plan(repo, 2)).toEqual(syntax);
  });

  it('keeps the repo\'s file checks in the workers: a link out of the repo, and --allow-outside', async () => {
    const repo = manyZones();
    const outside = mkdtempSync(join(tmpdir(), 'mailrec-outside-'));
    const target = join(outside, 'c120.zone');
    writeFileSync(target, readFileSync(join(repo, 'zones', `${zoneName(120)}.zone`), 'utf8').replace('verification=120', 'verification=outside'));
    rmSync(join(repo, 'zones', `${zoneName(120)}.zone`));
    symlinkSync(target, join(repo, 'zones', `${zoneName(120)}.zone`));
    const refused = await plan(repo, 1);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^error: zones/${zoneName(120)}\\.zone: outside the zone repo \\(a symbolic link leads to ${target.replace(/[.]/g, '\\.')}\\)`));
    expect(await plan(repo, 2)).toEqual(refused);
    // Allowed on the command line: the workers read it as the main thread does.
    const allowed = await expectSameOnEveryThread(repo, ['--allow-outside', outside]);
    expect(allowed).toContain(`zone ${zoneName(120)}`);
    // A path named on the command line (the policy directory, outside the repo) is allowed in the workers too.
    const policies = join(outside, 'policies');
    mkdirSync(policies);
    for (const f of ['mail.yaml', 'zz-many.yaml']) writeFileSync(join(policies, f), readFileSync(join(repo, 'policies', f), 'utf8'));
    expect(await plan(repo, 2, ['--policy', policies, '--allow-outside', outside])).toEqual(await plan(repo, 1, ['--policy', policies, '--allow-outside', outside]));
  });

  it('takes a whole number of threads, and not with --plan-file', async () => {
    const repo = copyExample();
    expect(await runCli(['plan', '--jobs', '0'], { cwd: repo })).toEqual({ code: 1, stdout: '', stderr: 'error: --jobs: "0" is not a whole number from 1 to 256\n' });
    const saved = join(repo, 'plan.json');
    writeFileSync(saved, (await runCli(['plan', '--format', 'json'], { cwd: repo })).stdout);
    const run = await runCli(['plan', '--plan-file', saved, '--jobs', '2'], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('takes no --jobs');
  });
});
