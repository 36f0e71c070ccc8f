import { describe, expect, it } from 'vitest';
import { RecordError } from '../../src/base/errors.js';
import { compareNames, parseName, renderName } from '../../src/dns-types/name.js';

describe('parseName', () => {
  it.each([
    ['example.org.', undefined, 'example.org'],
    ['Example.ORG.', undefined, 'example.org'],
    ['.', undefined, ''],
    ['@', 'example.org', 'example.org'],
    ['www', 'example.org', 'www.example.org'],
    ['www', '', 'www'],
    ['_25._tcp.mx-01', 'example.org', '_25._tcp.mx-01.example.org'],
    ['*.wild', 'example.org', '*.wild.example.org'],
    ['a\\.b', 'example.org', 'a\\.b.example.org'],
    ['a\\046b.', undefined, 'a\\.b'],
    ['sp\\032ace.', undefined, 'sp\\032ace'],
    ['semi\\;colon.', undefined, 'semi\\;colon'],
    ['semi\\059colon.', undefined, 'semi\\;colon'],
    ['a\\\\.', undefined, 'a\\\\'],
    ['a/b.', undefined, 'a/b'],
    ['caf\\195\\169.', undefined, 'caf\\195\\169'],
    ['café.', undefined, 'caf\\195\\169'],
    ['\\065.', undefined, 'a'],
    [`${'a'.repeat(63)}.`, undefined, 'a'.repeat(63)],
  ])('%s (origin %s) -> %s', (raw, origin, name) => {
    expect(parseName(raw, origin)).toBe(name);
  });

  const long = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.'); // 4 * 64 + 1 = 257 octets
  it.each([
    ['www', undefined, /needs an origin/],
    ['@', undefined, /no origin/],
    ['a..b.', undefined, /empty label/],
    ['.a.', undefined, /empty label/],
    [`${'a'.repeat(64)}.`, undefined, /64 octets; the limit is 63/],
    [`${long}.`, undefined, /257 octets long; the limit is 255/],
    [`${'a'.repeat(62)}`, Array.from({ length: 3 }, () => 'b'.repeat(63)).join('.'), /256 octets long/],
    ['a\\', undefined, /backslash/],
    ['a\\25.', undefined, /bad escape/],
  ])('refuses %s', (raw, origin, message) => {
    expect(() => parseName(raw, origin)).toThrow(RecordError);
    expect(() => parseName(raw, origin)).toThrow(message);
  });
});

describe('renderName strict (names mailrec writes)', () => {
  it.each([
    ['', '.'],
    ['example.org', 'example.org.'],
    ['_dmarc.example.org', '_dmarc.example.org.'],
    ['2026a._domainkey.example.org', '2026a._domainkey.example.org.'],
    ['*.example.org', '*.example.org.'],
    ['MX-01.Example.org', 'mx-01.example.org.'],
    [Array.from({ length: 4 }, (_, i) => (i === 3 ? 'a'.repeat(61) : 'a'.repeat(63))).join('.'), `${Array.from({ length: 4 }, (_, i) => (i === 3 ? 'a'.repeat(61) : 'a'.repeat(63))).join('.')}.`],
  ])('%s', (name, rendered) => {
    expect(renderName(name, 'strict')).toBe(rendered);
  });

  it.each([
    ['a space', 'a b.example.org', /" " is not allowed/],
    ['a semicolon', 'a;b.example.org', /";" is not allowed/],
    ['a parenthesis', 'a(b.example.org', /"\(" is not allowed/],
    ['a quote', 'a"b.example.org', /"\\"" is not allowed/],
    ['a dollar', '$include.example.org', /"\$" is not allowed/],
    ['a line feed', 'a\nb.example.org', /"\\n" is not allowed/],
    ['a carriage return', 'a\rb.example.org', /"\\r" is not allowed/],
    ['a record injection', 'x.example.org. 300 IN A 192.0.2.1', /" " is not allowed/],
    ['a backslash', 'a\\032b.example.org', /"\\\\" is not allowed/],
    ['an @', '@.example.org', /"@" is not allowed/],
    ['non-ASCII', 'café.example.org', /"é" is not allowed/],
    ['a trailing dot', 'example.org.', /empty label/],
    ['an empty label', 'a..example.org', /empty label/],
    ['an inner wildcard', 'a.*.example.org', /"\*" is not allowed/],
    ['a partial wildcard', 'a*.example.org', /"\*" is not allowed/],
    ['a 64-octet label', `${'a'.repeat(64)}.example.org`, /64 octets/],
    ['a 256-octet name', Array.from({ length: 4 }, (_, i) => (i === 3 ? 'a'.repeat(62) : 'a'.repeat(63))).join('.'), /256 octets long/],
  ])('refuses %s', (_label, name, message) => {
    expect(() => renderName(name, 'strict')).toThrow(RecordError);
    expect(() => renderName(name, 'strict')).toThrow(message);
  });
});

describe('renderName presentation (names as read)', () => {
  it.each([
    ['a\\.b.example.org', 'a\\.b.example.org.'],
    ['a/b.example.org', 'a/b.example.org.'],
    ['A\\032B.example.org', 'a\\032b.example.org.'],
  ])('%s', (name, rendered) => {
    expect(renderName(name, 'presentation')).toBe(rendered);
  });
  it.each(['a b.example.org', 'a;b.example.org', 'a\nb', 'a(b', 'a"b', '$x', 'a\\046b', 'a..b', 'café'])('refuses %j', (name) => {
    expect(() => renderName(name, 'presentation')).toThrow(RecordError);
  });
});

describe('compareNames (RFC 4034 §6.1)', () => {
  it('sorts the RFC example in canonical order', () => {
    // RFC 4034 §6.1, in model form (lowercase, escapes as the reader writes them).
    const canonical = [
      'example',
      'a.example',
      'yljkjljk.a.example',
      'z.a.example',
      'zabc.a.example',
      'z.example',
      '\\001.z.example',
      '*.z.example',
      '\\200.z.example',
    ];
    const shuffled = [...canonical].reverse();
    shuffled.push(shuffled.shift()!);
    expect(shuffled.sort(compareNames)).toEqual(canonical);
  });

  it.each([
    ['', 'org', -1],
    ['org', 'example.org', -1],
    ['_dmarc.example.org', 'example.org', 1],
    ['_dmarc.example.org', 'a.example.org', -1], // "_" (0x5f) sorts before "a" (0x61)
    ['Z.example', 'a.example', 1],
    ['b.example.org', 'a.example.net', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareNames(a, b))).toBe(sign);
  });
});
