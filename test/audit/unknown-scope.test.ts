// The scope of an unknown (issue 11): a failed lookup makes unknown only the conclusions
// that depend on it. Offline zones answer through the real zone-repo resolver, so names
// outside the repo fail as they do under `audit --zones`; the score's coverage and worst
// case are checked against the hand computation in docs/score.md (worked example 3).

import { describe, expect, it } from 'vitest';
import { checkDmarc } from '../../src/audit/checks/dmarc.js';
import { makeFinding, type Finding } from '../../src/base/finding.js';
import { auditDomain } from '../../src/audit/run.js';
import { scoreDomain } from '../../src/audit/score.js';
import { createZoneRepoResolver, type LoadedZone } from '../../src/audit/sources/zone-repo.js';
import type { Answer, Resolver } from '../../src/dns/resolver.js';
import { parseZoneText } from '../../src/zone/reader.js';
import { summarizeAudit } from '../../src/audit/summary.js';
import { renderAuditText } from '../../src/report/audit-text.js';
import { codes, resolverFor } from './zone.js';
import type { FakeZone } from '../helpers/fake-resolver.js';

/** One zone from master-file text, as `--zones` loads it. */
function zoneOf(apex: string, text: string): LoadedZone {
  const { records } = parseZoneText(text, { origin: apex, file: `${apex}.zone` });
  return { apex, records: records.map(({ position: _p, ...rr }) => rr as LoadedZone['records'][number]), files: [`${apex}.zone`] };
}

/** The real-world shape: SPF, no _dmarc, MX hosts at a hosting company (outside the repo). */
const HOSTED = `$TTL 3600
@ SOA ns1.provider.example. hostmaster.hosted.example. 1 3600 600 86400 300
@ NS ns1.provider.example.
@ NS ns2.provider.example.
@ A 127.0.0.80
@ MX 10 mx1.mailhost.example.
@ MX 20 mx2.mailhost.example.
@ TXT "v=spf1 ip4:127.0.0.0/24 -all"
www CNAME hosted.example.
`;

const byCode = (findings: Finding[], code: string): Finding[] => findings.filter((f) => f.code === code);

describe('offline: a zone without DMARC whose MX hosts are outside the zone repo', () => {
  const resolver = createZoneRepoResolver([zoneOf('hosted.example', HOSTED)]);

  it('is dmarc.missing (not unknown), MX and transport scored on what the zone holds: worked example 3', async () => {
    const report = await auditDomain('hosted.example', resolver);
    expect(codes(report.findings.filter((f) => f.severity !== 'info'))).toEqual(['dmarc.missing', 'tls-rpt.missing']);
    expect(report.unknownCategories).toEqual([]);
    // The PSD/TLD step (_dmarc.example) is outside the repo: an info note, never a verdict.
    const walk = byCode(report.findings, 'dmarc.walk-unknown');
    expect(walk.map((f) => [f.name, f.severity])).toEqual([['_dmarc.example', 'info']]);
    expect(walk[0]!.message).toMatch(/outside the zone repo/);
    // Each MX host: its own checks unknown, with offline advice.
    const mx = byCode(report.findings, 'mx.check-unknown');
    expect(mx.map((f) => f.name)).toEqual(['mx1.mailhost.example', 'mx2.mailhost.example']);
    expect(mx[0]!.unknownChecks).toEqual(['mx.target-cname', 'mx.target-no-address']);
    expect(mx[0]!.fix).toMatch(/outside the zone repo/);
    expect(mx[0]!.fix).not.toMatch(/[Rr]etry/);
    const transport = byCode(report.findings, 'transport.check-unknown');
    expect(transport.flatMap((f) => f.unknownChecks)).toEqual(['tlsa.bad-usage', 'tlsa.invalid', 'tlsa.no-dnssec', 'tlsa.bad-usage', 'tlsa.invalid', 'tlsa.no-dnssec', 'transport.none']);

    // docs/score.md worked example 3: (25×100 + 30×0 + 10×100 + 15×70) ÷ 80 = 56.875 → 57,
    // on 80 − 10 − 10.5 = 59.5 of 80 points; worst case 2500 ÷ 80 = 31.25 → 31.
    const card = report.score;
    expect(card.categories.map((c) => [c.category, c.status, c.percent, c.floor])).toEqual([
      ['spf', 'scored', 100, 100],
      ['dmarc', 'scored', 0, 0],
      ['dkim', 'not-applicable', undefined, undefined],
      ['mx', 'scored', 100, 0],
      ['transport', 'scored', 70, 0],
    ]);
    expect(card.score).toBe(57);
    expect(card.coverage).toEqual({ points: 59.5, of: 80 });
    expect(card.worstCase).toBe(31);
    expect(card.pathTo100.map((p) => [p.code, p.gain])).toEqual([['dmarc.missing', 37], ['tls-rpt.missing', 6]]);
    expect(renderAuditText({ source: { kind: 'zones', description: 'zone files' }, reports: [report] })).toContain('hosted.example  score 57/100 on 59.5 of 80 points');
  });

  it('--fail-under counts unknown weight as failed; --allow-unknown compares the score', async () => {
    const report = await auditDomain('hosted.example', resolver);
    const base = { source: { kind: 'zones' as const, description: 'zone files' }, reports: [report], failUnder: 50 };
    const strict = summarizeAudit(base);
    expect(strict.passed).toBe(false);
    expect(strict.uncovered).toEqual(['hosted.example']);
    expect(strict.failures).toEqual([
      'hosted.example scores 57 on 59.5 of 80 points; with the 20.5 unknown points counted as failed it scores 31, under 50 (--allow-unknown compares the 57)',
    ]);
    expect(summarizeAudit({ ...base, allowUnknown: true }).passed).toBe(true);
    expect(summarizeAudit({ ...base, failUnder: 58, allowUnknown: true }).failures).toEqual(['hosted.example scores 57, under 58']);
  });

  it('never prints a bare 100 when categories are unknown', () => {
    const unknown = (['dmarc.unknown', 'dkim.unknown', 'mx.unknown', 'transport.unknown'] as const).map((c) => makeFinding(c, 'x.example', 'x.example', c, { asked: [] }));
    const card = scoreDomain(unknown);
    expect(card.score).toBe(100);
    expect(card.coverage).toEqual({ points: 25, of: 100 });
    expect(card.worstCase).toBe(25);
    const report = { domain: 'x.example', findings: unknown, score: card, unknownCategories: [], notes: [], asked: [] };
    const text = renderAuditText({ source: { kind: 'zones', description: 'zone files' }, reports: [report] });
    expect(text).toContain('x.example  score 100/100 on 25 of 100 points');
    expect(text).not.toMatch(/score 100\/100\n/);
  });
});

describe('DMARC: the own record decides, the walk above it only informs', () => {
  const D = 'example.org';
  it('own _dmarc absent, the TLD step unanswered: dmarc.missing plus an info note', async () => {
    const z: FakeZone = { [`_dmarc.${D}`]: 'nxdomain', '_dmarc.org': 'servfail' };
    const f = await checkDmarc(D, resolverFor(z));
    expect(f.map((x) => [x.code, x.severity, x.name])).toEqual([
      ['dmarc.missing', 'error', `_dmarc.${D}`],
      ['dmarc.walk-unknown', 'info', '_dmarc.org'],
    ]);
    expect(scoreDomain(f).categories.find((c) => c.category === 'dmarc')).toMatchObject({ status: 'scored', percent: 0 });
  });

  it('own _dmarc unanswered: the whole category is unknown', async () => {
    expect(codes(await checkDmarc(D, resolverFor({ [`_dmarc.${D}`]: 'servfail' })))).toEqual(['dmarc.unknown']);
  });

  it('an unanswered report authorization leaves that one check unknown: p=none still costs its 40', async () => {
    const z: FakeZone = {
      [`_dmarc.${D}`]: { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@reports.example.net'] },
      [`${D}._report._dmarc.reports.example.net`]: 'servfail',
    };
    const f = await checkDmarc(D, resolverFor(z));
    expect(codes(f)).toEqual(['dmarc.check-unknown', 'dmarc.not-enforcing']);
    expect(f.find((x) => x.code === 'dmarc.check-unknown')!.unknownChecks).toEqual(['dmarc.report-unauthorized']);
    const dmarc = scoreDomain(f).categories.find((c) => c.category === 'dmarc')!;
    expect(dmarc).toMatchObject({ status: 'scored', percent: 60, floor: 45, unknownChecks: [{ code: 'dmarc.report-unauthorized', penalty: 15 }] });
  });

  it('an organizational-domain walk that fails makes the same check unknown', async () => {
    // Same last label: the walk must tell whether both share an organizational domain.
    const z: FakeZone = {
      [`_dmarc.${D}`]: { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@other.org'] },
      '_dmarc.org': 'servfail',
    };
    const f = await checkDmarc(D, resolverFor(z));
    expect(codes(f)).toEqual(['dmarc.check-unknown']);
  });
});

describe('score: unknown checks are weight not covered, never points gained', () => {
  const f = (code: Parameters<typeof makeFinding>[0], unknownChecks?: string[]): Finding => ({
    ...makeFinding(code, 'example.org', 'example.org', code, { asked: [] }),
    ...(unknownChecks ? { unknownChecks } : {}),
  });

  it('a code both found and unknown elsewhere costs its penalty once and is not uncovered', () => {
    const card = scoreDomain([f('mx.target-no-address'), f('mx.check-unknown', ['mx.target-no-address', 'mx.target-cname'])]);
    const mx = card.categories.find((c) => c.category === 'mx')!;
    expect(mx).toMatchObject({ percent: 40, floor: 0, unknownChecks: [{ code: 'mx.target-cname', penalty: 40 }] });
    // mx: 40% scored, 0% at worst: 10 × 40 ÷ 100 = 4 points not covered; worst case 9000 ÷ 100.
    expect(card.coverage).toEqual({ points: 96, of: 100 });
    expect(card.worstCase).toBe(90);
  });

  it('full coverage: the worst case is the score', () => {
    const card = scoreDomain([f('dmarc.not-enforcing')]);
    expect(card.coverage).toEqual({ points: 100, of: 100 });
    expect(card.worstCase).toBe(card.score);
  });

  it('worked example 2 (DKIM unknown): 60 on 80 of 100 points, worst case 48', () => {
    const card = scoreDomain(['spf.too-many-lookups', 'spf.ptr', 'mx.target-cname', 'transport.none', 'dkim.rsa-weak', 'dkim.unknown'].map((c) => f(c as Parameters<typeof makeFinding>[0])));
    expect(card.score).toBe(60);
    expect(card.coverage).toEqual({ points: 80, of: 100 });
    expect(card.worstCase).toBe(48);
  });
});

describe('offline advice and REFUSED advice', () => {
  /** A resolver whose every failure carries one cause. */
  const failing = (cause: 'outside-zone-repo' | 'not-recursive'): Resolver => ({
    resolve: async (): Promise<Answer> => ({ status: 'error', reason: 'x', cause }),
  });

  it('a category unknown because of names outside the repo says so, never "retry"', async () => {
    const f = await checkDmarc('example.org', failing('outside-zone-repo'));
    expect(f.map((x) => x.code)).toEqual(['dmarc.unknown']);
    expect(f[0]!.message).toContain('outside the zone repo');
    expect(f[0]!.fix).toMatch(/outside the zone repo/);
    expect(f[0]!.fix).not.toMatch(/[Rr]etry/);
    expect(f[0]!.evidence.asked).toEqual([{ name: '_dmarc.example.org', type: 'TXT', status: 'error', cause: 'outside-zone-repo' }]);
  });

  it('a server that does not recurse: the fix points at the run note, not at a retry', async () => {
    const f = await checkDmarc('example.org', failing('not-recursive'));
    expect(f[0]!.fix).toMatch(/answers only for its own zones/);
    expect(f[0]!.fix).not.toMatch(/[Rr]etry/);
  });
});
