// A name's wire length: the plain-ASCII shortcut agrees with counting the labels' octets.

import { expect, test } from 'vitest';
import { labelsOf } from '../../src/dns-types/name.js';
import { nameWireOctets } from '../../src/dns-types/wire-size.js';

const byLabels = (name: string): number => labelsOf(name).reduce((sum, label) => sum + 1 + label.length, 1);

test('plain, escaped and non-ASCII names count the same as their labels (RFC 1035 §3.1)', () => {
  const names = ['', 'a', 'a.b', 'example.org', '_dmarc.example.org', '*.example.org', 's1._domainkey.x-y.example', 'a\\.b.example', 'a\\032b.example', 'é.example', `${'x'.repeat(63)}.example`];
  for (const name of names) expect([name, nameWireOctets(name)]).toEqual([name, byLabels(name)]);
  expect(nameWireOctets('example.org')).toBe(13);
  expect(nameWireOctets('')).toBe(1);
});

test('a name the labels refuse is refused, not counted', () => {
  expect(() => nameWireOctets(`${'x'.repeat(64)}.example`)).toThrow(/63/);
  expect(() => nameWireOctets('a..example')).toThrow(/empty label/);
});
