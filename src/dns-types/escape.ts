// Master-file escaping (RFC 1035 §5.1): character-strings, "\X" and "\DDD".
//
// Rendering is the injection boundary of every fragment mailrec writes: a rendered
// character-string is always one quoted token on one line, whatever the text holds.

import { RecordError } from '../base/errors.js';
import { TXT_STRING_MAX_OCTETS } from './rr.js';
import { quoteDouble } from '../base/quote.js';

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Decode the escapes of a token as written (without its surrounding quotes) into octets.
 * RFC 1035 §5.1: "\X" is X itself, "\DDD" the octet with decimal value DDD; any other
 * character stands for its UTF-8 octets.
 */
export function decodeEscapes(raw: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\') {
      const code = raw.codePointAt(i)!;
      if (code < 0x80) out.push(code);
      else {
        const char = String.fromCodePoint(code);
        out.push(...Buffer.from(char, 'utf8'));
        i += char.length - 1;
      }
      continue;
    }
    const next = raw[i + 1];
    if (next === undefined) throw new RecordError(`dangling backslash at the end of ${quoteDouble(raw)}`);
    if (next >= '0' && next <= '9') {
      const digits = raw.slice(i + 1, i + 4);
      if (!/^\d{3}$/.test(digits)) {
        throw new RecordError(`bad escape "\\${digits}": "\\DDD" needs three decimal digits`);
      }
      const value = Number(digits);
      if (value > 255) throw new RecordError(`bad escape "\\${digits}": over 255`);
      out.push(value);
      i += 3;
      continue;
    }
    const char = String.fromCodePoint(raw.codePointAt(i + 1)!);
    out.push(...Buffer.from(char, 'utf8'));
    i += char.length;
  }
  return Buffer.from(out);
}

/**
 * Quote octets as one character-string (RFC 1035 §5.1): `"` and `\` escaped with a
 * backslash, every octet outside printable ASCII 0x20-0x7E as "\DDD", so a line break,
 * a `;` or a `$INCLUDE` inside the text stays text.
 */
export function renderOctets(octets: Uint8Array): string {
  let out = '"';
  for (const octet of octets) {
    if (octet === QUOTE || octet === BACKSLASH) out += `\\${String.fromCharCode(octet)}`;
    else if (octet >= 0x20 && octet <= 0x7e) out += String.fromCharCode(octet);
    else out += `\\${octet.toString().padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** Printable ASCII but `"` and `\`: a character-string that renders as itself in quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Render one TXT character-string, UTF-8 encoded. Over 255 octets is an error here
 * (RFC 1035 §3.3.14): splitting belongs to the record builders (`chunkTxt`).
 */
export function renderCharacterString(text: string): string {
  // Most strings are printable ASCII without a quote or backslash: one octet a character,
  // nothing to escape, so the text is its own rendering (the loop below gives the same).
  if (text.length <= TXT_STRING_MAX_OCTETS && PLAIN.test(text)) return `"${text}"`;
  if (LONE_SURROGATE.test(text)) {
    throw new RecordError(`character-string ${quoteDouble(text)} holds a lone UTF-16 surrogate`);
  }
  const octets = Buffer.from(text, 'utf8');
  if (octets.length > TXT_STRING_MAX_OCTETS) {
    throw new RecordError(
      `character-string of ${octets.length} octets is over the limit of ${TXT_STRING_MAX_OCTETS} (RFC 1035 §3.3)`,
      undefined,
      'split the text with chunkTxt() before rendering',
    );
  }
  return renderOctets(octets);
}

/**
 * Check that presentation text kept verbatim (the rdata of a type mailrec does not model)
 * stays one record on one line: printable ASCII only, quotes balanced, and no comment,
 * parenthesis or directive outside quotes.
 */
export function checkPresentationText(text: string): void {
  const refuse = (why: string): never => {
    throw new RecordError(`rdata ${quoteDouble(text)} cannot be written to a master file: ${why}`);
  };
  if (text.trim() === '') refuse('it is empty');
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) refuse(`character ${quoteDouble(ch)} is not printable ASCII`);
    if (ch === '\\') {
      if (i + 1 >= text.length) refuse('it ends with a backslash');
      i += 1;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ';' || ch === '(' || ch === ')')) refuse(`unquoted ${quoteDouble(ch)}`);
  }
  if (quoted) refuse('unbalanced quotes');
}
