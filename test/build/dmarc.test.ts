import { describe, expect, it } from 'vitest';
import type { DmarcPolicy } from '../../src/policy/model.js';
import { buildDmarc, normalizeReportUri, reportDestination } from '../../src/build/dmarc.js';
import { txtText } from '../../src/dns-types/rr.js';
import { makeDomain, pos } from './fixtures.js';

function dmarc(overrides: Partial<DmarcPolicy> = {}): DmarcPolicy {
  return { policy: 'none', testing: false, rua: [], ruf: [], position: pos, ...overrides };
}

function texts(result: ReturnType<typeof buildDmarc>): [string, string][] {
  return result.records.map((rr) => [rr.name, rr.type === 'TXT' ? txtText(rr) : '']);
}

describe('buildDmarc: the policy record', () => {
  const cases: { name: string; policy: DmarcPolicy; want: string }[] = [
    { name: 'minimal', policy: dmarc(), want: 'v=DMARC1; p=none' },
    {
      name: 'every tag, in the fixed order',
      policy: dmarc({
        ruf: ['mailto:forensic@example.org'],
        rua: ['mailto:agg@example.org'],
        fo: '1:D',
        aspf: 'strict',
        adkim: 'strict',
        testing: true,
        psd: 'n',
        nonexistentPolicy: 'reject',
        subdomainPolicy: 'quarantine',
        policy: 'quarantine',
      }),
      want: 'v=DMARC1; p=quarantine; sp=quarantine; np=reject; psd=n; t=y; adkim=s; aspf=s; fo=1:d; rua=mailto:agg@example.org; ruf=mailto:forensic@example.org',
    },
    { name: 'explicit relaxed alignment is kept', policy: dmarc({ adkim: 'relaxed', aspf: 'relaxed' }), want: 'v=DMARC1; p=none; adkim=r; aspf=r' },
    { name: 'testing off writes no t=', policy: dmarc({ policy: 'reject', testing: false }), want: 'v=DMARC1; p=reject' },
    {
      name: 'mailto: added, scheme and domain lowercased, duplicates dropped, order kept',
      policy: dmarc({ rua: ['b@Example.ORG', 'MAILTO:a@example.org', 'mailto:b@example.org'] }),
      want: 'v=DMARC1; p=none; rua=mailto:b@example.org,mailto:a@example.org',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const built = buildDmarc(makeDomain('example.org', { dmarc: c.policy }), ['example.org']);
      expect(texts(built)).toEqual([['_dmarc.example.org', c.want]]);
      expect(built.notices).toEqual([]);
    });
  }

  it('pct only when asked, after t=, with a warning', () => {
    const built = buildDmarc(makeDomain('example.org', { dmarc: dmarc({ policy: 'quarantine', testing: true, pct: 50, adkim: 'strict' }) }), ['example.org']);
    expect(texts(built)).toEqual([['_dmarc.example.org', 'v=DMARC1; p=quarantine; t=y; pct=50; adkim=s']]);
    expect(built.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['warning', 'dmarc.removed-tag', '_dmarc.example.org']]);
  });

  it.each([[101], [-1], [2.5]])('refuses pct=%s', (pct) => {
    const built = buildDmarc(makeDomain('example.org', { dmarc: dmarc({ pct }) }), ['example.org']);
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => n.code)).toEqual(['dmarc.syntax']);
  });

  it('refuses a malformed fo', () => {
    const built = buildDmarc(makeDomain('example.org', { dmarc: dmarc({ fo: '2' }) }), ['example.org']);
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => n.code)).toEqual(['dmarc.syntax']);
  });

  it('no dmarc declared: no record', () => {
    expect(buildDmarc(makeDomain('example.org'), ['example.org'])).toEqual({ records: [], files: [], notices: [] });
  });

  it('mail: none publishes p=reject, with no rua unless given', () => {
    expect(texts(buildDmarc(makeDomain('example.org', { noMail: true }), ['example.org']))).toEqual([['_dmarc.example.org', 'v=DMARC1; p=reject']]);
    const withRua = buildDmarc(makeDomain('example.org', { noMail: true, dmarc: dmarc({ policy: 'none', rua: ['d@example.org'] }) }), ['example.org']);
    expect(texts(withRua)).toEqual([['_dmarc.example.org', 'v=DMARC1; p=reject; rua=mailto:d@example.org']]);
    expect(withRua.notices.map((n) => [n.severity, n.code])).toEqual([['info', 'dmarc.no-mail-reject']]);
  });

  it('uses the domain TTL', () => {
    expect(buildDmarc(makeDomain('example.org', { ttl: 120, dmarc: dmarc() }), ['example.org']).records[0]!.ttl).toBe(120);
  });
});

describe('buildDmarc: external report destinations', () => {
  it('a destination in another zone of the policy gets the authorization record, once', () => {
    const built = buildDmarc(
      makeDomain('example.org', { ttl: 300, dmarc: dmarc({ rua: ['agg@reports.example.net'], ruf: ['mailto:ruf@reports.example.net'] }) }),
      ['example.org', 'example.net'],
    );
    expect(texts(built)).toEqual([
      ['_dmarc.example.org', 'v=DMARC1; p=none; rua=mailto:agg@reports.example.net; ruf=mailto:ruf@reports.example.net'],
      ['example.org._report._dmarc.reports.example.net', 'v=DMARC1'],
    ]);
    expect(built.records[1]!.ttl).toBe(300);
    expect(built.notices).toEqual([]);
  });

  it('a destination outside the policy gets an info notice naming the record it must publish', () => {
    const built = buildDmarc(makeDomain('example.org', { dmarc: dmarc({ rua: ['mailto:x@vendor.example!10m'] }) }), ['example.org', 'example.net']);
    expect(texts(built)).toHaveLength(1);
    expect(built.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['info', 'dmarc.external-rua-unauthorized', '_dmarc.example.org']]);
    expect(built.notices[0]!.message).toContain('example.org._report._dmarc.vendor.example');
  });

  it('a destination is in a zone when the zone is its name, a parent on a label boundary, or the root; zones as a set say the same', () => {
    const cases: Array<[string, string[], boolean]> = [
      ['reports.example.net', ['example.net'], true],
      ['reports.example.net', ['reports.example.net'], true],
      ['reports.example.net', ['ample.net', 'net.example'], false],
      ['reports.example.net', ['deep.reports.example.net'], false],
      ['reports.example.net', [''], true],
    ];
    for (const [dest, zones, authorized] of cases) {
      for (const given of [['example.org', ...zones], new Set(['example.org', ...zones])]) {
        const built = buildDmarc(makeDomain('example.org', { dmarc: dmarc({ rua: [`a@${dest}`] }) }), given);
        expect(built.records.map((r) => r.name)).toEqual(authorized ? ['_dmarc.example.org', `example.org._report._dmarc.${dest}`] : ['_dmarc.example.org']);
        expect(built.notices.map((n) => n.code)).toEqual(authorized ? [] : ['dmarc.external-rua-unauthorized']);
      }
    }
  });

  it.each([
    ['the domain itself', 'sub.example.org', 'd@sub.example.org'],
    ['a parent in the same zone', 'sub.example.org', 'd@example.org'],
    ['a sibling in the same zone', 'sub.example.org', 'd@reports.example.org'],
  ])('%s is internal: no authorization, no notice', (_label, domain, rua) => {
    const built = buildDmarc(makeDomain(domain, { zone: 'example.org', dmarc: dmarc({ rua: [rua] }) }), ['example.org', 'example.net']);
    expect(built.records.map((r) => r.name)).toEqual([`_dmarc.${domain}`]);
    expect(built.notices).toEqual([]);
  });

  it('parses destinations and normalizes URIs', () => {
    expect(reportDestination('mailto:a@B.Example!10m')).toBe('b.example');
    expect(reportDestination('https://x.example/r')).toBeUndefined();
    expect(normalizeReportUri(' a,b@example.org ')).toBe('mailto:a%2Cb@example.org');
  });
});
