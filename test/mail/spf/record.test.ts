import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/dns-types/ip.js';
import { countSpfTermLookups, parseSpfRecord } from '../../../src/mail/spf/record.js';

describe('SPF record syntax (RFC 7208 §4.6, §12)', () => {
  it.each([
    ['v=spf1 -all', true],
    ['v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net ~all', true],
    ['v=spf1 a:%{d}.example.net exists:%{ir}.%{v}._spf.%{d2} -all', true],
    ['v=spf1 a/24//64 mx:example.net/28 -all', true],
    ['v=spf1 moo.cow-far_out=man:dog/cat -all', true],
    ['v=spf1 ip4:192.0.2.1/33', false],
    ['v=spf1 ip4:192.0.2.1/032', false],
    ['v=spf1 a:foo', false],
    ['v=spf1 a:example.123', false],
    ['v=spf1 include:', false],
    ['v=spf1 ptr/24', false],
    ['v=spf1 -all:x', false],
    ['v=spf1 redirect=a.example.net redirect=b.example.net', false],
    ['v=spf1 exp=%{r}.example.net -all', false],
    ['v=spf1 foo=%abc', false],
    ['v=spf1 frobnicate:example.net', false],
  ])('%s → valid %s', (text, valid) => {
    expect(parseSpfRecord(text).ok).toBe(valid);
  });
});

describe('parseSpfRecord', () => {
  const literal = (text: string) => [{ kind: 'literal', text }];

  it('splits terms into qualifier, name and arguments', () => {
    const text = 'v=spf1 a mx/24 -ip4:192.0.2.0/24 ~include:_spf.example.net a:h.example.org/24//64 exists:%{i}.x.example ?all redirect=_spf.example.net exp=explain.example.org';
    const parsed = parseSpfRecord(text);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.record.terms).toEqual([
      { kind: 'mechanism', text: 'a', qualifier: '+', name: 'a' },
      { kind: 'mechanism', text: 'mx/24', qualifier: '+', name: 'mx', cidr4: 24 },
      { kind: 'mechanism', text: '-ip4:192.0.2.0/24', qualifier: '-', name: 'ip4', network: parseIp('192.0.2.0'), cidr4: 24 },
      { kind: 'mechanism', text: '~include:_spf.example.net', qualifier: '~', name: 'include', target: literal('_spf.example.net') },
      { kind: 'mechanism', text: 'a:h.example.org/24//64', qualifier: '+', name: 'a', target: literal('h.example.org'), cidr4: 24, cidr6: 64 },
      {
        kind: 'mechanism',
        text: 'exists:%{i}.x.example',
        qualifier: '+',
        name: 'exists',
        target: [{ kind: 'expand', letter: 'i', upper: false, reverse: false, delimiters: '' }, { kind: 'literal', text: '.x.example' }],
      },
      { kind: 'mechanism', text: '?all', qualifier: '?', name: 'all' },
      { kind: 'modifier', text: 'redirect=_spf.example.net', name: 'redirect', value: literal('_spf.example.net') },
      { kind: 'modifier', text: 'exp=explain.example.org', name: 'exp', value: literal('explain.example.org') },
    ]);
    expect(parsed.record.redirect?.text).toBe('redirect=_spf.example.net');
    expect(parsed.record.exp?.text).toBe('exp=explain.example.org');
  });

  it('keeps each term as written, so the terms give back the text they came from', () => {
    const text = 'v=spf1 a mx/24 -ip4:192.0.2.0/24 ~include:_spf.example.net ?all redirect=x.example';
    const parsed = parseSpfRecord(text);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(['v=spf1', ...parsed.record.terms.map((t) => t.text)].join(' ')).toBe(text);
  });

  it.each([
    ['v=spf2 a'],
    ['spf1 a'],
    ['v=spf1 foo'],
    ['v=spf1 include'],
    ['v=spf1 ip4'],
    ['v=spf1 all:x'],
    ['v=spf1 redirect=a.example redirect=b.example'],
    ['v=spf1 include/24'],
  ])('refuses %s', (text) => {
    expect(parseSpfRecord(text).ok).toBe(false);
  });

  it('counts lookup terms statically, stopping at all and ignoring redirect after all', () => {
    const count = (text: string): number => {
      const p = parseSpfRecord(text);
      if (!p.ok) throw new Error(p.error);
      return countSpfTermLookups(p.record);
    };
    expect(count('v=spf1 a mx ptr exists:x.example include:y.example ip4:192.0.2.1 -all')).toBe(5);
    expect(count('v=spf1 a -all include:after.example')).toBe(1);
    expect(count('v=spf1 a redirect=r.example')).toBe(2);
    expect(count('v=spf1 a redirect=r.example -all')).toBe(1);
  });
});
