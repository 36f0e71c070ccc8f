import { describe, expect, it } from 'vitest';
import { parseEntries } from '../../src/dns-types/tokenizer.js';
import { requireTool } from '../helpers/bind-tools.js';

const shape = (text: string): Array<[boolean, string[]]> =>
  parseEntries(text, 't.zone').map((entry) => [entry.blankOwner, entry.tokens.map((t) => (t.quoted ? `"${t.raw}"` : t.raw))]);

describe('parseEntries (RFC 1035 §5.1)', () => {
  it.each<[string, string, Array<[boolean, string[]]>]>([
    ['one line', 'a IN A 192.0.2.1\n', [[false, ['a', 'IN', 'A', '192.0.2.1']]]],
    ['blank owner', '\tIN A 192.0.2.1', [[true, ['IN', 'A', '192.0.2.1']]]],
    ['comments and blank lines dropped', '; c\n\n   ; indented comment\na A 1.2.3.4 ; trailing\n', [[false, ['a', 'A', '1.2.3.4']]]],
    ['parentheses join lines', 'a TXT ( "x" ; c\n\n "y" )\nb A 1.2.3.4', [[false, ['a', 'TXT', '"x"', '"y"']], [false, ['b', 'A', '1.2.3.4']]]],
    ['parentheses need no spaces', 'a TXT("x")"y"', [[false, ['a', 'TXT', '"x"', '"y"']]]],
    ['escapes kept raw', 'a\\ b TXT x\\;y "q\\"uote"', [[false, ['a\\ b', 'TXT', 'x\\;y', '"q\\"uote"']]]],
    ['";" and "(" inside quotes are text', 'a TXT "x;(y)"', [[false, ['a', 'TXT', '"x;(y)"']]]],
    ['CRLF', 'a A 1.2.3.4\r\nb A 1.2.3.5\r\n', [[false, ['a', 'A', '1.2.3.4']], [false, ['b', 'A', '1.2.3.5']]]],
    ['empty quoted string', 'a TXT ""', [[false, ['a', 'TXT', '""']]]],
  ])('%s', (_label, text, entries) => {
    expect(shape(text)).toEqual(entries);
  });

  it('gives 1-based lines and columns', () => {
    const [entry] = parseEntries('\n  a\t"b"\n', 'x');
    expect(entry!.tokens.map((t) => [t.line, t.column])).toEqual([
      [2, 3],
      [2, 5],
    ]);
  });
});

describe('requireTool', () => {
  it('names the missing tool and how to install it, so tests fail instead of skipping', () => {
    expect(() => requireTool('named-checkzone-not-a-real-tool')).toThrow(
      /named-checkzone-not-a-real-tool is not installed .* do not skip.*apt-get install/,
    );
  });

  it('finds the BIND tools of this machine', () => {
    expect(requireTool('named-checkzone')).toMatch(/\/named-checkzone$/);
    expect(requireTool('named-compilezone')).toMatch(/\/named-compilezone$/);
  });
});
