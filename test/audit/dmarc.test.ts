import { describe, expect, it } from 'vitest';
import { checkDmarc, organizationalDomain } from '../../src/audit/checks/dmarc.js';
import { parseDmarcRecord, treeWalkNames } from '../../src/mail/dmarc/record.js';
import type { FakeZone } from '../helpers/fake-resolver.js';
import { codes, resolverFor } from './zone.js';

const D = 'example.org';

function zone(record: string | string[], extra: FakeZone = {}): FakeZone {
  return { [`_dmarc.${D}`]: { TXT: Array.isArray(record) ? record : [record] }, ...extra };
}

describe('DMARC tree walk (RFC 9989 §4.10)', () => {
  it('walks label by label, jumping to 7 labels from 8 or more, at most 8 names', () => {
    expect(treeWalkNames('a.b.example.org')).toEqual(['a.b.example.org', 'b.example.org', 'example.org', 'org']);
    expect(treeWalkNames('a.b.c.d.e.f.g.h.i.example.org')).toEqual([
      'a.b.c.d.e.f.g.h.i.example.org',
      'e.f.g.h.i.example.org',
      'f.g.h.i.example.org',
      'g.h.i.example.org',
      'h.i.example.org',
      'i.example.org',
      'example.org',
      'org',
    ]);
  });

  it('finds the record of a parent and says it is inherited', async () => {
    const z: FakeZone = { ...zone(`v=DMARC1; p=reject; rua=mailto:d@${D}`), [`_dmarc.shop.${D}`]: 'nxdomain' };
    const findings = await checkDmarc(`shop.${D}`, resolverFor(z));
    expect(codes(findings)).toEqual(['dmarc.inherited']);
    expect(findings[0]!.evidence.asked.map((a) => a.name)).toEqual([`_dmarc.shop.${D}`, `_dmarc.${D}`]);
  });

  it('applies sp= of the parent record to a subdomain', async () => {
    const z: FakeZone = { ...zone(`v=DMARC1; p=reject; sp=none; rua=mailto:d@${D}`), [`_dmarc.shop.${D}`]: 'nxdomain' };
    expect(codes(await checkDmarc(`shop.${D}`, resolverFor(z)))).toEqual(['dmarc.inherited', 'dmarc.not-enforcing']);
  });

  it('reports missing after walking to the top label', async () => {
    const z: FakeZone = { [`_dmarc.${D}`]: 'nxdomain', '_dmarc.org': 'nxdomain' };
    const f = await checkDmarc(D, resolverFor(z));
    expect(codes(f)).toEqual(['dmarc.missing']);
    expect(f[0]!.severity).toBe('error');
  });
});

describe('DMARC record checks: one planted defect each', () => {
  const rua = `rua=mailto:d@${D}`;
  const cases: [string, FakeZone, string, 'error' | 'warning' | 'info'][] = [
    ['two records', { ...zone([`v=DMARC1; p=reject; ${rua}`, 'v=DMARC1; p=none']), '_dmarc.org': 'nxdomain' }, 'dmarc.multiple', 'error'],
    ['p=none', zone(`v=DMARC1; p=none; ${rua}`), 'dmarc.not-enforcing', 'warning'],
    ['t=y', zone(`v=DMARC1; p=reject; t=y; ${rua}`), 'dmarc.testing', 'warning'],
    ['sp weaker', zone(`v=DMARC1; p=reject; sp=none; ${rua}`), 'dmarc.subdomain-weaker', 'warning'],
    ['np weaker', zone(`v=DMARC1; p=reject; np=quarantine; ${rua}`), 'dmarc.np-weaker', 'warning'],
    ['pct', zone(`v=DMARC1; p=reject; pct=50; ${rua}`), 'dmarc.removed-tag', 'warning'],
    ['rf and ri', zone(`v=DMARC1; p=reject; rf=afrf; ri=86400; ${rua}`), 'dmarc.removed-tag', 'warning'],
    ['invalid p, no rua', zone('v=DMARC1; p=bogus'), 'dmarc.not-applied', 'error'],
    ['no p, no rua', zone('v=DMARC1; adkim=s'), 'dmarc.not-applied', 'error'],
    ['invalid p with rua', zone(`v=DMARC1; p=n; ${rua}`), 'dmarc.p-invalid', 'warning'],
    ['no rua', zone('v=DMARC1; p=reject'), 'dmarc.rua-missing', 'warning'],
    ['rua not mailto', zone('v=DMARC1; p=reject; rua=https://reports.example.org/dmarc'), 'dmarc.uri-not-mailto', 'warning'],
    ['bad sp value', zone(`v=DMARC1; p=reject; sp=bob; ${rua}`), 'dmarc.syntax', 'error'],
    ['duplicate tag', { ...zone(`v=DMARC1; p=reject; p=none; ${rua}`) }, 'dmarc.syntax', 'error'],
    ['unknown tag', zone(`v=DMARC1; p=reject; foo=bar; ${rua}`), 'dmarc.unknown-tag', 'info'],
  ];
  it.each(cases)('%s', async (_n, z, code, severity) => {
    const findings = await checkDmarc(D, resolverFor(z));
    const f = findings.find((x) => x.code === code);
    expect(f, JSON.stringify(codes(findings))).toBeDefined();
    expect(f!.severity).toBe(severity);
    expect(f!.category).toBe('dmarc');
  });

  it('a record with v not first is no DMARC record at all', async () => {
    const z: FakeZone = { ...zone('p=reject; v=DMARC1'), '_dmarc.org': 'nxdomain' };
    expect(codes(await checkDmarc(D, resolverFor(z)))).toEqual(['dmarc.missing']);
  });

  it('a clean record has no finding', async () => {
    expect(await checkDmarc(D, resolverFor(zone(`v=DMARC1; p=reject; sp=reject; adkim=s; aspf=r; fo=1:d; ${rua}`)))).toEqual([]);
  });
});

describe('external report destinations (RFC 9990)', () => {
  const ext: FakeZone = {
    ...zone('v=DMARC1; p=reject; rua=mailto:reports@dmarc.example.net'),
    '_dmarc.dmarc.example.net': 'nxdomain',
    '_dmarc.example.net': { TXT: ['v=DMARC1; p=none'] },
    '_dmarc.net': 'nxdomain',
    '_dmarc.org': 'nxdomain',
  };

  it('flags an external destination without authorization', async () => {
    const z: FakeZone = { ...ext, [`${D}._report._dmarc.dmarc.example.net`]: 'nxdomain' };
    const f = (await checkDmarc(D, resolverFor(z))).find((x) => x.code === 'dmarc.report-unauthorized')!;
    expect(f.name).toBe(`${D}._report._dmarc.dmarc.example.net`);
    expect(f.severity).toBe('warning');
  });

  it('accepts the exact authorization record', async () => {
    const z: FakeZone = { ...ext, [`${D}._report._dmarc.dmarc.example.net`]: { TXT: ['v=DMARC1'] } };
    expect(await checkDmarc(D, resolverFor(z))).toEqual([]);
  });

  it('accepts a wildcard authorization record', async () => {
    const r = resolverFor(ext, { wildcards: { '*._report._dmarc.dmarc.example.net': { TXT: ['v=DMARC1;'] } } });
    expect(await checkDmarc(D, r)).toEqual([]);
  });

  it('needs no authorization inside the organizational domain (tree walk, no PSL)', async () => {
    const z: FakeZone = {
      [`_dmarc.shop.${D}`]: { TXT: [`v=DMARC1; p=reject; rua=mailto:dmarc@reports.${D}`] },
      [`_dmarc.reports.${D}`]: 'nxdomain',
      [`_dmarc.${D}`]: { TXT: ['v=DMARC1; p=reject'] },
      '_dmarc.org': 'nxdomain',
    };
    expect(await organizationalDomain(`shop.${D}`, resolverFor(z))).toBe(D);
    expect(await checkDmarc(`shop.${D}`, resolverFor(z))).toEqual([]);
  });

  it('a failed lookup on the way is unknown, not missing', async () => {
    const z: FakeZone = { [`_dmarc.${D}`]: 'servfail' };
    const f = await checkDmarc(D, resolverFor(z));
    expect(codes(f)).toEqual(['dmarc.unknown']);
  });
});

describe('strict DMARC parser', () => {
  it('reads every RFC 9989 tag', () => {
    const p = parseDmarcRecord('v=DMARC1; p=quarantine; sp=reject; np=reject; t=n; psd=n; adkim=s; aspf=r; rua=mailto:a@example.org,mailto:b@example.net!10m; ruf=mailto:f@example.org; fo=0:1');
    expect(p.ok && p.record).toMatchObject({ p: 'quarantine', sp: 'reject', np: 'reject', testing: false, psd: 'n', adkim: 's', aspf: 'r', fo: '0:1' });
    expect(p.ok && p.record.rua.map((u) => u.domain)).toEqual(['example.org', 'example.net']);
  });
});
