import { describe, expect, it } from 'vitest';
import { compareIp, formatIp, inPrefix, isIpLiteral, parseCidr, parseIp, parseIPv4, parseIPv6, parsePrefixLength, renderIPv6, reverseName } from '../../src/dns-types/ip.js';
import { renderRData } from '../../src/dns-types/rdata.js';
import { compileZone, writeMinimalZone } from '../helpers/bind-tools.js';

describe('IPv6 text (RFC 4291 §2.2 in, RFC 5952 out, as BIND prints)', () => {
  // Expected forms are what named-compilezone 9.18 printed for the same input.
  it.each([
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0053', '2001:db8::53'],
    ['0:0:0:0:0:1:0:0', '::1:0:0'],
    ['::2', '::2'],
    ['::1', '::1'],
    ['::', '::'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::1.2.3.4', '::1.2.3.4'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'],
    ['fe80::1:2:3:4:5:6', 'fe80:0:1:2:3:4:5:6'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s -> %s', (text, canonical) => {
    const octets = parseIPv6(text);
    expect(octets).toHaveLength(16);
    expect(renderIPv6(octets!)).toBe(canonical);
  });

  it.each(['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', '::1.2.3', '::256.1.1.1', '1:2:3:4:5:6:7:8::'])(
    'refuses %j',
    (text) => {
      expect(parseIPv6(text)).toBeUndefined();
    },
  );
});

describe('parseIPv4', () => {
  it.each([
    ['192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
  ])('%s', (text, octets) => {
    expect(parseIPv4(text)).toEqual(octets);
  });
  it.each(['256.0.0.1', '010.0.0.1', '1.2.3', '1.2.3.4.5', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 '])('refuses %j', (text) => {
    expect(parseIPv4(text)).toBeUndefined();
  });
});

describe('one codec, rendered as BIND renders it (named-compilezone -D is the oracle)', () => {
  // Forms where renderers disagree: IPv4-mapped and IPv4-compatible addresses (BIND keeps the
  // dotted quad), NAT64 (it does not), zero runs of equal length, a single zero group.
  const inputs = [
    '::ffff:1.2.3.4',
    '::ffff:102:304',
    '::1.2.3.4',
    '::ffff:0.0.0.0',
    '64:ff9b::192.0.2.33',
    '2001:db8:0:0:1:0:0:1',
    '2001:db8::1:0:0:0:1',
    'fe80::1:2:3:4:5:6',
    '::',
    '::1',
    '0:0:0:0:0:1:0:0',
    '::ffff:1:2',
    '1:0:0:2:0:0:0:3',
  ];

  it('formatIp and the AAAA rdata renderer print what named-compilezone prints', () => {
    const zone = writeMinimalZone('example.org', inputs.map((text, i) => `h${i} 300 IN AAAA ${text}\n`).join(''));
    try {
      const compiled = compileZone('example.org', zone.zoneFile);
      for (const [i, text] of inputs.entries()) {
        const line = compiled.split('\n').find((l) => l.startsWith(`h${i}.example.org.`));
        const bind = line?.split(/\s+/).at(-1);
        expect(bind, text).toBeDefined();
        expect(formatIp(parseIp(text, false)!), text).toBe(bind);
        expect(renderRData({ type: 'AAAA', address: text }), text).toBe(bind);
      }
    } finally {
      zone.remove();
    }
  });

  it('::ffff:1.2.3.4 renders as BIND does, not as ::ffff:102:304', () => {
    expect(formatIp(parseIp('::ffff:102:304', false)!)).toBe('::ffff:1.2.3.4');
  });
});

describe('parseIp, prefixes and order', () => {
  it.each([
    ['192.0.2.1', 4, [192, 0, 2, 1]],
    ['::ffff:192.0.2.1', 4, [192, 0, 2, 1]],
    ['2001:db8::1', 6, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
  ])('%s', (text, family, bytes) => {
    expect(parseIp(text)).toEqual({ family, bytes: Uint8Array.from(bytes) });
  });

  it('keeps a mapped address IPv6 when asked not to unmap', () => {
    expect(parseIp('::ffff:192.0.2.1', false)?.family).toBe(6);
  });

  it.each(['', '192.0.2', '010.0.0.1', 'fe80::1%eth0', 'example.org', '1.2.3.4/24'])('refuses %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('matches prefixes bit by bit', () => {
    const net = parseIp('192.0.2.128')!;
    expect(inPrefix(parseIp('192.0.2.200')!, net, 25)).toBe(true);
    expect(inPrefix(parseIp('192.0.2.100')!, net, 25)).toBe(false);
    expect(inPrefix(parseIp('2001:db8::1')!, parseIp('2001:db8:ffff::')!, 32)).toBe(true);
    expect(inPrefix(parseIp('2001:db8::1')!, net, 0)).toBe(false);
  });

  it('names the reverse lookup', () => {
    expect(reverseName(parseIp('192.0.2.1')!)).toBe('1.2.0.192.in-addr.arpa');
    expect(reverseName(parseIp('2001:db8::1')!)).toBe(`1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`);
  });

  it('orders IPv4 before IPv6, each by value, non-addresses last', () => {
    const list = ['2001:db8::10', 'x', '2001:db8::9', '192.0.2.10', '192.0.2.9', '::ffff:1.2.3.4'];
    expect([...list].sort(compareIp)).toEqual(['192.0.2.9', '192.0.2.10', '::ffff:1.2.3.4', '2001:db8::9', '2001:db8::10', 'x']);
  });

  it.each([
    ['192.0.2.0/24', 4, 24],
    ['192.0.2.1', 4, undefined],
    ['2001:db8::/32', 6, 32],
  ])('parseCidr %s', (text, family, prefix) => {
    expect(parseCidr(text, family as 4 | 6)?.prefix).toBe(prefix);
  });

  it.each([
    ['192.0.2.0/33', 4],
    ['192.0.2.0/024', 4],
    ['192.0.2.0/24/1', 4],
    ['2001:db8::/32', 4],
    ['192.0.2.0/24', 6],
  ])('parseCidr refuses %s as IPv%s', (text, family) => {
    expect(parseCidr(text, family as 4 | 6)).toBeUndefined();
  });

  it('tells CIDR length errors apart', () => {
    expect(parsePrefixLength('24', 32)).toBe(24);
    expect(parsePrefixLength('024', 32)).toMatch(/leading zero/);
    expect(parsePrefixLength('129', 128)).toMatch(/over 128/);
  });

  it.each([
    ['192.0.2.1', true],
    ['[192.0.2.1]', true],
    ['[IPv6:2001:db8::1]', true],
    ['2001:db8::1', true],
    ['mx.example.org', false],
    ['1.2.3.4.example.org', false],
  ])('isIpLiteral %s', (text, literal) => {
    expect(isIpLiteral(text)).toBe(literal);
  });
});
