// chunkTxt: TXT text split into character-strings of at most 255 octets (RFC 1035 §3.3),
// never inside a UTF-8 sequence, against a character-by-character reference.

import { describe, expect, it } from 'vitest';
import { chunkTxt } from '../../src/dns-types/rr.js';

/** The rule itself, a character at a time: what chunkTxt must give. */
function reference(text: string, max: number): string[] {
  if (text === '') return [''];
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > max) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out;
}

describe('chunkTxt', () => {
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['short ASCII', 'v=spf1 -all'],
    ['exactly 255 octets', 'a'.repeat(255)],
    ['256 octets', 'a'.repeat(256)],
    ['a 2048-bit DKIM key', `v=DKIM1; k=rsa; p=${'M'.repeat(392)}`],
    ['two-octet characters across the boundary', `${'a'.repeat(254)}é${'b'.repeat(10)}`],
    ['three-octet characters', '€'.repeat(200)],
    ['astral characters (surrogate pairs)', `${'a'.repeat(253)}😀😀${'x'.repeat(300)}`],
    ['a lone surrogate (written as U+FFFD, 3 octets)', `${'a'.repeat(253)}\ud800${'b'.repeat(3)}`],
    ['mixed', `ümlaut ${'日本'.repeat(90)} 😀 end`],
  ];
  it.each(cases)('%s', (_label, text) => {
    for (const max of [255, 10, 4]) {
      const chunks = chunkTxt(text, max);
      expect(chunks).toEqual(reference(text, max));
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks) expect(Buffer.byteLength(chunk, 'utf8')).toBeLessThanOrEqual(max);
    }
  });

  it('255 octets is one string, 256 two', () => {
    expect(chunkTxt('a'.repeat(255))).toHaveLength(1);
    expect(chunkTxt('a'.repeat(256)).map((s) => s.length)).toEqual([255, 1]);
    expect(chunkTxt(`${'a'.repeat(254)}é`).map((s) => s.length)).toEqual([254, 1]);
  });
});
