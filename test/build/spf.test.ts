import { describe, expect, it } from 'vitest';
import type { Resolver } from '../../src/dns/resolver.js';
import type { Sender } from '../../src/policy/model.js';
import { txtText } from '../../src/dns-types/rr.js';
import { buildSpf, checkSpfTree, resolveSpfLookups } from '../../src/build/spf.js';
import { resolveSpfTree, type SpfTreeNode, type SpfTreeOptions, type SpfTreeTerm } from '../../src/mail/spf/lookup-tree.js';
import { overlaySpfResolver } from '../../src/mail/spf/overlay.js';
import { createFakeResolver } from '../helpers/fake-resolver.js';
import { makeDomain } from './fixtures.js';

const includes = (n: number): Sender[] => Array.from({ length: n }, (_, i) => ({ kind: 'include', domain: `i${i}.example.net` }));

function textOf(senders: Sender[], extra: Parameters<typeof makeDomain>[1] = {}): string | undefined {
  const built = buildSpf(makeDomain('example.org', { senders, ...extra }));
  const rr = built.records[0];
  return rr && rr.type === 'TXT' ? txtText(rr) : undefined;
}

describe('buildSpf: canonical term order', () => {
  const cases: { name: string; senders: Sender[]; want: string }[] = [
    {
      name: 'every kind, shuffled, with duplicates',
      senders: [
        { kind: 'include', domain: 'b.example.net' },
        { kind: 'ip4', cidr: '10.0.0.0/8' },
        { kind: 'provider', name: 'google' },
        { kind: 'host', host: 'Z.example.org.' },
        { kind: 'ip6', cidr: '2001:db8::/32' },
        { kind: 'mx' },
        { kind: 'ip4', cidr: '9.0.0.0/8' },
        { kind: 'ip4', cidr: '192.0.2.0/24' },
        { kind: 'self' },
        { kind: 'host', host: 'a.example.org' },
        { kind: 'ip6', cidr: '::1' },
        { kind: 'include', domain: '_spf.google.com' },
        { kind: 'ip4', cidr: '10.0.0.0/8' },
      ],
      // ip4 sorted numerically (9 < 10 < 192), ip6 numerically (::1 < 2001:db8::), google deduplicated.
      want: 'v=spf1 a mx a:a.example.org a:z.example.org ip4:9.0.0.0/8 ip4:10.0.0.0/8 ip4:192.0.2.0/24 ip6:::1 ip6:2001:db8::/32 include:_spf.google.com include:b.example.net ~all',
    },
    {
      name: 'same prefix address, shorter prefix first',
      senders: [
        { kind: 'ip4', cidr: '192.0.2.0/25' },
        { kind: 'ip4', cidr: '192.0.2.0/24' },
        { kind: 'ip4', cidr: '192.0.2.128/25' },
      ],
      want: 'v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.0/25 ip4:192.0.2.128/25 ~all',
    },
    {
      name: 'ip6 with an embedded IPv4 tail and uppercase',
      senders: [
        { kind: 'ip6', cidr: '2001:DB8::1' },
        { kind: 'ip6', cidr: '::ffff:192.0.2.1' },
        { kind: 'ip6', cidr: 'fe80::/10' },
      ],
      want: 'v=spf1 ip6:::ffff:192.0.2.1 ip6:2001:db8::1 ip6:fe80::/10 ~all',
    },
    {
      name: 'providers expand to their catalogue include',
      senders: [
        { kind: 'provider', name: 'sendgrid' },
        { kind: 'provider', name: 'microsoft365' },
        { kind: 'provider', name: 'sendgrid' },
      ],
      want: 'v=spf1 include:sendgrid.net include:spf.protection.outlook.com ~all',
    },
    { name: 'no senders at all', senders: [], want: 'v=spf1 ~all' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(textOf(c.senders)).toBe(c.want);
    });
  }

  it.each([
    ['fail', '-all'],
    ['softfail', '~all'],
    ['neutral', '?all'],
  ] as const)('all: %s -> %s', (all, term) => {
    expect(textOf([{ kind: 'mx' }], { spfAll: all })).toBe(`v=spf1 mx ${term}`);
  });

  it('mail: none publishes "v=spf1 -all" whatever the senders', () => {
    expect(textOf([{ kind: 'mx' }], { noMail: true, spfAll: 'softfail' })).toBe('v=spf1 -all');
  });

  it('no senders declared: no record', () => {
    const built = buildSpf(makeDomain('example.org'));
    expect(built.records).toEqual([]);
    expect(built.notices).toEqual([]);
  });

  it('the record sits at the domain with its TTL', () => {
    const built = buildSpf(makeDomain('example.org', { senders: [{ kind: 'mx' }], ttl: 600 }));
    expect(built.records).toEqual([{ name: 'example.org', ttl: 600, type: 'TXT', strings: ['v=spf1 mx ~all'] }]);
  });
});

describe('buildSpf: refusals and warnings', () => {
  it('exactly 10 lookups is accepted', () => {
    const built = buildSpf(makeDomain('example.org', { senders: [{ kind: 'self' }, { kind: 'mx' }, ...includes(8), { kind: 'ip4', cidr: '192.0.2.1' }] }));
    expect(built.lookups).toBe(10);
    expect(built.notices).toEqual([]);
    expect(built.records).toHaveLength(1);
  });

  it('11 lookups is refused with the count named, and no record', () => {
    const built = buildSpf(makeDomain('example.org', { senders: [{ kind: 'self' }, { kind: 'mx' }, { kind: 'host', host: 'h.example.org' }, ...includes(8)] }));
    expect(built.lookups).toBe(11);
    expect(built.records).toEqual([]);
    expect(built.notices).toHaveLength(1);
    expect(built.notices[0]).toMatchObject({ severity: 'error', code: 'spf.too-many-lookups', name: 'example.org', rfc: 'RFC 7208 §4.6.4' });
    expect(built.notices[0]!.message).toContain('11');
  });

  it('an include counts 1, ip4/ip6 count 0', () => {
    expect(buildSpf(makeDomain('example.org', { senders: [{ kind: 'include', domain: 'x.example.net' }] })).lookups).toBe(1);
    expect(buildSpf(makeDomain('example.org', { senders: [{ kind: 'ip4', cidr: '192.0.2.1' }, { kind: 'ip6', cidr: '::1' }] })).lookups).toBe(0);
  });

  it.each([
    [{ kind: 'provider', name: 'nosuch' } as Sender, 'spf.unknown-provider'],
    [{ kind: 'ip4', cidr: '192.0.2.300/24' } as Sender, 'spf.invalid-ip4'],
    [{ kind: 'ip4', cidr: '192.0.2.0/33' } as Sender, 'spf.invalid-ip4'],
    [{ kind: 'ip6', cidr: '2001:db8::/129' } as Sender, 'spf.invalid-ip6'],
    [{ kind: 'ip6', cidr: '192.0.2.1' } as Sender, 'spf.invalid-ip6'],
    [{ kind: 'host', host: '192.0.2.1' } as Sender, 'spf.host-ip-literal'],
  ])('refuses %o with %s', (sender, code) => {
    const built = buildSpf(makeDomain('example.org', { senders: [{ kind: 'mx' }, sender] }));
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => [n.severity, n.code])).toEqual([['error', code]]);
  });

  it('over 450 octets: a warning, and the record split into 255-octet strings', () => {
    const senders: Sender[] = Array.from({ length: 30 }, (_, i) => ({ kind: 'ip6', cidr: `2001:db8:${(i + 1).toString(16)}::/48` }));
    const built = buildSpf(makeDomain('example.org', { senders }));
    expect(built.notices.map((n) => n.code)).toEqual(['spf.too-long']);
    const rr = built.records[0]!;
    if (rr.type !== 'TXT') throw new Error('not TXT');
    expect(Buffer.byteLength(built.text!)).toBeGreaterThan(450);
    expect(rr.strings.length).toBeGreaterThan(1);
    for (const s of rr.strings) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(255);
    expect(rr.strings.join('')).toBe(built.text);
  });
});

/** The tree without void flags: the DNS-querying terms and their lookups only, for compact expectations. */
function shape(node: SpfTreeNode): unknown {
  const walk = (term: string, lookups: number, below: SpfTreeTerm[]): unknown => {
    const counted = below.filter((t) => t.lookups > 0);
    return counted.length === 0 ? [term, lookups] : [term, lookups, counted.map((t) => walk(t.term, t.subtotal, t.child?.terms ?? []))];
  };
  return walk(node.domain, node.lookups, node.terms);
}

/** The DNS-querying terms of a record in the tree. */
const counted = (node: SpfTreeNode): SpfTreeTerm[] => node.terms.filter((t) => t.lookups > 0);

/** `text` walked as the SPF record of `domain` (default example.org), with the builder's notices. */
async function countSpfLookups(text: string, resolver: Resolver, options: SpfTreeOptions & { domain?: string } = {}) {
  const domain = options.domain ?? 'example.org';
  const tree = await resolveSpfTree(domain, overlaySpfResolver(domain, text, resolver), options);
  return { ...tree, notices: checkSpfTree(tree, domain) };
}

describe('counting lookups through a fake zone (resolveSpfTree, checkSpfTree)', () => {
  it('counts a nested include tree exactly', async () => {
    const resolver = createFakeResolver({
      'example.org': { MX: [[10, 'mx.example.org']] },
      'a.example.net': { TXT: ['v=spf1 include:c.example.net ip4:192.0.2.0/24 -all', 'google-site-verification=x'] },
      'b.example.net': { TXT: ['v=spf1 exists:%{i}._ip.b.example.net mx:b.example.net -all'], MX: [[5, 'in.b.example.net']] },
      'c.example.net': { TXT: ['v=spf1 a:x.example.net ~all'] },
      'x.example.net': { A: ['192.0.2.7'] },
    });
    const count = await countSpfLookups('v=spf1 mx include:a.example.net include:b.example.net -all', resolver, { domain: 'example.org' });
    expect(count.lookups).toBe(7);
    expect(count.voids).toHaveLength(0);
    expect(count.complete).toBe(true);
    expect(count.notices).toEqual([]);
    expect(shape(count.root!)).toEqual([
      'example.org',
      7,
      [
        ['mx', 1],
        ['include:a.example.net', 3, [['include:c.example.net', 2, [['a:x.example.net', 1]]]]],
        ['include:b.example.net', 3, [['exists:%{i}._ip.b.example.net', 1], ['mx:b.example.net', 1]]],
      ],
    ]);
  });

  it('counts an include reached twice twice, but asks DNS once', async () => {
    const resolver = createFakeResolver({
      'a.example.net': { TXT: ['v=spf1 include:shared.example.net -all'] },
      'b.example.net': { TXT: ['v=spf1 include:shared.example.net -all'] },
      'shared.example.net': { TXT: ['v=spf1 ip4:192.0.2.1 -all'] },
    });
    const count = await countSpfLookups('v=spf1 include:a.example.net include:b.example.net -all', resolver);
    expect(count.lookups).toBe(4);
    expect(resolver.calls.filter((c) => c === 'TXT shared.example.net')).toHaveLength(1);
  });

  it('follows redirect= when there is no all, and ignores it when there is one', async () => {
    const zone = { '_spf.example.net': { TXT: ['v=spf1 include:x.example.net include:y.example.net -all'] }, 'x.example.net': { TXT: ['v=spf1 -all'] }, 'y.example.net': { TXT: ['v=spf1 -all'] } };
    const withRedirect = await countSpfLookups('v=spf1 ip4:192.0.2.1 redirect=_spf.example.net', createFakeResolver(zone));
    expect(withRedirect.lookups).toBe(3);
    expect(shape(withRedirect.root!)).toEqual(['example.org', 3, [['redirect=_spf.example.net', 3, [['include:x.example.net', 1], ['include:y.example.net', 1]]]]]);
    const resolver = createFakeResolver(zone);
    const ignored = await countSpfLookups('v=spf1 ip4:192.0.2.1 -all redirect=_spf.example.net', resolver);
    expect(ignored.lookups).toBe(0);
    expect(resolver.calls).toEqual([]);
  });

  it('finds 11 lookups behind includes the static count sees as 2, and refuses the record', async () => {
    const resolver = createFakeResolver({
      'big.example.net': { TXT: [`v=spf1 ${Array.from({ length: 5 }, (_, i) => `include:n${i}.example.net`).join(' ')} -all`] },
      ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`n${i}.example.net`, { TXT: ['v=spf1 ip4:192.0.2.1 -all'] }])),
      'other.example.net': { TXT: ['v=spf1 include:n0.example.net include:n1.example.net include:n2.example.net include:n3.example.net -all'] },
    });
    const domain = makeDomain('example.org', { senders: [{ kind: 'include', domain: 'big.example.net' }, { kind: 'include', domain: 'other.example.net' }] });
    expect(buildSpf(domain).lookups).toBe(2);
    expect(buildSpf(domain).records).toHaveLength(1);
    const resolved = await resolveSpfLookups(domain, resolver);
    expect(resolved.lookups).toBe(11);
    expect(resolved.records).toEqual([]);
    expect(resolved.notices[0]!.code).toBe('spf.too-many-lookups');
    expect(resolved.notices[0]!.message).toContain('11');
    // Over the limit, the remedies follow, safest first, each with the count it reaches.
    const via = '"custom return-path" or "custom bounce domain" setting, if it has one; DMARC still aligns under relaxed aspf';
    expect(resolved.notices.slice(1).map((n) => [n.code, n.severity, n.message])).toEqual([
      ['spf.remedy', 'info', 'remedy 1: drop include:big.example.net: every range it passes is already listed by include:other.example.net; 5 lookups (within the limit)'],
      ['spf.remedy', 'info', 'remedy 2: drop include:other.example.net: every range it passes is already listed by include:big.example.net; 6 lookups (within the limit)'],
      ['spf.remedy', 'info', `remedy 3: move include:big.example.net to its own envelope subdomain (bounce.example.org with "v=spf1 include:big.example.net -all") through the service's ${via}; 5 lookups (within the limit)`],
      ['spf.remedy', 'info', `remedy 4: move include:other.example.net to its own envelope subdomain (bounce.example.org with "v=spf1 include:other.example.net -all") through the service's ${via}; 6 lookups (within the limit)`],
      ['spf.remedy', 'info', 'remedy 5: flatten include:big.example.net (flatten: true): 1 range, refreshed by plan --resolve and watched by audit (spf.flatten-stale); 5 lookups (within the limit)'],
      ['spf.remedy', 'info', 'remedy 6: flatten include:other.example.net (flatten: true): 1 range, refreshed by plan --resolve and watched by audit (spf.flatten-stale); 6 lookups (within the limit)'],
    ]);
  });

  it('accepts exactly 10 counted through includes', async () => {
    const resolver = createFakeResolver({
      'big.example.net': { TXT: [`v=spf1 ${Array.from({ length: 8 }, (_, i) => `include:n${i}.example.net`).join(' ')} -all`] },
      ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`n${i}.example.net`, { TXT: ['v=spf1 ip4:192.0.2.1 -all'] }])),
      'example.org': { A: ['192.0.2.1'] },
    });
    const resolved = await resolveSpfLookups(makeDomain('example.org', { senders: [{ kind: 'self' }, { kind: 'include', domain: 'big.example.net' }] }), resolver);
    expect(resolved.lookups).toBe(10);
    expect(resolved.notices).toEqual([]);
    expect(resolved.records).toHaveLength(1);
  });

  it('detects an include loop and stops', async () => {
    const resolver = createFakeResolver({
      'example.org': { TXT: ['v=spf1 include:a.example.net -all'] },
      'a.example.net': { TXT: ['v=spf1 include:b.example.net -all'] },
      'b.example.net': { TXT: ['v=spf1 include:a.example.net -all'] },
    });
    const count = await countSpfLookups('v=spf1 include:a.example.net -all', resolver, { domain: 'example.org' });
    expect(count.lookups).toBe(3);
    expect(count.notices.map((n) => [n.code, n.name])).toEqual([['spf.loop', 'b.example.net']]);
    expect(count.notices[0]!.message).toContain('example.org → a.example.net → b.example.net → a.example.net');
    expect(count.root!.terms[0]!.child!.terms[0]!.child!.terms[0]!.note).toBe('loop');
  });

  it('detects a record that includes its own domain', async () => {
    const resolver = createFakeResolver({});
    const count = await countSpfLookups('v=spf1 include:example.org -all', resolver, { domain: 'example.org' });
    expect(count.notices.map((n) => n.code)).toEqual(['spf.loop']);
    expect(resolver.calls).toEqual([]);
  });

  it('bounds the nesting depth', async () => {
    const zone = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`d${i}.example.net`, { TXT: [`v=spf1 include:d${i + 1}.example.net -all`] }]));
    const count = await countSpfLookups('v=spf1 include:d0.example.net -all', createFakeResolver(zone), { maxDepth: 3 });
    expect(count.notices.map((n) => n.code)).toEqual(['spf.too-deep']);
    expect(count.complete).toBe(false);
    expect(count.lookups).toBe(4);
  });

  it('counts void lookups: 2 allowed, 3 refused', async () => {
    const zone = {
      'gone1.example.net': 'nxdomain' as const,
      'gone2.example.net': 'nxdomain' as const,
      'empty.example.net': {},
      'live.example.net': { AAAA: ['2001:db8::1'] },
    };
    const two = await countSpfLookups('v=spf1 a:gone1.example.net a:empty.example.net a:live.example.net -all', createFakeResolver(zone));
    expect(two.voids).toHaveLength(2);
    expect(two.notices).toEqual([]);
    expect(counted(two.root!).map((c) => c.void ?? false)).toEqual([true, true, false]);
    const three = await countSpfLookups('v=spf1 a:gone1.example.net a:empty.example.net mx:gone2.example.net a:live.example.net -all', createFakeResolver(zone));
    expect(three.voids).toHaveLength(3);
    expect(three.notices.map((n) => [n.severity, n.code])).toEqual([['error', 'spf.void-lookups']]);
  });

  it('an include of a name without an SPF record is a void lookup and an error', async () => {
    const resolver = createFakeResolver({ 'nospf.example.net': { TXT: ['hello'] }, 'gone.example.net': 'nxdomain' });
    const count = await countSpfLookups('v=spf1 include:nospf.example.net include:gone.example.net -all', resolver);
    expect(count.lookups).toBe(2);
    expect(count.voids).toHaveLength(1);
    expect(count.notices.map((n) => [n.code, n.name])).toEqual([
      ['spf.include-missing', 'nospf.example.net'],
      ['spf.include-missing', 'gone.example.net'],
    ]);
  });

  it('two SPF records at an include target is an error', async () => {
    const resolver = createFakeResolver({ 'two.example.net': { TXT: ['v=spf1 -all', 'v=spf1 ~all'] } });
    const count = await countSpfLookups('v=spf1 include:two.example.net -all', resolver);
    expect(count.notices.map((n) => n.code)).toEqual(['spf.multiple']);
  });

  it('an mx with more than 10 records is an error', async () => {
    const mx = Array.from({ length: 11 }, (_, i) => [i, `mx${i}.example.net`] as [number, string]);
    const count = await countSpfLookups('v=spf1 mx -all', createFakeResolver({ 'example.net': { MX: mx } }), { domain: 'example.net' });
    expect(count.notices.map((n) => n.code)).toEqual(['spf.mx-too-many-hosts']);
  });

  it('a failed lookup makes the count incomplete, with a warning', async () => {
    const count = await countSpfLookups('v=spf1 include:broken.example.net -all', createFakeResolver({ 'broken.example.net': 'servfail' }));
    expect(count.complete).toBe(false);
    expect(count.lookups).toBe(1);
    expect(count.notices.map((n) => [n.severity, n.code])).toEqual([['warning', 'spf.lookup-failed']]);
  });

  it('does not follow macros, and does not ask DNS about them', async () => {
    const resolver = createFakeResolver({});
    const count = await countSpfLookups('v=spf1 include:%{d}.spf.example.net -all', resolver);
    expect(count.lookups).toBe(1);
    expect(resolver.calls).toEqual([]);
  });

  it('checkVoid: false asks only for include and redirect targets', async () => {
    const resolver = createFakeResolver({});
    const count = await countSpfLookups('v=spf1 a mx a:h.example.net -all', resolver, { domain: 'example.org', checkVoid: false });
    expect(count.lookups).toBe(3);
    expect(resolver.calls).toEqual([]);
  });
});

describe('the fake resolver', () => {
  const resolver = createFakeResolver({
    'a.example.org': { A: ['192.0.2.1'] },
    'b.c.example.org': { TXT: ['x'] },
    'gone.example.org': 'nxdomain',
    'alias.example.org': { CNAME: ['a.example.org'] },
  });
  it.each([
    ['a.example.org', 'A', 'ok'],
    ['a.example.org', 'TXT', 'nodata'],
    ['c.example.org', 'TXT', 'nodata'], // empty non-terminal (RFC 8020)
    ['gone.example.org', 'A', 'nxdomain'],
    ['alias.example.org', 'A', 'ok'],
  ] as const)('%s %s -> %s', async (name, type, status) => {
    expect((await resolver.resolve(name, type)).status).toBe(status);
  });
  it('throws on a name outside the map in strict mode, NXDOMAIN otherwise', async () => {
    await expect(resolver.resolve('elsewhere.example', 'A')).rejects.toThrow(/unexpected lookup A elsewhere.example/);
    expect((await createFakeResolver({}, { strict: false }).resolve('elsewhere.example', 'A')).status).toBe('nxdomain');
  });
});

describe('a flattened include from the fragment (buildSpf with SpfInputs)', () => {
  const ranges = Array.from({ length: 70 }, (_, i) => `ip4:198.51.${i}.0/24`);
  const hosts = (n: number): Sender[] => Array.from({ length: n }, (_, i) => ({ kind: 'host', host: `h${i}.example.org` }));
  const flat: Sender = { kind: 'include', domain: 'spf.p.example', flatten: true };

  it('publishes the kept ranges as a chain and counts every link', () => {
    const built = buildSpf(makeDomain('example.org', { senders: [...hosts(2), flat] }), { cachedRanges: () => ranges });
    expect(built.records.map((r) => r.name)).toEqual(['example.org', '_spf1.example.org', '_spf2.example.org', '_spf3.example.org']);
    expect(built.lookups).toBe(2 + 3);
    expect(built.notices).toEqual([]);
    expect(built.flattened).toEqual(new Map([['spf.p.example', ranges]]));
  });

  it('refuses a chain whose links take the count over 10, naming them', () => {
    const built = buildSpf(makeDomain('example.org', { senders: [...hosts(8), flat] }), { cachedRanges: () => ranges });
    expect(built.lookups).toBe(8 + 3);
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => [n.code, n.message])).toEqual([
      ['spf.too-many-lookups', expect.stringMatching(/^at least 11 DNS-querying terms .* include:_spf1\.example\.org 1, include:_spf2\.example\.org 1, include:_spf3\.example\.org 1$/)],
    ]);
  });

  it('refuses to publish a flattened include empty', () => {
    const built = buildSpf(makeDomain('example.org', { senders: [flat] }), {});
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => n.code)).toEqual(['spf.flatten-uncached']);
  });
});
