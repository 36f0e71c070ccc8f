// renderCharacterString's shortcut for plain ASCII gives what the octet loop gives, for
// every printable character, alone and among others.

import { describe, expect, it } from 'vitest';
import { renderCharacterString, renderOctets } from '../../src/dns-types/escape.js';

describe('renderCharacterString', () => {
  it('renders every printable ASCII character as the octet loop does', () => {
    for (let c = 0x20; c <= 0x7e; c++) {
      const s = `v=x${String.fromCharCode(c)}y`;
      expect(renderCharacterString(s), JSON.stringify(s)).toBe(renderOctets(Buffer.from(s, 'utf8')));
    }
  });

  it('escapes quotes, backslashes, controls and non-ASCII, and takes 255 plain octets', () => {
    expect(renderCharacterString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(renderCharacterString('tab\there')).toBe('"tab\\009here"');
    expect(renderCharacterString('é')).toBe('"\\195\\169"');
    expect(renderCharacterString('x'.repeat(255))).toBe(`"${'x'.repeat(255)}"`);
    expect(() => renderCharacterString('x'.repeat(256))).toThrow(/over the limit of 255/);
  });
});
