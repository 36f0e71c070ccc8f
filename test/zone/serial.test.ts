import { describe, expect, it } from 'vitest';
import { bumpSoaSerial, nextSerial } from '../../src/zone/serial.js';

const now = new Date('2026-11-25T13:00:00Z');

describe('nextSerial', () => {
  it.each([
    [2026112401, 2026112500], // yesterday -> today 00
    [2026112500, 2026112501], // today -> next
    [2026112599, 2026112600], // overflow of nn borrows the next day, never decreases
    [1, 2026112500], // a plain counter jumps to the date form
    [2030010100, 2030010101], // a serial in the future keeps growing
  ])('%i -> %i', (from, to) => {
    expect(nextSerial(from, now)).toBe(to);
  });
  it('refuses to wrap', () => {
    expect(() => nextSerial(2 ** 32 - 1, now)).toThrow(/cannot grow/);
  });
});

describe('bumpSoaSerial', () => {
  it('rewrites only the serial, in a multi-line SOA with comments', () => {
    const text = [
      '$ORIGIN example.org.',
      '@ IN SOA ns1 hostmaster ( ; primary, contact',
      '        2026112401 ; serial',
      '        7200 3600 1209600 3600 )',
      'www IN A 127.0.0.1',
      '',
    ].join('\n');
    const bumped = bumpSoaSerial(text, 'z', now);
    expect(bumped.from).toBe(2026112401);
    expect(bumped.to).toBe(2026112500);
    expect(bumped.text).toBe(text.replace('2026112401', '2026112500'));
  });
  it('one-line SOA with TTL and class', () => {
    const bumped = bumpSoaSerial('@ 3600 IN SOA ns1.example.org. h.example.org. 7 1 2 3 4\n', 'z', now);
    expect(bumped.text).toBe('@ 3600 IN SOA ns1.example.org. h.example.org. 2026112500 1 2 3 4\n');
  });
  it('a zone file without SOA is an error', () => {
    expect(() => bumpSoaSerial('www IN A 127.0.0.1\n', 'z', now)).toThrow(/no SOA record/);
  });
});
