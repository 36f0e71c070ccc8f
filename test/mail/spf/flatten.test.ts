import { describe, expect, it } from 'vitest';
import { checkFlattenCoverage } from '../../../src/mail/spf/rules.js';
import { isChainLink, layoutSpfChain, reachedChainLinks, makeRange, normalizeRanges, parseRangeTerm, resolveSpfRanges, uncoveredRanges } from '../../../src/mail/spf/flatten.js';
import { parseIp } from '../../../src/dns-types/ip.js';
import { readFlattenNotes, renderFragment } from '../../../src/zone/writer.js';
import { txtRecord } from '../../../src/dns-types/rr.js';
import { createFakeResolver } from '../../helpers/fake-resolver.js';

const ranges = (...terms: string[]) => terms.map((t) => parseRangeTerm(t)!);

describe('ranges', () => {
  it('clears host bits and writes a single address bare', () => {
    expect(makeRange(parseIp('192.0.2.77')!, 24).term).toBe('ip4:192.0.2.0/24');
    expect(makeRange(parseIp('192.0.2.77')!, 32).term).toBe('ip4:192.0.2.77');
    expect(makeRange(parseIp('2001:db8::1', false)!, 32).term).toBe('ip6:2001:db8::/32');
    expect(parseRangeTerm('ip4:192.0.2.1/33')).toBeUndefined();
    expect(parseRangeTerm('a:host.example')).toBeUndefined();
  });

  it('finds what a set does not cover, and drops ranges another one holds', () => {
    const have = ranges('ip4:192.0.2.0/24', 'ip6:2001:db8::/32');
    expect(uncoveredRanges(ranges('ip4:192.0.2.128/25', 'ip4:198.51.100.1', 'ip6:2001:db8:1::/48', 'ip4:192.0.0.0/16'), have).map((r) => r.term)).toEqual(['ip4:198.51.100.1', 'ip4:192.0.0.0/16']);
    expect(normalizeRanges(ranges('ip4:192.0.2.5', 'ip6:2001:db8::1', 'ip4:192.0.2.0/24', 'ip4:10.0.0.0/8')).map((r) => r.term)).toEqual(['ip4:10.0.0.0/8', 'ip4:192.0.2.0/24', 'ip6:2001:db8::1']);
  });
});

describe('layoutSpfChain', () => {
  it('keeps a record that fits as one record', () => {
    expect(layoutSpfChain('example.org', ['mx'], ['ip4:192.0.2.0/24'], ['include:x.example'], '~all')).toEqual([{ name: 'example.org', text: 'v=spf1 mx ip4:192.0.2.0/24 include:x.example ~all' }]);
  });

  it('splits a long one into links each under the limit, every range kept once, in order', () => {
    const list = Array.from({ length: 80 }, (_, i) => `ip4:198.51.${i}.0/24`);
    const chain = layoutSpfChain('example.org', ['mx'], list, ['include:x.example'], '-all');
    expect(chain.map((r) => r.name)).toEqual(['example.org', '_spf1.example.org', '_spf2.example.org', '_spf3.example.org']);
    for (const r of chain) expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(450);
    expect(chain[0]!.text).toMatch(/^v=spf1 mx ip4:198\.51\.0\.0\/24 .* include:x\.example include:_spf1\.example\.org -all$/);
    expect(chain[1]!.text).toMatch(/ include:_spf2\.example\.org$/);
    expect(chain[3]!.text).toMatch(/ ip4:198\.51\.79\.0\/24$/);
    const kept = chain.flatMap((r) => r.text.split(' ').filter((t) => t.startsWith('ip4:')));
    expect(kept).toEqual(list);
    expect(isChainLink('_spf3.example.org', 'example.org')).toBe(true);
    expect(isChainLink('_spf.example.org', 'example.org')).toBe(false);
    expect(isChainLink('_spf1.sub.example.org', 'example.org')).toBe(false);
  });
});

describe('resolveSpfRanges', () => {
  it('collects ip4/ip6, a and mx addresses with their CIDR lengths, through includes and redirect', async () => {
    const dns = createFakeResolver({
      'spf.p.example': { TXT: ['v=spf1 ip4:192.0.2.0/24 a:out.p.example/28 mx:p.example//64 include:more.p.example redirect=last.p.example'] },
      'out.p.example': { A: ['198.51.100.20'] },
      'p.example': { MX: [[10, 'mx.p.example']] },
      'mx.p.example': { A: ['198.51.100.30'], AAAA: ['2001:db8::30'] },
      'more.p.example': { TXT: ['v=spf1 ip6:2001:db8:1::/48 -all'] },
      'last.p.example': { TXT: ['v=spf1 ip4:203.0.113.0/24 -all'] },
    });
    const out = await resolveSpfRanges('spf.p.example', dns);
    expect(out).toEqual({
      kind: 'ok',
      domain: 'spf.p.example',
      lookups: 5,
      // The MX host's 198.51.100.30 lies inside out.p.example's /28: kept once.
      ranges: ranges('ip4:192.0.2.0/24', 'ip4:198.51.100.16/28', 'ip4:203.0.113.0/24', 'ip6:2001:db8::/64', 'ip6:2001:db8:1::/48'),
    });
  });

  it('refuses macros, exists, ptr, a non-pass qualifier and +all, naming each term', async () => {
    const dns = createFakeResolver({
      'spf.q.example': { TXT: ['v=spf1 -ip4:192.0.2.1 include:%{d}.q.example exists:x.q.example ptr ip4:192.0.2.0/24 +all'] },
    });
    const out = await resolveSpfRanges('spf.q.example', dns);
    expect(out).toEqual({
      kind: 'refused',
      domain: 'spf.q.example',
      reasons: [
        '"-ip4:192.0.2.1" at spf.q.example does not pass (qualifier "-"): the order of terms matters',
        '"include:%{d}.q.example" at spf.q.example uses macros, expanded per message (RFC 7208 §7)',
        '"exists:x.q.example" at spf.q.example asks DNS per message (RFC 7208 §5.7)',
        '"ptr" at spf.q.example depends on the client\'s reverse DNS (RFC 7208 §5.5)',
        '"+all" at spf.q.example passes every host on the Internet',
      ],
    });
  });

  it('is unknown when a lookup fails, never empty', async () => {
    const dns = createFakeResolver({ 'spf.r.example': { TXT: ['v=spf1 include:down.r.example -all'] }, 'down.r.example': 'servfail' });
    expect(await resolveSpfRanges('spf.r.example', dns)).toEqual({ kind: 'unknown', domain: 'spf.r.example', reason: 'down.r.example TXT: SERVFAIL' });
  });

  it('refuses a tree that loops or lacks a record', async () => {
    const dns = createFakeResolver({ 'a.s.example': { TXT: ['v=spf1 include:b.s.example -all'] }, 'b.s.example': { TXT: ['v=spf1 include:a.s.example include:none.s.example -all'] }, 'none.s.example': 'nxdomain' });
    const out = await resolveSpfRanges('a.s.example', dns);
    expect(out.kind === 'refused' && out.reasons).toEqual(['a.s.example → b.s.example → a.s.example loops (RFC 7208 §4.6.4: permerror)', 'none.s.example publishes no SPF record (RFC 7208 §5.2: permerror)']);
  });
});

describe('checkFlattenCoverage', () => {
  it('reports the ranges a flattened include passes now that the published record lacks', () => {
    const result = { kind: 'ok' as const, domain: 'spf.p.example', lookups: 2, ranges: ranges('ip4:192.0.2.0/25', 'ip4:198.51.100.0/24') };
    expect(checkFlattenCoverage('example.org', result, ranges('ip4:192.0.2.0/24', 'ip4:198.51.100.0/24'))).toBeNull();
    expect(checkFlattenCoverage('example.org', result, ranges('ip4:192.0.2.0/24'))).toEqual({
      code: 'spf.flatten-stale',
      name: 'example.org',
      message: 'include:spf.p.example is published flattened, but now passes 1 range the SPF of example.org does not list: ip4:198.51.100.0/24; mail from there fails SPF (run mailrec plan --resolve, then apply)',
    });
    expect(checkFlattenCoverage('example.org', { kind: 'unknown', domain: 'spf.p.example', reason: 'x' }, [])).toBeNull();
  });
});

describe('the fragment as the cache', () => {
  it('keeps each flattened include on a comment line that reads back the same', () => {
    const flattened = [
      { domain: 'example.org', include: 'spf.p.example', ranges: ['ip4:192.0.2.0/24', 'ip6:2001:db8::/32'] },
      { domain: 'example.org', include: 'b.example', ranges: ['ip4:198.51.100.7'] },
    ];
    const text = renderFragment('example.org', [txtRecord('example.org', 300, 'v=spf1 ip4:192.0.2.0/24 -all')], { serial: 7, flattened });
    expect(text).toContain('; mailrec-serial: 7\n; mailrec-flatten: example.org include:b.example ip4:198.51.100.7\n; mailrec-flatten: example.org include:spf.p.example ip4:192.0.2.0/24 ip6:2001:db8::/32\n');
    expect(readFlattenNotes(text)).toEqual([flattened[1], flattened[0]]);
  });
});

describe('reachedChainLinks', () => {
  const at = (records: Record<string, string[]>) => (name: string) => records[name] ?? [];

  it('follows a chain as layoutSpfChain writes it, link by link', () => {
    const chain = layoutSpfChain('example.org', ['mx'], Array.from({ length: 60 }, (_, i) => `ip4:127.50.${i}.0/24`), [], '~all');
    const records = Object.fromEntries(chain.map((r) => [r.name, [r.text]]));
    expect(reachedChainLinks('example.org', at(records))).toEqual(chain.slice(1).map((r) => r.name));
    expect(chain.length).toBeGreaterThan(2);
  });

  it('stops where no record names the next link, and reads the include in any case', () => {
    expect(reachedChainLinks('example.org', at({ 'example.org': ['v=spf1 mx ~all'] }))).toEqual([]);
    expect(
      reachedChainLinks('example.org', at({ 'example.org': ['v=spf1 mx INCLUDE:_SPF1.example.org ~all'], '_spf1.example.org': ['v=spf1 ip4:127.0.0.1 include:_spf3.example.org'] })),
    ).toEqual(['_spf1.example.org']);
  });

  it('never goes past the ninth link', () => {
    const records: Record<string, string[]> = { 'example.org': ['v=spf1 include:_spf1.example.org ~all'] };
    for (let n = 1; n <= 12; n++) records[`_spf${n}.example.org`] = [`v=spf1 include:_spf${n + 1}.example.org`];
    expect(reachedChainLinks('example.org', at(records))).toHaveLength(9);
  });
});
