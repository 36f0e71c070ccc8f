import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DomainPolicy } from '../../src/policy/model.js';
import { buildZoneRecords, checkRecordSet, resolveZoneRecords } from '../../src/build/zone-records.js';
import { compareRecords } from '../../src/dns-types/order.js';
import { compareNames } from '../../src/dns-types/name.js';
import { type RData, type RR, txtText, typeOf } from '../../src/dns-types/rr.js';
import { createFakeResolver } from '../helpers/fake-resolver.js';
import { makeDomain, makePolicy, pos } from './fixtures.js';

const edPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
const hexA = 'aa'.repeat(32);
const hexB = 'bb'.repeat(32);

function domains(): DomainPolicy[] {
  return [
    makeDomain('example.org', {
      senders: [{ kind: 'mx' }, { kind: 'provider', name: 'google' }, { kind: 'ip4', cidr: '192.0.2.0/24' }],
      mx: [{ host: 'mx-01.example.net', preference: 10 }],
      dkim: [{ selector: '2026a', keyPath: 'keys/a.pub', keyPem: edPem, state: 'active', position: pos }],
      dmarc: { policy: 'quarantine', testing: false, rua: ['dmarc@reports.example.net', 'postmaster@example.org'], ruf: [], position: pos },
      srv: [{ service: 'submissions', protocol: 'tcp', target: 'submit.example.org', port: 465, priority: 0, weight: 1, position: pos }],
      tlsa: [{ port: 25, protocol: 'tcp', host: 'mx-01.example.net', usage: 3, selector: 1, matchingType: 1, source: { kind: 'data', hex: hexA }, position: pos }],
      mtaSts: { mode: 'enforce', maxAge: 86400, position: pos },
      tlsRpt: { rua: ['tlsrpt@example.org'], position: pos },
    }),
    makeDomain('sub.example.org', { zone: 'example.org', noMail: true, ttl: 600 }),
    makeDomain('example.net', {
      ttl: 300,
      senders: [{ kind: 'self' }],
      mx: [{ host: 'mx-01.example.net', preference: 10 }],
      tlsa: [{ port: 25, protocol: 'tcp', host: 'mx-01.example.net', usage: 3, selector: 1, matchingType: 1, source: { kind: 'data', hex: hexA }, position: pos }],
    }),
  ];
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const summary = (records: RR[]): string[] => records.map((rr) => `${rr.name} ${rr.ttl} ${typeOf(rr)}`);

describe('buildZoneRecords', () => {
  const zones = buildZoneRecords(makePolicy(['example.org', 'example.net', 'empty.example'], domains()));

  it('gives one entry per zone, also an empty one, in canonical zone order', () => {
    expect(zones.map((z) => z.zone)).toEqual(['empty.example', 'example.net', 'example.org']);
    expect(zones[0]).toEqual({ zone: 'empty.example', records: [], files: [], notices: [] });
  });

  it('places every record in the zone holding its owner, sorted in canonical order, TTL from the domain', () => {
    const org = zones.find((z) => z.zone === 'example.org')!;
    expect(summary(org.records)).toEqual([
      'example.org 3600 MX',
      'example.org 3600 TXT',
      '_dmarc.example.org 3600 TXT',
      '2026a._domainkey.example.org 3600 TXT',
      '_mta-sts.example.org 3600 TXT',
      '_submissions._tcp.example.org 3600 SRV',
      '_smtp._tls.example.org 3600 TXT',
      'sub.example.org 600 MX',
      'sub.example.org 600 TXT',
      '_dmarc.sub.example.org 600 TXT',
    ]);
    expect(org.files.map((f) => f.path)).toEqual(['mta-sts/example.org/.well-known/mta-sts.txt']);
    // The only notice: Google Workspace's DKIM key, which the policy does not declare yet.
    expect(org.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['info', 'dkim.provider-hint', 'example.org']]);
  });

  it('puts the rua authorization and the TLSA of a foreign-zone host in that zone, deduplicated', () => {
    const net = zones.find((z) => z.zone === 'example.net')!;
    expect(summary(net.records)).toEqual([
      'example.net 300 MX',
      'example.net 300 TXT',
      '_25._tcp.mx-01.example.net 300 TLSA',
      'example.org._report._dmarc.reports.example.net 3600 TXT',
    ]);
    const auth = net.records[3]!;
    expect(auth.type === 'TXT' && txtText(auth)).toBe('v=DMARC1');
    expect(net.files).toEqual([]);
  });

  it('is deterministic: shuffled domain and zone order give the same output', () => {
    const first = JSON.stringify(zones);
    for (const seed of [1, 7, 42, 1234]) {
      const policy = makePolicy(shuffled(['example.org', 'example.net', 'empty.example'], seed), shuffled(domains(), seed));
      expect(JSON.stringify(buildZoneRecords(policy))).toBe(first);
    }
  });

  it('records are in compareRecords order', () => {
    for (const zone of zones) expect([...zone.records].sort(compareRecords)).toEqual(zone.records);
  });

  it('refuses a record whose owner lies in no zone of the policy', () => {
    const d = makeDomain('example.org', {
      tlsa: [{ port: 25, protocol: 'tcp', host: 'mx.elsewhere.example', usage: 3, selector: 1, matchingType: 1, source: { kind: 'data', hex: hexA }, position: pos }],
    });
    const [zone] = buildZoneRecords(makePolicy(['example.org'], [d]));
    expect(zone!.records).toEqual([]);
    expect(zone!.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['error', 'zone.outside', '_25._tcp.mx.elsewhere.example']]);
  });

  it('puts a record in a zone beneath its domain\'s own (a _domainkey zone of its own), the rest in the domain\'s zone', () => {
    const d = makeDomain('example.org', {
      senders: [{ kind: 'mx' }],
      dkim: [{ selector: '2026a', keyPath: 'keys/a.pub', keyPem: edPem, state: 'active', position: pos }],
      dmarc: { policy: 'none', testing: false, rua: [], ruf: [], position: pos },
    });
    // A domain beside it, with no zone beneath it: its records take the domain's own zone.
    const other = makeDomain('example.net', { dkim: [{ selector: '2026a', keyPath: 'keys/a.pub', keyPem: edPem, state: 'active', position: pos }] });
    const out = buildZoneRecords(makePolicy(['example.org', '_domainkey.example.org', 'example.net'], [d, other]));
    const names = (zone: string) => out.find((z) => z.zone === zone)!.records.map((rr) => `${rr.name} ${typeOf(rr)}`);
    expect(names('_domainkey.example.org')).toEqual(['2026a._domainkey.example.org TXT']);
    expect(names('example.org')).toEqual(['example.org TXT', '_dmarc.example.org TXT']);
    expect(names('example.net')).toEqual(['2026a._domainkey.example.net TXT']);
  });

  it('keeps a notice in the zone of the name it concerns', () => {
    const d = makeDomain('example.org', { srv: [{ service: 'submission', protocol: 'tcp', target: 'submit.example.org', port: 465, priority: 0, weight: 1, position: pos }] });
    const out = buildZoneRecords(makePolicy(['example.org', 'example.net'], [d]));
    expect(out.find((z) => z.zone === 'example.org')!.notices.map((n) => n.code)).toEqual(['srv.submission-465']);
    expect(out.find((z) => z.zone === 'example.net')!.notices).toEqual([]);
  });

  it('refuses two different SPF records at one name (a domain declared twice)', () => {
    const out = buildZoneRecords(
      makePolicy(['example.org'], [makeDomain('example.org', { senders: [{ kind: 'mx' }] }), makeDomain('example.org', { senders: [{ kind: 'self' }] })]),
    );
    expect(out[0]!.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['error', 'spf.multiple', 'example.org']]);
  });

  it('gives an RRset one TTL, the lowest, with a warning', () => {
    const tlsa = (hex: string) => [{ port: 25, protocol: 'tcp' as const, host: 'mx.example.org', usage: 3, selector: 1, matchingType: 1, source: { kind: 'data' as const, hex }, position: pos }];
    const out = buildZoneRecords(
      makePolicy(['example.org'], [makeDomain('example.org', { ttl: 3600, tlsa: tlsa(hexA) }), makeDomain('a.example.org', { zone: 'example.org', ttl: 60, tlsa: tlsa(hexB) })]),
    );
    expect(summary(out[0]!.records)).toEqual(['_25._tcp.mx.example.org 60 TLSA', '_25._tcp.mx.example.org 60 TLSA']);
    expect(out[0]!.notices.map((n) => [n.severity, n.code])).toEqual([['warning', 'rrset.ttl-mismatch']]);
  });

  it('with a resolver, counts SPF lookups exactly', async () => {
    const resolver = createFakeResolver({
      'example.org': { MX: [[10, 'mx-01.example.net']] },
      '_spf.google.com': { TXT: [`v=spf1 ${Array.from({ length: 10 }, (_, i) => `include:g${i}.example`).join(' ')} ~all`] },
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`g${i}.example`, { TXT: ['v=spf1 ip4:192.0.2.1 -all'] }])),
      'example.net': { A: ['192.0.2.1'] },
    });
    const out = await resolveZoneRecords(makePolicy(['example.org', 'example.net', 'empty.example'], domains()), resolver);
    const org = out.find((z) => z.zone === 'example.org')!;
    expect(org.notices.map((n) => [n.code, n.name])).toEqual([
      ['spf.too-many-lookups', 'example.org'],
      // A mailbox provider is never advised to move to an envelope subdomain: flatten it, or nothing.
      ['spf.remedy', 'example.org'],
      ['spf.remedy', 'example.org'],
      ['dkim.provider-hint', 'example.org'],
    ]);
    expect(org.notices[0]!.message).toContain('12');
    expect(org.records.some((rr) => rr.name === 'example.org' && rr.type === 'TXT')).toBe(false);
  });
});

describe('checkRecordSet', () => {
  const rr = (name: string, data: RData): RR => ({ name, ttl: 300, ...data });
  const cases: { name: string; records: RR[]; codes: string[] }[] = [
    {
      name: 'a CNAME next to a TXT',
      records: [rr('s1._domainkey.example.org', { type: 'CNAME', target: 's1.dkim.example.net' }), rr('s1._domainkey.example.org', { type: 'TXT', strings: ['v=DKIM1; p='] })],
      codes: ['dns.cname-and-other-data'],
    },
    {
      name: 'two CNAMEs',
      records: [rr('a.example.org', { type: 'CNAME', target: 'x.example' }), rr('a.example.org', { type: 'CNAME', target: 'y.example' })],
      codes: ['dns.cname-and-other-data'],
    },
    { name: 'a lone CNAME', records: [rr('a.example.org', { type: 'CNAME', target: 'x.example' })], codes: [] },
    {
      name: 'a null MX next to another MX',
      records: [rr('example.org', { type: 'MX', preference: 0, exchange: '' }), rr('example.org', { type: 'MX', preference: 10, exchange: 'mx.example.org' })],
      codes: ['mx.null-not-alone'],
    },
    { name: 'a lone null MX', records: [rr('example.org', { type: 'MX', preference: 0, exchange: '' })], codes: [] },
    {
      name: 'an MX pointing at a CNAME',
      records: [rr('example.org', { type: 'MX', preference: 10, exchange: 'mail.example.org' }), rr('mail.example.org', { type: 'CNAME', target: 'host.example.net' })],
      codes: ['mx.target-cname'],
    },
    {
      name: 'two DMARC records',
      records: [rr('_dmarc.example.org', { type: 'TXT', strings: ['v=DMARC1; p=none'] }), rr('_dmarc.example.org', { type: 'TXT', strings: ['v=DMARC1; p=reject'] })],
      codes: ['dmarc.multiple'],
    },
    {
      name: 'SPF next to other TXT records',
      records: [rr('example.org', { type: 'TXT', strings: ['v=spf1 -all'] }), rr('example.org', { type: 'TXT', strings: ['site-verification=1'] }), rr('example.org', { type: 'TXT', strings: ['v=spf10'] })],
      codes: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const notices = checkRecordSet(c.records);
      expect(notices.map((n) => n.code)).toEqual(c.codes);
      expect(notices.every((n) => n.severity === 'error')).toBe(true);
    });
  }
});

describe('compareNames', () => {
  it('orders names canonically (RFC 4034 §6.1)', () => {
    const names = ['z.example.org', '_dmarc.example.org', 'example.org', 'a.b.example.org', 'b.example.org', 'example.net', '2026a._domainkey.example.org'];
    expect([...names].sort(compareNames)).toEqual([
      'example.net',
      'example.org',
      '_dmarc.example.org',
      '2026a._domainkey.example.org',
      'b.example.org',
      'a.b.example.org',
      'z.example.org',
    ]);
  });
});

describe('provider DKIM hints', () => {
  it('names the DKIM records a provider asks for, until the policy declares them', () => {
    const base = makePolicy(['example.org'], [makeDomain('example.org', { senders: [{ kind: 'provider', name: 'microsoft365' }] })]);
    const codes = buildZoneRecords(base).flatMap((z) => z.notices.filter((n) => n.code === 'dkim.provider-hint').map((n) => n.message));
    expect(codes).toEqual([
      'Microsoft 365 signs with DKIM: publish selector1._domainkey CNAME selector1-<domain-with-dashes>._domainkey.<tenant>.onmicrosoft.com (add it under dkim: or raw:)',
      'Microsoft 365 signs with DKIM: publish selector2._domainkey CNAME selector2-<domain-with-dashes>._domainkey.<tenant>.onmicrosoft.com (add it under dkim: or raw:)',
    ]);
    const withRaw = makePolicy(
      ['example.org'],
      [
        makeDomain('example.org', {
          senders: [{ kind: 'provider', name: 'microsoft365' }],
          raw: [{ name: 'selector1._domainkey.example.org', rdata: { type: 'CNAME', target: 'selector1-example-org._domainkey.t.onmicrosoft.com' }, position: pos }],
        }),
      ],
    );
    const left = buildZoneRecords(withRaw).flatMap((z) => z.notices.filter((n) => n.code === 'dkim.provider-hint'));
    expect(left.map((n) => n.message)).toEqual([expect.stringContaining('selector2._domainkey')]);
  });
});
