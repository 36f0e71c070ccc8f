import { describe, expect, it } from 'vitest';
import { RecordError } from '../../src/base/errors.js';
import { checkPresentationText, decodeEscapes, renderCharacterString } from '../../src/dns-types/escape.js';

describe('renderCharacterString (RFC 1035 §5.1)', () => {
  it.each([
    ['plain', 'v=spf1 -all', '"v=spf1 -all"'],
    ['empty', '', '""'],
    ['quote', 'say "hi"', '"say \\"hi\\""'],
    ['backslash', 'a\\b', '"a\\\\b"'],
    ['semicolon stays text inside quotes', 'p=none; rua=x', '"p=none; rua=x"'],
    ['parentheses stay text inside quotes', ') IN A 192.0.2.1', '") IN A 192.0.2.1"'],
    ['directive stays text inside quotes', '$INCLUDE /etc/passwd', '"$INCLUDE /etc/passwd"'],
    ['line feed', 'a\nb', '"a\\010b"'],
    ['carriage return', 'a\rb', '"a\\013b"'],
    ['tab', 'a\tb', '"a\\009b"'],
    ['NUL and DEL', '\u0000\u007f', '"\\000\\127"'],
    ['UTF-8 as octets', 'é€🙂', '"\\195\\169\\226\\130\\172\\240\\159\\153\\130"'],
    ['tilde, last printable', '~', '"~"'],
  ])('%s', (_label, text, rendered) => {
    expect(renderCharacterString(text)).toBe(rendered);
    const inner = rendered.slice(1, -1);
    expect(decodeEscapes(inner).toString('utf8')).toBe(text);
  });

  it('never emits a line break or a control character', () => {
    const every = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const rendered = renderCharacterString(every.slice(0, 128)) + renderCharacterString(every.slice(128, 200));
    expect(rendered).toMatch(/^[\x20-\x7e]+$/);
  });

  it.each([
    ['256 ASCII octets', 'x'.repeat(256)],
    ['86 three-octet characters', '€'.repeat(86)],
  ])('refuses %s', (_label, text) => {
    expect(() => renderCharacterString(text)).toThrow(RecordError);
    expect(() => renderCharacterString(text)).toThrow(/over the limit of 255/);
  });
});

describe('decodeEscapes', () => {
  it.each([
    ['a\\"b', [0x61, 0x22, 0x62]],
    ['\\\\', [0x5c]],
    ['\\059', [0x3b]],
    ['\\000\\255', [0, 255]],
    ['\\.', [0x2e]],
    ['é', [0xc3, 0xa9]],
    ['\\é', [0xc3, 0xa9]],
  ])('%s', (raw, octets) => {
    expect([...decodeEscapes(raw)]).toEqual(octets);
  });

  it.each([
    ['\\256', /over 255/],
    ['\\12', /three decimal digits/],
    ['\\1a2', /three decimal digits/],
    ['abc\\', /dangling backslash/],
  ])('refuses %s', (raw, message) => {
    expect(() => decodeEscapes(raw)).toThrow(message);
  });
});

describe('checkPresentationText', () => {
  it.each(['0 issue "letsencrypt.org"', '\\# 3 ABCDEF', '1 1 "a;b(c)" x', '"\\"quoted\\""'])('accepts %s', (text) => {
    expect(() => checkPresentationText(text)).not.toThrow();
  });
  it.each(['', 'a\nb', 'a\rb', 'a ; b', 'a ( b', 'a ) b', '"a', 'a\\', 'é'])('refuses %j', (text) => {
    expect(() => checkPresentationText(text)).toThrow(RecordError);
  });
});
