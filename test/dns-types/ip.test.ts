import { describe, expect, it } from 'vitest';
import { parseIPv4, parseIPv6, renderIPv6 } from '../../src/dns-types/ip.js';

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
