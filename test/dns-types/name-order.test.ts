// compareNames' fast path (plain ASCII names) agrees with RFC 4034 §6.1 octet order.

import { describe, expect, it } from 'vitest';
import { compareNames } from '../../src/dns-types/name.js';

/** RFC 4034 §6.1 written out: labels right to left, lowercased octets, shorter name first. */
function reference(a: string, b: string): number {
  const labels = (n: string) => (n === '' ? [] : n.toLowerCase().split('.').map((l) => Buffer.from(l, 'latin1')));
  const left = labels(a);
  const right = labels(b);
  for (let i = 1; i <= Math.min(left.length, right.length); i++) {
    const order = Buffer.compare(left[left.length - i]!, right[right.length - i]!);
    if (order !== 0) return order;
  }
  return Math.sign(left.length - right.length);
}

describe('compareNames', () => {
  it('agrees with the RFC 4034 order on plain names', () => {
    const alphabet = ['a', 'b', 'z', 'A', '-', '_', '0', '9', '*', 'aa', 'ab', 'a-b', 'xn--bcher-kva'];
    const names: string[] = [''];
    for (const x of alphabet) {
      names.push(x);
      for (const y of alphabet.slice(0, 8)) {
        names.push(`${x}.${y}`);
        names.push(`${y}.${x}.example`);
      }
    }
    for (const a of names) for (const b of names) expect(Math.sign(compareNames(a, b)), `${a} vs ${b}`).toBe(reference(a, b));
  });

  it('sorts a name before the names beneath it, and the RFC 4034 §6.1 example', () => {
    const sorted = ['example', 'a.example', 'yljkjljk.a.example', 'Z.a.example', 'zABC.a.EXAMPLE', 'z.example', '*.z.example'];
    // \\200.z.example sorts last in the RFC; it takes the escaped (slow) path.
    const all = [...sorted, '\\200.z.example'];
    expect([...all].reverse().sort(compareNames)).toEqual(all);
  });

  it('still refuses a malformed name', () => {
    expect(() => compareNames('a..b', 'a.b')).toThrow(/empty label/);
  });
});

describe('parseName', () => {
  it('gives the same names through its fast path as the escaped form would', async () => {
    const { parseName } = await import('../../src/dns-types/name.js');
    const cases: [string, string | undefined][] = [
      ['mail', 'example.org'], ['MAIL.Example.ORG.', undefined], ['_dmarc', 'example.org'], ['*', 'example.org'],
      ['a-b_c', ''], ['s1._domainkey', 'xn--bcher-kva.example'], ['x', 'ex\\@mple.org'], ['x', 'a.b.'],
    ];
    for (const [raw, origin] of cases) {
      // The same text with a redundant escape takes the general path: both must agree.
      const slow = raw.replace(/^([a-zA-Z0-9])/, '\\$1');
      const outcome = (text: string) => {
        try {
          return parseName(text, origin);
        } catch (error) {
          return `error: ${(error as Error).message.replace(/"[^"]*"/, 'NAME')}`;
        }
      };
      expect(outcome(raw), `${raw} @ ${origin}`).toBe(outcome(slow));
    }
    expect(() => parseName(`${'a'.repeat(63)}.`.repeat(4) + 'x.')).toThrow(/octets long/);
    expect(() => parseName('relative')).toThrow(/needs an origin/);
  });
});
