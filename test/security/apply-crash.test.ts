// A two-zone `apply --bump-serial` killed with SIGKILL at every step of its write (4 renames:
// each zone's fragment and zone file), injected deterministically by the test seam
// MAILREC_TEST_KILL_AT, in a child process. The next command, whatever it is, finishes or undoes
// the apply: every fragment and every serial consistent, no temp file left, both zones load in
// named-checkzone. And plan tells a zone file whose serial is behind its fragment.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFragmentSerial } from '../../src/zone/writer.js';
import { checkZone } from '../helpers/bind-tools.js';
import { applyLeftovers, copyExample, REPO_ROOT, runCli } from '../helpers/cli.js';

const MAILREC = join(REPO_ROOT, 'bin', 'mailrec');
const ZONES = ['example.net', 'example.org'] as const;
const FILES = ZONES.flatMap((z) => [`zones/${z}.mail.zone`, `zones/${z}.zone`]);
/** Steps of the atomic write, in order (apply/atomic-write.ts); 4 files, both zones' fragment then zone file. */
const BEFORE_COMMIT = ['journal', 'stage:0', 'stage:1', 'stage:2', 'stage:3', 'commit'];
/** "rename:K" kills just before the K-th rename. */
const AFTER_COMMIT = ['rename:0', 'rename:1', 'rename:2', 'rename:3', 'renamed', 'done'];

/** The bundled example with a TTL change, so that both zones' fragments change. */
function repoWithTwoZoneChange(): string {
  const repo = copyExample();
  const policy = join(repo, 'policies/mail.yaml');
  writeFileSync(policy, readFileSync(policy, 'utf8').replace('  ttl: 3600', '  ttl: 1800'));
  return repo;
}

function read(repo: string): Record<string, string> {
  return Object.fromEntries(FILES.map((f) => [f, readFileSync(join(repo, f), 'utf8')]));
}

function serialOf(zoneText: string): number {
  return Number(/IN SOA\s+\S+\s+\S+\s+\(\s*(\d+)/.exec(zoneText)?.[1] ?? /IN SOA\s+\S+\s+\S+\s+(\d+)/.exec(zoneText)?.[1]);
}

function applyKilledAt(repo: string, step: string): void {
  expect(existsSync(join(REPO_ROOT, 'dist/src/cli/main.js')), 'bin/mailrec runs dist/: npm test builds it first').toBe(true);
  const child = spawnSync(process.execPath, [MAILREC, 'apply', '--bump-serial'], {
    cwd: repo,
    env: { PATH: process.env.PATH, NO_COLOR: '1', MAILREC_TEST_KILL_AT: step },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.signal, `apply was not killed at ${step}: exit ${child.status}\n${child.stderr}`).toBe('SIGKILL');
}

/** Both zones load, and each fragment's serial line matches its zone file's serial. */
function expectConsistent(repo: string, original: Record<string, string>): void {
  for (const zone of ZONES) {
    const fragment = readFileSync(join(repo, `zones/${zone}.mail.zone`), 'utf8');
    const zoneText = readFileSync(join(repo, `zones/${zone}.zone`), 'utf8');
    const written = readFragmentSerial(fragment);
    if (written === undefined) {
      // Never written by this apply: both files as they were.
      expect(fragment).toBe(original[`zones/${zone}.mail.zone`]);
      expect(zoneText).toBe(original[`zones/${zone}.zone`]);
    } else {
      expect(fragment).toContain(' 1800 IN ');
      expect(serialOf(zoneText)).toBe(written);
      expect(written).toBeGreaterThan(serialOf(original[`zones/${zone}.zone`]!));
    }
    const loaded = checkZone(zone, join(repo, `zones/${zone}.zone`), { cwd: join(repo, 'zones'), flags: ['-k', 'fail'] });
    expect(loaded.ok, loaded.output).toBe(true);
  }
}

describe('apply --bump-serial over two zones, killed at each step', () => {
  it.each(BEFORE_COMMIT)('killed at %s: the next command undoes it; apply then completes', async (step) => {
    const repo = repoWithTwoZoneChange();
    const original = read(repo);
    applyKilledAt(repo, step);
    expect(read(repo)).toEqual(original);
    const next = await runCli(['plan', '--detailed-exitcode'], { cwd: repo });
    if (step !== 'journal') expect(next.stderr).toMatch(/^mailrec: an apply of \S+ stopped before writing anything; its staged files were removed\n/);
    expect(next.code).toBe(2);
    expect(applyLeftovers(repo)).toEqual([]);
    expect(read(repo)).toEqual(original);
    expectConsistent(repo, original);
    expect((await runCli(['apply', '--bump-serial'], { cwd: repo })).code).toBe(0);
    expect(Object.values(read(repo)).every((text, i) => text !== Object.values(original)[i])).toBe(true);
    expectConsistent(repo, original);
    expect((await runCli(['plan', '--detailed-exitcode'], { cwd: repo })).code).toBe(0);
  });

  it.each(AFTER_COMMIT)('killed at %s: the next command completes it', async (step) => {
    const repo = repoWithTwoZoneChange();
    const original = read(repo);
    applyKilledAt(repo, step);
    const renamed = step.startsWith('rename:') ? Number(step.slice('rename:'.length)) : 4;
    const midway = read(repo);
    FILES.forEach((f, i) => expect(midway[f] !== original[f], `${f} after a kill at ${step}`).toBe(i < renamed));
    // The next command may be any: an audit of the zone files completes the apply too.
    const next = await runCli(['audit', '--zones', 'zones', '--no-probe', '--format', 'json'], { cwd: repo });
    expect(next.stderr).toMatch(/^mailrec: completed an apply of \S+ that stopped half-way: /);
    expect(next.stderr.split('\n')[0]).toMatch(new RegExp(`: ${renamed === 4 ? 'every file was written already' : `wrote ${FILES.slice(renamed).join(', ')}`}$`));
    expect(applyLeftovers(repo)).toEqual([]);
    expect(Object.entries(read(repo)).every(([f, text]) => text !== original[f])).toBe(true);
    expectConsistent(repo, original);
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: repo });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
  });

  it('a file changed by hand after the kill is kept, and said so', async () => {
    const repo = repoWithTwoZoneChange();
    applyKilledAt(repo, 'rename:1');
    const hand = '; edited by hand after the crash\n';
    const org = join(repo, 'zones/example.org.mail.zone');
    writeFileSync(org, hand);
    const next = await runCli(['plan'], { cwd: repo });
    expect(next.stderr).toContain('mailrec: warning: zones/example.org.mail.zone changed since that apply; left as it is\n');
    expect(readFileSync(org, 'utf8')).toBe(hand);
    expect(applyLeftovers(repo)).toEqual([]);
  });
});

describe('a serial behind its fragment', () => {
  it('is reported by plan (the journal lost), and apply --bump-serial makes it up', async () => {
    const repo = repoWithTwoZoneChange();
    const original = read(repo);
    applyKilledAt(repo, 'rename:1'); // killed just before the second rename: example.net's fragment is in place
    // As if the journal were lost (an older mailrec, a hand clean-up): example.net's fragment is new, its serial not.
    rmSync(join(repo, '.mailrec-apply.journal'));
    const fragmentSerial = readFragmentSerial(readFileSync(join(repo, 'zones/example.net.mail.zone'), 'utf8'))!;
    const plan = await runCli(['plan', '--detailed-exitcode'], { cwd: repo });
    expect(plan.stdout).toContain(
      `warning zone.serial-behind: zones/example.net.zone: SOA serial ${serialOf(original['zones/example.net.zone']!)} is behind its fragment zones/example.net.mail.zone (written for serial ${fragmentSerial}): secondaries keep the old records; run mailrec apply --bump-serial (example.net)`,
    );
    expect(plan.code).toBe(2);
    const apply = await runCli(['apply', '--bump-serial'], { cwd: repo });
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/zones\/example\.net\.zone: SOA serial \d+ -> (\d+)\n/);
    // The stale temp files of the killed run are gone with this apply.
    expect(applyLeftovers(repo)).toEqual([]);
    expectConsistent(repo, original);
    const after = await runCli(['plan', '--detailed-exitcode'], { cwd: repo });
    expect(after.stdout).not.toContain('serial-behind');
    expect(after.code).toBe(0);
  });
});
