import { describe, expect, it } from 'vitest';
import { makeFinding } from '../../src/base/finding.js';
import { auditDomain, auditDomains } from '../../src/audit/run.js';
import type { Answer, Resolver } from '../../src/dns/resolver.js';
import type { RRType } from '../../src/dns-types/rr.js';
import type { FakeZone } from '../helpers/fake-resolver.js';
import { cleanZone, codes, DOMAIN as D, resolverFor, withNames } from './zone.js';

describe('auditDomain', () => {
  it('a clean domain scores 100 with no error or warning', async () => {
    const report = await auditDomain(D, resolverFor(cleanZone()), { selectors: ['sel1'] });
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.score.score).toBe(100);
    expect(report.score.pathTo100).toEqual([]);
    expect(report.unknownCategories).toEqual([]);
    expect(report.spf?.lookups).toBe(1);
    expect(report.asked.length).toBeGreaterThan(10);
  });

  const defects: [string, Record<string, Parameters<typeof withNames>[1][string]>, string, 'error' | 'warning'][] = [
    ['SPF +all', { [D]: { A: ['192.0.2.1'], MX: [[10, `mx1.${D}`]], TXT: ['v=spf1 +all'] } }, 'spf.pass-all', 'error'],
    ['DMARC p=none', { [`_dmarc.${D}`]: { TXT: [`v=DMARC1; p=none; rua=mailto:d@${D}`] } }, 'dmarc.not-enforcing', 'warning'],
    ['DKIM key missing', { [`sel1._domainkey.${D}`]: 'nxdomain' }, 'dkim.missing', 'error'],
    ['MX target without address', { [`mx1.${D}`]: { TXT: ['no address'] } }, 'mx.target-no-address', 'error'],
    ['no MTA-STS', { [`_mta-sts.${D}`]: 'nxdomain' }, 'transport.none', 'warning'],
    ['no TLS-RPT', { [`_smtp._tls.${D}`]: 'nxdomain' }, 'tls-rpt.missing', 'warning'],
    ['SRV 465 under _submission', { [`_submission._tcp.${D}`]: { SRV: [[0, 1, 465, `submit.${D}`]] } }, 'srv.submission-465', 'error'],
  ];
  it.each(defects)('%s → %s', async (_n, changes, code, severity) => {
    const report = await auditDomain(D, resolverFor(withNames(cleanZone(), changes)), { selectors: ['sel1'] });
    const f = report.findings.find((x) => x.code === code);
    expect(f, JSON.stringify(codes(report.findings))).toBeDefined();
    expect(f!.severity).toBe(severity);
    expect(report.score.score).toBeLessThan(100);
    expect(report.score.pathTo100.map((s) => s.code)).toContain(code);
  });

  it('a timeout is unknown, never missing, and the score leaves the category out', async () => {
    const report = await auditDomain(D, resolverFor(withNames(cleanZone(), { [`_dmarc.${D}`]: 'servfail', [`sel1._domainkey.${D}`]: 'servfail' })), { selectors: ['sel1'] });
    expect(codes(report.findings)).toEqual(['dkim.unknown', 'dmarc.unknown']);
    expect(report.findings.some((f) => f.code === 'dmarc.missing' || f.code === 'dkim.missing')).toBe(false);
    expect(report.unknownCategories).toEqual(['dmarc', 'dkim']);
    expect(report.score.categories.find((c) => c.category === 'dmarc')!.status).toBe('unknown');
    expect(report.score.score).toBe(100);
    expect(report.notes.join('\n')).toContain('dmarc is not scored');
  });

  it('DKIM without selectors is left out and the run says why', async () => {
    const report = await auditDomain(D, resolverFor(cleanZone()));
    expect(report.score.categories.find((c) => c.category === 'dkim')!.status).toBe('not-applicable');
    expect(report.notes.join('\n')).toContain('no DKIM selector');
    expect(report.score.score).toBe(100);
  });

  it('a domain without mail (null MX, -all, p=reject) needs no transport security', async () => {
    const z: FakeZone = {
      [D]: { MX: [[0, '.']], TXT: ['v=spf1 -all'] },
      [`_dmarc.${D}`]: { TXT: [`v=DMARC1; p=reject; rua=mailto:d@${D}`] },
      [`_mta-sts.${D}`]: 'nxdomain',
      [`_smtp._tls.${D}`]: 'nxdomain',
      ...Object.fromEntries(['submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s'].map((s) => [`_${s}._tcp.${D}`, 'nxdomain' as const])),
    };
    const report = await auditDomain(D, resolverFor(z));
    expect(report.findings).toEqual([]);
    expect(report.score.categories.find((c) => c.category === 'transport')!.status).toBe('not-applicable');
    expect(report.score.score).toBe(100);
  });

  it('merges drift findings, which do not change the score', async () => {
    const drift = makeFinding('drift.changed', D, `_dmarc.${D}`, 'p=reject in DNS, p=quarantine in the policy', { asked: [] });
    const report = await auditDomain(D, resolverFor(cleanZone()), { selectors: ['sel1'], driftFindings: [drift] });
    expect(codes(report.findings)).toEqual(['drift.changed']);
    expect(report.score.score).toBe(100);
  });

  it('sorts findings deterministically and gives the same report twice', async () => {
    const z = withNames(cleanZone(), { [`_dmarc.${D}`]: { TXT: ['v=DMARC1; p=none; pct=50'] }, [`_mta-sts.${D}`]: 'nxdomain' });
    const a = await auditDomain(D, resolverFor(z), { selectors: ['sel1'] });
    const b = await auditDomain(D, resolverFor(z), { selectors: ['sel1'] });
    expect(b.findings).toEqual(a.findings);
    expect(b.score).toEqual(a.score);
    expect(a.findings.map((f) => f.code)).toEqual(['dmarc.not-enforcing', 'dmarc.removed-tag', 'dmarc.rua-missing', 'transport.none']);
  });
});

describe('auditDomains', () => {
  it('runs a bounded pool, reports in input order, and reports progress', async () => {
    const domains = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example'];
    let active = 0;
    let peak = 0;
    const started = new Set<string>();
    const slow: Resolver = {
      async resolve(name: string, _type: RRType): Promise<Answer> {
        const domain = domains.find((d) => name === d || name.endsWith(`.${d}`));
        if (domain && !started.has(domain)) {
          started.add(domain);
          active++;
          peak = Math.max(peak, active);
        }
        await new Promise((r) => setTimeout(r, 1));
        return { status: 'nxdomain', authenticated: false };
      },
    };
    const progress: string[] = [];
    const reports = await auditDomains(domains, slow, {
      concurrency: 2,
      onProgress: (done, total, d) => {
        progress.push(`${done}/${total} ${d}`);
        active--;
      },
    });
    expect(reports.map((r) => r.domain)).toEqual(domains);
    expect(progress).toHaveLength(5);
    expect(progress[4]).toMatch(/^5\/5 /);
    expect(peak).toBe(2);
    expect(codes(reports[0]!.findings)).toContain('spf.missing');
  });
});
