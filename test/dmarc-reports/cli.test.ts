import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPlanChecksum, type Plan } from '../../src/plan/plan.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES, writeEstate } from './estate.js';

const REPO = join(FIXTURES, 'repo');

const EXPECTED_TEXT = `DMARC simulation: 1 report from 1 receiver, 2026-05-04, 28 messages (1 file read)

Proposed (from the policy):
  _dmarc.example.org  v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:dmarc-reports@example.org
Published (as the reports show it):
  _dmarc.example.org  v=DMARC1; p=none

                                                 published          proposed
  messages                                              28                28
  pass DMARC                                     20  71.4%         20  71.4%
  delivered                                      28 100.0%         20  71.4%
  quarantined                                     0   0.0%          0   0.0%
  rejected                                        0   0.0%          6  21.4%
  overridden (receivers may let through)          0   0.0%          2   7.1%

Receivers reported: 28 none, 0 quarantine, 0 reject.
Override reasons: forwarded 2.

Sources that would lose mail under the proposed record:
  203.0.113.5: 6 messages, 6 lost
    as example.org:
      SPF under the policy's senders for example.org: unknown (203.0.113.5 is not in the policy's ip4/ip6 senders for example.org; its a/mx/include terms need DNS (run with --resolve))
      DKIM: does not sign with a declared selector (declared: 2026a); signatures on the failing mail: d=esp.test s=k1 pass (unaligned)
      add under domains.example.org.senders: - ip4: 203.0.113.5
      - has no DKIM signature as example.org (it signs as esp.test): if this source is yours, have it sign as example.org and declare the selector under dkim:
      - uses MAIL FROM esp.test, not aligned with example.org: SPF can make it pass DMARC only with a MAIL FROM (return path) under example.org; DKIM is the surer fix
  198.51.100.9: 2 messages, 2 lost unless receivers override
    as news.example.org:
      SPF under the policy's senders for news.example.org: no senders in the policy (the policy has no entry for news.example.org)
      DKIM: does not sign with a declared selector (declared: 2026a); signatures on the failing mail: none
      - receivers marked this mail forwarded: the source relays mail, it does not send for news.example.org; do not list it in SPF. Only a DKIM signature as news.example.org that survives the relay (or ARC at the relay) keeps such mail passing

Notes:
  - 2 failing messages from subdomains were evaluated under sp=, not np=: whether those subdomains exist cannot be told from the reports (RFC 9989 np= applies only to non-existent ones; --resolve asks DNS)
`;

describe('mailrec dmarc simulate', () => {
  it('prints the simulation for a small fixture, exactly', async () => {
    const run = await runCli(['-C', REPO, 'dmarc', 'simulate', 'reports'], { cwd: tmpdir() });
    expect(run).toEqual({ code: 0, stdout: EXPECTED_TEXT, stderr: '' });
  });

  it('json: the same numbers as data', async () => {
    const run = await runCli(['-C', REPO, '--format', 'json', 'dmarc', 'simulate', 'reports'], { cwd: tmpdir() });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.version).toBe(1);
    expect(out.simulation.published).toEqual({ messages: 28, pass: 20, fail: 8, delivered: 28, quarantined: 0, rejected: 0, overridden: 0 });
    expect(out.simulation.proposed).toEqual({ messages: 28, pass: 20, fail: 8, delivered: 20, quarantined: 0, rejected: 6, overridden: 2 });
    // Only the sources that lose mail (192.0.2.10 passes under both records).
    expect(out.sources.map((s: { ip: string; lost: number; mayLose: number }) => [s.ip, s.lost, s.mayLose])).toEqual([
      ['203.0.113.5', 6, 0],
      ['198.51.100.9', 0, 2],
    ]);
    expect([out.sourceCount, out.allSources]).toEqual([2, 3]);
    expect(out.sources[0].fixes[0].add).toEqual([{ domain: 'example.org', key: 'senders', line: '- ip4: 203.0.113.5' }]);
  });

  it('markdown: tables for a merge-request comment', async () => {
    const run = await runCli(['-C', REPO, '--format', 'markdown', 'dmarc', 'simulate', 'reports'], { cwd: tmpdir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('| rejected | 0 (0.0%) | 6 (21.4%) |\n');
    expect(run.stdout).toContain('| 203.0.113.5 | 6 | 6 | 0 |\n');
    expect(run.stdout).toContain('  - add under `domains.example.org.senders`: `- ip4: 203.0.113.5`\n');
  });

  it('--record and --domain: the record replaces the policy\'s; the estate, with its corrupt file named', async () => {
    const dir = writeEstate();
    const run = await runCli(['dmarc', 'simulate', '.', '--record', 'v=DMARC1; p=quarantine', '--domain', 'example.org', '--top', '2'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Proposed (--record):\n  _dmarc.example.org  v=DMARC1; p=quarantine\n');
    expect(run.stdout).toMatch(/ {2}quarantined +0 +0\.0% +29 +29\.9%\n/);
    expect(run.stdout).toContain('Sources that would lose mail under the proposed record; 2 of 7 shown:\n');
    expect(run.stdout).toContain('Skipped (1 report could not be read):\n  broken.xml.gz: corrupt or truncated gzip data (unexpected end of file)\n');
    expect(run.stderr).toBe('warning: broken.xml.gz: corrupt or truncated gzip data (unexpected end of file)\n');
  });

  it('usage errors are one line with a hint', async () => {
    const bad = await runCli(['-C', REPO, 'dmarc', 'simulate', 'reports', '--record', 'v=DMARC1; p=block'], { cwd: tmpdir() });
    expect(bad).toEqual({ code: 1, stdout: '', stderr: 'error: --record: p=block is not none, quarantine or reject\nhint: e.g. --record "v=DMARC1; p=reject"\n' });
    const none = await runCli(['dmarc', 'simulate', 'x'], { cwd: mkdtempSync(join(tmpdir(), 'mailrec-empty-')) });
    expect(none.code).toBe(1);
    expect(none.stderr).not.toContain('    at ');
    const top = await runCli(['-C', REPO, 'dmarc', 'simulate', 'reports', '--top', 'many'], { cwd: tmpdir() });
    expect(top.stderr).toBe('error: --top many: not a number of sources\nhint: e.g. --top 50, or --top 0 for all\n');
  });
});

describe('mailrec plan --reports', () => {
  it('adds the simulated impact to the DMARC change\'s risk note, and the plan still applies', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mailrec-plan-reports-'));
    cpSync(REPO, repo, { recursive: true });
    const run = await runCli(['plan', '--reports', 'reports', '--format', 'json'], { cwd: repo });
    expect(run.stderr).toBe('');
    const plan = JSON.parse(run.stdout) as Plan;
    const dmarc = plan.changes.find((c) => c.name === '_dmarc.example.org')!;
    expect(dmarc.risks.at(-1)).toEqual({
      level: 'medium',
      message:
        'aggregate reports (1 report, 28 messages from example.org and its subdomains): 20 (71.4%) pass DMARC; the new record would leave 0 quarantined (0.0%), 6 rejected (21.4%) where the published one leaves 0 quarantined (0.0%), 0 rejected (0.0%); 2 more fail but receivers overrode the policy for them (forwarded, mailing lists...); sources that would lose mail: 203.0.113.5 (6) (mailrec dmarc simulate shows the fix for each)',
    });
    expect(checkPlanChecksum(plan)).toBe(true);
    const text = await runCli(['plan', '--reports', 'reports'], { cwd: repo });
    expect(text.stdout).toContain('! medium: aggregate reports (1 report, 28 messages');
    const without = await runCli(['plan', '--format', 'json'], { cwd: repo });
    expect(JSON.parse(without.stdout).changes.find((c: { name: string }) => c.name === '_dmarc.example.org').risks.some((r: { message: string }) => r.message.startsWith('aggregate'))).toBe(false);
  });
});
