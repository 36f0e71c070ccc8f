import { describe, expect, it } from 'vitest';
import { parseTagList, parseTagListStrict, tagValue } from '../../src/mail/tag-list.js';

describe('parseTagList (lenient)', () => {
  it.each([
    ['v=DMARC1; p=none; rua=mailto:a@b', [['v', 'DMARC1'], ['p', 'none'], ['rua', 'mailto:a@b']]],
    [' v = DKIM1 ;; p= ; ', [['v', 'DKIM1'], ['p', '']]],
    ['v=STSv1; id', [['v', 'STSv1'], ['id', '']]],
    ['', []],
  ] as const)('%j', (text, want) => {
    expect(parseTagList(text).map((t) => [t.name, t.value])).toEqual(want);
  });

  it('tagValue compares names case-insensitively and takes the first', () => {
    expect(tagValue(parseTagList('P=reject; p=none'), 'p')).toBe('reject');
    expect(tagValue(parseTagList('p=none'), 'sp')).toBeUndefined();
  });
});

describe('parseTagListStrict (RFC 6376 §3.2)', () => {
  it.each([
    ['v=DKIM1; k=rsa; p=MIIB', true, undefined],
    ['v=DKIM1; p=a b;', true, undefined],
    ['', false, 'empty record'],
    ['v=DKIM1;; p=x', false, 'empty tag between ";"'],
    ['v=DKIM1; p', false, '"p" is not tag=value'],
    ['1v=DKIM1', false, '"1v" is not a valid tag name'],
    ['v=DKIM1; n=é', false, 'the value of n= has characters outside the tag-value syntax'],
    ['p=a; p=b', false, 'tag p= appears twice'],
  ] as const)('%j → ok %s', (text, ok, error) => {
    const parsed = parseTagListStrict(text);
    expect(parsed.ok).toBe(ok);
    if (!parsed.ok) expect(parsed.error).toBe(error);
  });

  it('compares and lowercases names only when asked (DMARC)', () => {
    expect(parseTagListStrict('p=a; P=b')).toEqual({ ok: true, tags: [{ name: 'p', value: 'a' }, { name: 'P', value: 'b' }] });
    expect(parseTagListStrict('p=a; P=b', { names: 'lowercase' })).toEqual({ ok: false, error: 'tag P= appears twice' });
    expect(parseTagListStrict('V=DMARC1', { names: 'lowercase' })).toEqual({ ok: true, tags: [{ name: 'v', value: 'DMARC1' }] });
  });
});
