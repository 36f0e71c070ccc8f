import { describe, expect, it } from 'vitest';
import { analyzeSpf, checkSpf } from '../../src/audit/checks/spf.js';
import type { FakeZone } from '../helpers/fake-resolver.js';
import { codes, resolverFor } from './zone.js';

const D = 'example.org';

/** A zone whose apex publishes `spf`, plus extra names. */
function zone(spf: string, extra: FakeZone = {}): FakeZone {
  return { [D]: { TXT: [spf], A: ['192.0.2.1'], MX: [[10, `mx.${D}`]] }, [`mx.${D}`]: { A: ['192.0.2.10'] }, ...extra };
}

function hosts(prefix: string, n: number): FakeZone {
  const z: FakeZone = {};
  for (let i = 1; i <= n; i++) z[`${prefix}${i}.${D}`] = { A: [`192.0.2.${100 + i}`] };
  return z;
}

describe('SPF lookup counting (RFC 7208 §4.6.4) where other tools go wrong', () => {
  it('counts 11 × a:host as 11 lookups', async () => {
    const terms = Array.from({ length: 11 }, (_, i) => `a:h${i + 1}.${D}`).join(' ');
    const out = await analyzeSpf(D, resolverFor(zone(`v=spf1 ${terms} -all`, hosts('h', 11))));
    expect(out.lookups).toBe(11);
    const f = out.findings.find((x) => x.code === 'spf.too-many-lookups');
    expect(f?.severity).toBe('error');
    expect(f?.message).toContain('11 DNS-querying terms');
  });

  it('counts mx plus 10 × mx: as 11 lookups', async () => {
    const extra: FakeZone = {};
    for (let i = 1; i <= 10; i++) extra[`m${i}.${D}`] = { MX: [[10, `mx.${D}`]] };
    const terms = Array.from({ length: 10 }, (_, i) => `mx:m${i + 1}.${D}`).join(' ');
    const out = await analyzeSpf(D, resolverFor(zone(`v=spf1 mx ${terms} -all`, extra)));
    expect(out.lookups).toBe(11);
    expect(codes(out.findings)).toEqual(['spf.too-many-lookups']);
  });

  it('counts an include tree of 13 terms mixing a:, exists, +a, a/24, ptr', async () => {
    const z = zone(`v=spf1 a:h1.${D} include:_spf1.${D} -all`, {
      ...hosts('h', 4),
      ...hosts('e', 2),
      [`_spf1.${D}`]: { TXT: [`v=spf1 exists:e1.${D} +a a/24 ptr include:_spf2.${D} ?all`], A: ['192.0.2.31'] },
      [`_spf2.${D}`]: { TXT: [`v=spf1 a:h2.${D} a:h3.${D} +a:h4.${D}/28 exists:e2.${D} a ptr:${D} ~all`], A: ['192.0.2.32'] },
    });
    const out = await analyzeSpf(D, resolverFor(z));
    expect(out.lookups).toBe(13);
    expect(out.voids).toBe(0);
    expect(codes(out.findings)).toEqual(['spf.ptr', 'spf.ptr', 'spf.too-many-lookups']);
    // Per-term counts: the include of _spf1 costs 1 + 11 inside.
    const inc = out.tree!.terms.find((t) => t.term === `include:_spf1.${D}`)!;
    expect(inc.subtotal).toBe(12);
    expect(inc.child!.terms.map((t) => t.lookups)).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('accepts exactly 10 lookups', async () => {
    const terms = Array.from({ length: 10 }, (_, i) => `a:h${i + 1}.${D}`).join(' ');
    const out = await analyzeSpf(D, resolverFor(zone(`v=spf1 ${terms} -all`, hosts('h', 10))));
    expect(out.lookups).toBe(10);
    expect(out.findings).toEqual([]);
  });

  it('flags mx with 11 MX hosts (at most 10 address lookups per mx)', async () => {
    const mx: [number, string][] = Array.from({ length: 11 }, (_, i) => [10, `mx${i + 1}.${D}`]);
    const z: FakeZone = { [D]: { TXT: ['v=spf1 mx -all'], MX: mx }, ...hosts('mx', 11) };
    const out = await analyzeSpf(D, resolverFor(z));
    expect(out.lookups).toBe(1);
    const f = out.findings.find((x) => x.code === 'spf.mx-too-many-hosts');
    expect(f?.severity).toBe('error');
    expect(out.tree!.terms[0]!.mxHosts).toBe(11);
  });

  it('flags 3 void a: terms', async () => {
    const z = zone(`v=spf1 a:gone1.${D} a:gone2.${D} a:gone3.${D} -all`, {
      [`gone1.${D}`]: 'nxdomain',
      [`gone2.${D}`]: 'nxdomain',
      [`gone3.${D}`]: { TXT: ['not an address'] },
    });
    const out = await analyzeSpf(D, resolverFor(z));
    expect(out.voids).toBe(3);
    const f = out.findings.find((x) => x.code === 'spf.void-lookups')!;
    expect(f.severity).toBe('error');
    expect(f.evidence.asked.map((a) => a.status)).toContain('nxdomain');
  });

  it('does not count terms after all', async () => {
    const out = await analyzeSpf(D, resolverFor(zone(`v=spf1 -all a:never.${D}`)));
    expect(out.lookups).toBe(0);
  });
});

describe('SPF record checks: one planted defect each', () => {
  const cases: [string, FakeZone, string, 'error' | 'warning' | 'info'][] = [
    ['missing', { [D]: { TXT: ['google-site-verification=x'] } }, 'spf.missing', 'error'],
    ['nxdomain', { [D]: 'nxdomain' }, 'spf.missing', 'error'],
    ['two records', { [D]: { TXT: ['v=spf1 -all', 'v=spf1 ~all'] } }, 'spf.multiple', 'error'],
    ['syntax', zone('v=spf1 ip4:192.0.2.300 -all'), 'spf.syntax', 'error'],
    ['+all', zone('v=spf1 +all'), 'spf.pass-all', 'error'],
    ['bare all', zone('v=spf1 all'), 'spf.pass-all', 'error'],
    ['?all', zone('v=spf1 ip4:192.0.2.1 ?all'), 'spf.neutral-all', 'warning'],
    ['no all', zone('v=spf1 ip4:192.0.2.1'), 'spf.no-all', 'warning'],
    ['ptr', zone('v=spf1 ptr -all'), 'spf.ptr', 'warning'],
    ['include without SPF', zone(`v=spf1 include:none.${D} -all`, { [`none.${D}`]: { TXT: ['hello'] } }), 'spf.include-missing', 'error'],
    ['redirect without SPF', zone(`v=spf1 redirect=none.${D}`, { [`none.${D}`]: { A: ['192.0.2.5'] } }), 'spf.redirect-missing', 'error'],
    [
      'include loop',
      zone(`v=spf1 include:a.${D} -all`, { [`a.${D}`]: { TXT: [`v=spf1 include:b.${D} -all`] }, [`b.${D}`]: { TXT: [`v=spf1 include:a.${D} -all`] } }),
      'spf.loop',
      'error',
    ],
    ['redirect with all', zone(`v=spf1 -all redirect=other.${D}`), 'spf.redirect-ignored', 'info'],
    ['macro target', zone('v=spf1 exists:%{i}._spf.example.org -all'), 'spf.macro-target', 'info'],
    ['too long', zone(`v=spf1 ${Array.from({ length: 30 }, (_, i) => `ip4:198.51.100.${i}`).join(' ')} -all`), 'spf.too-long', 'warning'],
  ];
  it.each(cases)('%s', async (_name, z, code, severity) => {
    const findings = await checkSpf(D, resolverFor(z));
    const f = findings.find((x) => x.code === code);
    expect(f, JSON.stringify(findings.map((x) => x.code))).toBeDefined();
    expect(f!.severity).toBe(severity);
    expect(f!.category).toBe('spf');
    expect(f!.rfc).toMatch(/^RFC 7208/);
    expect(f!.fix.length).toBeGreaterThan(0);
  });

  it('reports +all inside an include at the included name', async () => {
    const z = zone(`v=spf1 include:open.${D} -all`, { [`open.${D}`]: { TXT: ['v=spf1 +all'] } });
    const f = (await checkSpf(D, resolverFor(z))).find((x) => x.code === 'spf.pass-all')!;
    expect(f.name).toBe(`open.${D}`);
  });

  it('reports the obsolete type 99 record when the resolver can ask for it', async () => {
    const r = resolverFor(zone('v=spf1 -all'), { type99: { [D]: 'v=spf1 -all' } });
    expect(codes(await checkSpf(D, r))).toEqual(['spf.rrtype-spf']);
  });

  it('a failed include lookup is unknown, not a missing include: only what lies below it is unknown', async () => {
    const z = zone(`v=spf1 include:slow.${D} -all`, { [`slow.${D}`]: 'servfail' });
    const findings = await checkSpf(D, resolverFor(z));
    expect(codes(findings)).toEqual(['spf.check-unknown']);
    expect(findings[0]!.evidence.asked).toEqual([{ name: `slow.${D}`, type: 'TXT', status: 'error' }]);
    expect(findings[0]!.unknownChecks).toContain('spf.include-missing');
    expect(findings[0]!.unknownChecks).toContain('spf.too-many-lookups');
    // The domain's own record is known: its ?all still costs points beside the unknown include.
    const neutral = await checkSpf(D, resolverFor(zone(`v=spf1 include:slow.${D} ?all`, { [`slow.${D}`]: 'servfail' })));
    expect(codes(neutral)).toEqual(['spf.check-unknown', 'spf.neutral-all']);
  });

  it('a failed lookup of the record itself is unknown, not missing', async () => {
    expect(codes(await checkSpf(D, resolverFor({ [D]: 'servfail' })))).toEqual(['spf.unknown']);
  });
});
