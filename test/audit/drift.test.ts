import { describe, expect, it } from 'vitest';
import { checkDrift, compileDrift, driftQuestions, observeRecords, type ObservedRecords } from '../../src/audit/drift.js';
import { makeDomain, makePolicy } from '../build/fixtures.js';
import type { Claim } from '../../src/plan/claims.js';
import { txtRecord, type RR } from '../../src/dns-types/rr.js';
import { createFakeResolver } from '../helpers/fake-resolver.js';

const D = 'example.org';
const spf = (text: string, ttl = 3600): RR => txtRecord(D, ttl, text);
const desired: RR[] = [
  { name: D, ttl: 3600, type: 'MX', preference: 10, exchange: `mx1.${D}` },
  spf('v=spf1 mx -all'),
  txtRecord(`_dmarc.${D}`, 3600, 'v=DMARC1; p=reject'),
];
const claims: Claim[] = [
  { name: D, type: 'TXT', key: `${D} TXT spf` },
  { name: D, type: 'MX', key: `${D} MX` },
  { name: `_dmarc.${D}`, type: 'TXT', key: `_dmarc.${D} TXT dmarc` },
  { name: `_smtp._tls.${D}`, type: 'TXT', key: `_smtp._tls.${D} TXT tls-rpt` },
];

function observed(records: RR[], extra: Partial<ObservedRecords> = {}): ObservedRecords {
  return { records, failed: new Set(), aliases: new Map(), asked: [], ...extra };
}

function drift(records: RR[], extra: Partial<ObservedRecords> = {}, exactTtl = true) {
  return compileDrift({ domain: D, zone: D, desired, claims, observed: observed(records, extra), exactTtl });
}

const summary = (r: ReturnType<typeof drift>) => r.findings.map((f) => `${f.code} ${f.name} ${f.severity}`);

describe('drift: the policy against what DNS answers, through diffRecords', () => {
  it('finds nothing when DNS holds exactly the declared records', () => {
    expect(drift(desired).findings).toEqual([]);
  });

  it('maps create, update and delete to missing, changed and unexpected, with before and after', () => {
    const r = drift([desired[0]!, spf('v=spf1 mx ~all'), txtRecord(`_smtp._tls.${D}`, 3600, 'v=TLSRPTv1; rua=mailto:x@example.org')]);
    expect(summary(r)).toEqual([
      `drift.changed ${D} error`,
      `drift.missing _dmarc.${D} error`,
      `drift.unexpected _smtp._tls.${D} warning`,
    ]);
    const changed = r.findings[0]!;
    expect(changed.evidence.before).toEqual(['3600 TXT "v=spf1 mx ~all"']);
    expect(changed.evidence.after).toEqual(['3600 TXT "v=spf1 mx -all"']);
    expect(changed.message).toBe(`${D} TXT (spf) differs from the policy`);
    expect(r.findings[1]!.evidence.after).toEqual(['3600 TXT "v=DMARC1; p=reject"']);
    expect(r.findings[2]!.evidence.before).toEqual(['3600 TXT "v=TLSRPTv1; rua=mailto:x@example.org"']);
  });

  it('never calls a record missing when its lookup failed', () => {
    const r = drift([desired[0]!, desired[1]!], { failed: new Set([`_dmarc.${D} TXT`]) });
    expect(r.findings).toEqual([]);
    expect(r.notes).toEqual([`drift: 1 lookup(s) failed (_dmarc.${D} TXT); those records are not compared`]);
  });

  it('takes a lower TTL from a recursive resolver for a cache countdown, but not a higher one', () => {
    const counted = [{ ...desired[0]!, ttl: 1200 }, spf('v=spf1 mx -all', 17), txtRecord(`_dmarc.${D}`, 3599, 'v=DMARC1; p=reject')];
    expect(drift(counted, {}, false).findings).toEqual([]);
    expect(summary(drift(counted, {}, true))).toHaveLength(3);
    const higher = drift([desired[0]!, spf('v=spf1 mx -all', 86400), desired[2]!], {}, false);
    expect(higher.findings.map((f) => f.message)).toEqual([`${D} TXT (spf) has TTL 86400; the policy says 3600`]);
  });

  it('compares TXT by its text, whatever the split into strings (RFC 7208 §3.3)', () => {
    const split: RR = { name: D, ttl: 3600, type: 'TXT', strings: ['v=spf1 ', 'mx -all'] };
    expect(drift([desired[0]!, split, desired[2]!]).findings).toEqual([]);
  });

  it('reports other tools\' TXT and a foreign CNAME as foreign, never as drift to delete', () => {
    const r = drift([...desired, spf('google-site-verification=abc'), spf('ms=ms123')], { aliases: new Map([[`_dmarc.${D}`, 'dmarc.provider.example']]) });
    expect(summary(r)).toEqual([`drift.foreign _dmarc.${D} info`, `drift.foreign ${D} info`]);
    expect(r.findings[1]!.evidence.seen).toEqual(['3600 TXT "google-site-verification=abc"', '3600 TXT "ms=ms123"']);
    expect(r.findings[0]!.message).toMatch(/CNAME to dmarc.provider.example/);
  });

  it('asks every declared and claimed RRset once, and notices an alias', async () => {
    const questions = driftQuestions(desired, claims);
    expect(questions.map((q) => `${q.name} ${q.type}`)).toEqual([`${D} MX`, `${D} TXT`, `_dmarc.${D} TXT`, `_smtp._tls.${D} TXT`]);
    const fake = createFakeResolver({
      [D]: { MX: [[10, `mx1.${D}`]], TXT: ['v=spf1 mx -all'] },
      [`_dmarc.${D}`]: { CNAME: ['_dmarc.provider.example'] },
      '_dmarc.provider.example': { TXT: ['v=DMARC1; p=none'] },
      [`_smtp._tls.${D}`]: 'servfail',
    }, { ttl: 3600 });
    const seen = await observeRecords(questions, fake);
    expect(seen.records.map((r) => `${r.name} ${r.type}`)).toEqual([`${D} MX`, `${D} TXT`]);
    expect([...seen.failed]).toEqual([`_smtp._tls.${D} TXT`]);
    expect([...seen.aliases]).toEqual([[`_dmarc.${D}`, '_dmarc.provider.example']]);
    const r = compileDrift({ domain: D, zone: D, desired, claims, observed: seen, exactTtl: true });
    expect(summary(r)).toEqual([`drift.missing _dmarc.${D} error`, `drift.foreign _dmarc.${D} info`]);
    expect(r.findings[0]!.message).toContain('is an alias of _dmarc.provider.example');
  });
});

describe('checkDrift with flattened SPF', () => {
  const domain = makeDomain('example.org', { senders: [{ kind: 'mx' }, { kind: 'include', domain: 'spf.p.example', flatten: true }] });
  const policy = makePolicy(['example.org'], [domain]);
  const published = 'v=spf1 mx ip4:192.0.2.0/24 ~all';
  const zone = { 'example.org': { TXT: [published], MX: [] as [number, string][] }, ...Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`_spf${i + 1}.example.org`, 'nxdomain' as const])) };

  it('compares the SPF built from the fragment\'s ranges, the chain links claimed', async () => {
    const inputs = { cachedRanges: () => ['ip4:192.0.2.0/24'] };
    const same = await checkDrift(policy, domain, createFakeResolver(zone, { strict: false }), { exactTtl: false, spfInputs: inputs });
    expect(same.findings.filter((f) => f.code.startsWith('drift.'))).toEqual([]);
    const moved = await checkDrift(policy, domain, createFakeResolver(zone, { strict: false }), { exactTtl: false, spfInputs: { cachedRanges: () => ['ip4:198.51.100.0/24'] } });
    expect(moved.findings.map((f) => [f.code, f.name])).toEqual([['drift.changed', 'example.org']]);
  });

  it('leaves the SPF records out when no fragment keeps the ranges (an rfc2136 zone), and says so', async () => {
    const out = await checkDrift(policy, domain, createFakeResolver(zone, { strict: false }), { exactTtl: false, spfInputs: { cachedRanges: () => 'no-fragment' } });
    expect(out.findings.filter((f) => f.code.startsWith('drift.'))).toEqual([]);
    expect(out.notes).toContain('drift: the SPF records of example.org are not compared: its flattened ranges are not known without plan --resolve');
  });

  it('finds the links of a chain the policy no longer flattens from the published record, as records to delete', async () => {
    const plain = makeDomain('example.org', { senders: [{ kind: 'mx' }, { kind: 'include', domain: 'spf.p.example' }] });
    const left = {
      'example.org': { TXT: ['v=spf1 mx include:_spf1.example.org ~all'], MX: [] as [number, string][] },
      '_spf1.example.org': { TXT: ['v=spf1 ip4:192.0.2.0/24 include:_spf2.example.org'] },
      '_spf2.example.org': { TXT: ['v=spf1 ip4:198.51.100.0/24'] },
    };
    const out = await checkDrift(makePolicy(['example.org'], [plain]), plain, createFakeResolver(left, { strict: false }), { exactTtl: false });
    expect(out.findings.filter((f) => f.code.startsWith('drift.')).map((f) => [f.code, f.name])).toEqual([
      ['drift.changed', 'example.org'],
      ['drift.unexpected', '_spf1.example.org'],
      ['drift.unexpected', '_spf2.example.org'],
    ]);
  });
});
