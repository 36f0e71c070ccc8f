// The scope of an unknown, end to end (issue 11): `audit --zones` on a zone without DMARC
// whose MX hosts are at a hosting company, and a real authoritative-only BIND used as
// `--resolver`, which answers REFUSED (RA clear) for every name outside its zones.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainJson } from '../../src/audit/summary.js';
import { startBind, type BindServer } from '../helpers/bind.js';
import { runCli } from '../helpers/cli.js';

const HOSTED = `$ORIGIN hosted.example.
$TTL 3600
@ SOA ns1.provider.example. hostmaster.hosted.example. 1 3600 600 86400 300
@ NS ns1.provider.example.
@ A 127.0.0.80
@ MX 10 mx1.mailhost.example.
@ TXT "v=spf1 ip4:127.0.0.0/24 -all"
`;

describe('audit --zones: a zone without DMARC, MX hosts outside the zone repo', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'mailrec-unknown-'));
    mkdirSync(join(cwd, 'zones'));
    writeFileSync(join(cwd, 'zones', 'hosted.example.zone'), HOSTED);
  });

  it('reports dmarc.missing, scores below 100 on less than the full weight, and says "outside the zone repo"', async () => {
    const run = await runCli(['audit', '--zones', 'zones', '--format', 'json', 'hosted.example'], { cwd });
    expect(run.code).toBe(0);
    const d = (JSON.parse(run.stdout) as { domains: DomainJson[] }).domains[0]!;
    expect(d.findings.map((f) => f.code)).toContain('dmarc.missing');
    expect(d.unknownCategories).toEqual([]);
    expect(d.score).toBe(57);
    expect(d.coverage.points).toBeLessThan(d.coverage.of);
    expect(d.coverage).toEqual({ points: 59.5, of: 80 });
    for (const f of d.findings) expect(f.fix, f.code).not.toMatch(/Retry the audit/);

    const text = await runCli(['audit', '--zones', 'zones', 'hosted.example'], { cwd });
    expect(text.stdout).toContain('hosted.example  score 57/100 on 59.5 of 80 points');
    expect(text.stdout).toContain('outside the zone repo');
    expect(text.stdout).not.toMatch(/[Rr]etry the audit|check the name servers/);
  });

  it('--fail-under 50 fails on the worst case, --allow-unknown passes on the score', async () => {
    const strict = await runCli(['audit', '--zones', 'zones', '--fail-under', '50', 'hosted.example'], { cwd });
    expect(strict.code).toBe(2);
    expect(strict.stdout).toContain('failed: hosted.example scores 57 on 59.5 of 80 points; with the 20.5 unknown points counted as failed it scores 31, under 50');
    const allowed = await runCli(['audit', '--zones', 'zones', '--fail-under', '50', '--allow-unknown', 'hosted.example'], { cwd });
    expect(allowed.code).toBe(0);
    const lone = await runCli(['audit', '--zones', 'zones', '--allow-unknown', 'hosted.example'], { cwd });
    expect(lone.code).toBe(1);
    expect(lone.stderr).toMatch(/--allow-unknown goes with --fail-under/);
  });
});

describe('an authoritative-only BIND as --resolver', () => {
  let bind: BindServer;
  let cwd: string;
  beforeAll(async () => {
    const soa = '@ SOA ns1.auth.test. hostmaster.auth.test. 1 3600 600 86400 300\n@ NS ns1.auth.test.\n';
    bind = await startBind({
      zones: [
        { name: 'auth.test', text: `${soa}ns1 A 127.0.0.1\n` },
        {
          // p=none with reports to a destination outside the server's zones.
          name: 'pnone.auth.test',
          text: `${soa}@ MX 10 mx1\nmx1 A 127.0.0.25\n@ TXT "v=spf1 mx -all"\n_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@reports.example"\n_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@pnone.auth.test"\n`,
        },
        // No _dmarc at all: the walk goes on to _dmarc.test, which the server refuses.
        { name: 'bare.test', text: `@ SOA ns1.auth.test. h.auth.test. 1 3600 600 86400 300\n@ NS ns1.auth.test.\n@ MX 10 mx1\nmx1 A 127.0.0.26\n@ TXT "v=spf1 mx -all"\n` },
      ],
    });
    cwd = mkdtempSync(join(tmpdir(), 'mailrec-refused-'));
  });
  afterAll(async () => {
    await bind?.stop();
  });

  it('really is authoritative-only: REFUSED without RA outside its zones', async () => {
    const dig = await bind.dig(['+norec', '_dmarc.test', 'TXT']);
    expect(dig.stdout).toMatch(/status: REFUSED/);
    expect(dig.stdout).not.toMatch(/flags:[^;]*\bra\b/);
  });

  it('says the REFUSED note once per run, and still scores dmarc.not-enforcing and dmarc.missing', async () => {
    const server = `127.0.0.1:${bind.port}`;
    const args = ['audit', '--no-probe', '--resolver', server, 'pnone.auth.test', 'bare.test'];
    const run = await runCli([...args, '--format', 'json'], { cwd });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { notes?: string[]; domains: DomainJson[] };
    const note = `${server} answers only for its own zones; names outside them are unknown: use a recursive resolver or --authoritative`;
    expect(doc.notes).toEqual([note]);

    const pnone = doc.domains.find((d) => d.domain === 'pnone.auth.test')!;
    expect(pnone.unknownCategories).toEqual([]);
    expect(pnone.findings.map((f) => f.code)).toContain('dmarc.not-enforcing');
    expect(pnone.categories.find((c) => c.category === 'dmarc')).toMatchObject({ status: 'scored', percent: 60, floor: 45 });
    const unchecked = pnone.findings.find((f) => f.code === 'dmarc.check-unknown')!;
    expect(unchecked.unknownChecks).toEqual(['dmarc.report-unauthorized']);
    expect(unchecked.evidence.asked).toEqual([{ name: 'pnone.auth.test._report._dmarc.reports.example', type: 'TXT', status: 'error', cause: 'not-recursive' }]);

    const bare = doc.domains.find((d) => d.domain === 'bare.test')!;
    expect(bare.findings.filter((f) => f.category === 'dmarc').map((f) => f.code)).toEqual(['dmarc.missing', 'dmarc.walk-unknown']);
    expect(bare.categories.find((c) => c.category === 'dmarc')).toMatchObject({ status: 'scored', percent: 0 });

    // Text: the note once at the top, no retry hint on any domain.
    const text = await runCli(args, { cwd });
    expect(text.stdout.split(note).length - 1).toBe(1);
    expect(text.stdout).toContain(`note: ${note}`);
    expect(text.stdout).not.toMatch(/[Rr]etry the audit/);
  });
});
