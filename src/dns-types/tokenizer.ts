// Master-file tokens and entries (RFC 1035 §5.1): quoting, escapes, comments, parentheses.
//
// An entry is one logical line: the tokens of a physical line, extended across line
// breaks while parentheses are open. Tokens keep their escapes ("raw"), because only
// the field they land in knows what an escaped dot means.

import { ZoneSyntaxError, type SourcePosition } from '../base/errors.js';

export interface Token {
  /** As written, escapes kept, without the surrounding quotes of a quoted string. */
  raw: string;
  /** True for a quoted character-string. */
  quoted: boolean;
  line: number;
  column: number;
}

export interface Entry {
  tokens: Token[];
  /** True when the entry's line starts with a blank: the owner is omitted (RFC 1035 §5.1). */
  blankOwner: boolean;
  line: number;
  column: number;
}

// Characters that end an unquoted token.
const DELIMITERS = new Set([' ', '\t', '\r', '\n', ';', '(', ')', '"']);

/** Split master-file text into entries; comments and blank lines are dropped. */
export function parseEntries(text: string, file: string): Entry[] {
  const entries: Entry[] = [];
  const openParens: SourcePosition[] = [];
  let line = 1;
  let lineStart = 0;
  let lineBlank = text[0] === ' ' || text[0] === '\t';
  let current: Entry | undefined;
  const at = (index: number): SourcePosition => ({ file, line, column: index - lineStart + 1 });
  const fail = (message: string, position: SourcePosition, hint?: string): never => {
    throw new ZoneSyntaxError(message, position, hint);
  };
  const push = (token: Token): void => {
    current ??= { tokens: [], blankOwner: lineBlank, line: token.line, column: token.column };
    current.tokens.push(token);
  };

  // Length of the escape at `index` (a backslash), checked per RFC 1035 §5.1.
  const escapeLength = (index: number): number => {
    const next = text[index + 1];
    if (next === undefined) fail('backslash at the end of the file', at(index));
    if (next === '\n' || next === '\r') fail('a backslash cannot escape a line break', at(index));
    if (next! >= '0' && next! <= '9') {
      const digits = text.slice(index + 1, index + 4);
      if (!/^\d{3}$/.test(digits)) fail(`bad escape "\\${digits}": "\\DDD" needs three decimal digits`, at(index));
      if (Number(digits) > 255) fail(`bad escape "\\${digits}": over 255`, at(index));
      return 4;
    }
    return 1 + String.fromCodePoint(text.codePointAt(index + 1)!).length;
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      i += 1;
      line += 1;
      lineStart = i;
      lineBlank = text[i] === ' ' || text[i] === '\t';
      if (openParens.length === 0 && current) {
        entries.push(current);
        current = undefined;
      }
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i += 1;
      continue;
    }
    if (ch === ';') {
      while (i < text.length && text[i] !== '\n') i += 1;
      continue;
    }
    if (ch === '(') {
      openParens.push(at(i));
      i += 1;
      continue;
    }
    if (ch === ')') {
      if (openParens.length === 0) fail('unbalanced parentheses: ")" without "("', at(i));
      openParens.pop();
      i += 1;
      continue;
    }
    if (ch === '"') {
      const start = at(i);
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\n') fail('unbalanced quotes: the string is not closed on its line', start);
        j += text[j] === '\\' ? escapeLength(j) : 1;
      }
      if (j >= text.length) fail('unbalanced quotes: the string is not closed', start);
      push({ raw: text.slice(i + 1, j), quoted: true, line: start.line, column: start.column });
      i = j + 1;
      continue;
    }
    const start = at(i);
    let j = i;
    while (j < text.length && !DELIMITERS.has(text[j]!)) {
      j += text[j] === '\\' ? escapeLength(j) : 1;
    }
    push({ raw: text.slice(i, j), quoted: false, line: start.line, column: start.column });
    i = j;
  }
  const unclosed = openParens[0];
  if (unclosed) fail('unbalanced parentheses: "(" is never closed', unclosed);
  if (current) entries.push(current);
  return entries;
}
