// Domain names in presentation form (RFC 1035 §3.1, §5.1): parse, render, order.
//
// The RR model holds names lowercase, absolute, without the trailing dot, root as "".
// A label octet that is not plain printable ASCII is held escaped the way BIND prints it
// ("\." "\;" "\032"), so that every name string is also valid master-file text.

import { RecordError } from '../base/errors.js';
import { quoteDouble } from '../base/quote.js';

const MAX_LABEL_OCTETS = 63; // RFC 1035 §2.3.4
const MAX_NAME_OCTETS = 255; // RFC 1035 §2.3.4, wire form including the root label

// Octets that must be escaped in a name: " ( ) . ; \ @ $ (RFC 1035 §5.1 and BIND's printer).
const NAME_SPECIALS = new Set([0x22, 0x28, 0x29, 0x2e, 0x3b, 0x5c, 0x40, 0x24]);

/** Octets in a name mailrec writes: letters, digits, "-" and "_" (plus a leftmost "*" label). */
const SAFE_LABEL = /^[a-z0-9_-]+$/;

interface SplitName {
  labels: Buffer[];
  absolute: boolean;
}

/** Split presentation text into labels of octets; absolute when it ends with an unescaped dot. */
function splitName(raw: string): SplitName {
  if (raw === '.') return { labels: [], absolute: true };
  if (raw === '') throw new RecordError('empty name');
  const labels: Buffer[] = [];
  let current: number[] = [];
  const endLabel = (): void => {
    if (current.length === 0) throw new RecordError(`name ${quoteDouble(raw)} has an empty label`);
    if (current.length > MAX_LABEL_OCTETS) {
      throw new RecordError(
        `name ${quoteDouble(raw)} has a label of ${current.length} octets; the limit is ${MAX_LABEL_OCTETS} (RFC 1035 §2.3.4)`,
      );
    }
    labels.push(Buffer.from(current));
    current = [];
  };
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '.') {
      endLabel();
      continue;
    }
    if (ch === '\\') {
      const next = raw[i + 1];
      if (next === undefined) throw new RecordError(`name ${quoteDouble(raw)} ends with a backslash`);
      if (next >= '0' && next <= '9') {
        const digits = raw.slice(i + 1, i + 4);
        if (!/^\d{3}$/.test(digits) || Number(digits) > 255) {
          throw new RecordError(`name ${quoteDouble(raw)} has a bad escape "\\${digits}"`);
        }
        current.push(Number(digits));
        i += 3;
        continue;
      }
      i += 1;
    }
    const code = raw.codePointAt(i)!;
    const char = String.fromCodePoint(code);
    current.push(...Buffer.from(char, 'utf8'));
    i += char.length - 1;
  }
  const absolute = raw.endsWith('.') && !isEscapedAt(raw, raw.length - 1);
  if (!absolute) endLabel();
  return { labels, absolute };
}

/** True when the character at `index` is escaped by an odd run of backslashes before it. */
function isEscapedAt(raw: string, index: number): boolean {
  let count = 0;
  for (let i = index - 1; i >= 0 && raw[i] === '\\'; i--) count++;
  // A "\DDD" escape cannot end in ".", so a backslash run is the only way to escape it.
  return count % 2 === 1;
}

/** One label in canonical text: ASCII letters lowercased, specials and non-printables escaped. */
function renderLabel(octets: Uint8Array): string {
  let out = '';
  for (let octet of octets) {
    if (octet >= 0x41 && octet <= 0x5a) octet += 0x20; // RFC 4343: case-insensitive
    if (NAME_SPECIALS.has(octet)) out += `\\${String.fromCharCode(octet)}`;
    else if (octet > 0x20 && octet < 0x7f) out += String.fromCharCode(octet);
    else out += `\\${octet.toString().padStart(3, '0')}`;
  }
  return out;
}

function wireLength(labels: readonly Uint8Array[]): number {
  return labels.reduce((sum, label) => sum + 1 + label.length, 1);
}

/** The labels of a model name, as octets, leftmost first ([] for the root). */
export function labelsOf(name: string): Buffer[] {
  return name === '' ? [] : splitName(`${name}.`).labels;
}

/**
 * Parse a name as written in a master file into the model's form. "@" is the origin;
 * a relative name is made absolute with `origin` (RFC 1035 §5.1), which must be given.
 */
export function parseName(raw: string, origin?: string): string {
  if (raw === '@') {
    if (origin === undefined) throw new RecordError('"@" used with no origin set');
    return origin;
  }
  // Fast path: letters, digits, "-", "_", "*" only (nothing to escape), with a plain origin.
  if (SIMPLE_TEXT.test(raw)) {
    const absolute = raw.endsWith('.');
    const own = (absolute ? raw.slice(0, -1) : raw).toLowerCase();
    if (absolute || (origin !== undefined && (origin === '' || SIMPLE_TEXT.test(origin)) && !origin.endsWith('.'))) {
      const name = absolute || origin === '' ? own : `${own}.${origin!.toLowerCase()}`;
      // Wire length: one length octet per label plus the root octet (RFC 1035 §2.3.4).
      if (name.length + 2 <= MAX_NAME_OCTETS) return name;
    }
  }
  const { labels, absolute } = splitName(raw);
  let all = labels;
  if (!absolute) {
    if (origin === undefined) {
      throw new RecordError(
        `relative name ${quoteDouble(raw)} needs an origin`,
        undefined,
        'write it absolute with a trailing dot, set $ORIGIN, or pass the zone origin',
      );
    }
    all = [...labels, ...labelsOf(origin)];
  }
  if (wireLength(all) > MAX_NAME_OCTETS) {
    throw new RecordError(
      `name ${quoteDouble(raw)} is ${wireLength(all)} octets long; the limit is ${MAX_NAME_OCTETS} (RFC 1035 §2.3.4)`,
    );
  }
  return all.map(renderLabel).join('.');
}

export type NameMode =
  /** Only what mailrec itself writes: letters, digits, "-", "_", a leftmost "*" label. */
  | 'strict'
  /** Any name in the model's canonical escaped form (as the reader produces it), any case. */
  | 'presentation';

/**
 * Render a model name absolute, with its trailing dot ("." for the root). Refuses a name
 * that could inject text into a master file (a space, ";", "(", '"', "$", a line break)
 * or that breaks RFC 1035 §2.3.4 limits, with a RecordError naming the culprit.
 */
export function renderName(name: string, mode: NameMode): string {
  if (name === '') return '.';
  if (mode === 'presentation') {
    let canonical: string;
    try {
      canonical = parseName(`${name}.`);
    } catch (error) {
      throw new RecordError(`name ${quoteDouble(name)} cannot be written to a master file: ${(error as Error).message}`);
    }
    if (canonical !== name.toLowerCase()) {
      throw new RecordError(
        `name ${quoteDouble(name)} cannot be written to a master file as it is`,
        undefined,
        `write it escaped: ${quoteDouble(canonical)}`,
      );
    }
    return `${canonical}.`;
  }
  checkStrictName(name);
  return `${name.toLowerCase()}.`;
}

/** What checkStrictName passes without a look at each label: ASCII labels of 1-63 octets, "*" only leftmost. */
const STRICT_NAME = /^(?:\*|[A-Za-z0-9_-]{1,63})(?:\.[A-Za-z0-9_-]{1,63})*$/;

function checkStrictName(name: string): void {
  // The usual name, in one test (a plan checks every name it writes twice); the label walk below names what is wrong.
  if (name.length + 2 <= MAX_NAME_OCTETS && STRICT_NAME.test(name)) return;
  const labels = name.toLowerCase().split('.');
  labels.forEach((label, index) => {
    if (label === '') {
      throw new RecordError(
        `name ${quoteDouble(name)} has an empty label`,
        undefined,
        'names are absolute and written without the trailing dot',
      );
    }
    if (label === '*' && index === 0) return;
    if (!SAFE_LABEL.test(label)) {
      const bad = [...label].find((ch) => !/[a-z0-9_-]/.test(ch)) ?? label;
      throw new RecordError(
        `name ${quoteDouble(name)}: ${quoteDouble(bad)} is not allowed in a name mailrec writes`,
        undefined,
        'use letters, digits, "-" and "_", with "*" only as the whole leftmost label',
      );
    }
    if (Buffer.byteLength(label) > MAX_LABEL_OCTETS) {
      throw new RecordError(
        `name ${quoteDouble(name)} has a label of ${label.length} octets; the limit is ${MAX_LABEL_OCTETS} (RFC 1035 §2.3.4)`,
      );
    }
  });
  const octets = labels.reduce((sum, label) => sum + 1 + label.length, 1);
  if (octets > MAX_NAME_OCTETS) {
    throw new RecordError(
      `name ${quoteDouble(name)} is ${octets} octets long; the limit is ${MAX_NAME_OCTETS} (RFC 1035 §2.3.4)`,
    );
  }
}

/**
 * Canonical DNS name order (RFC 4034 §6.1): labels compared right to left as
 * lowercased octet strings; a name sorts before the names beneath it.
 */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  // Fast path: without an escape every label is plain ASCII text, and comparing the
  // strings code unit by code unit is comparing their octets (the usual case, and the
  // one a sort of thousands of names spends its time in).
  if (PLAIN_NAME.test(a) && PLAIN_NAME.test(b)) return compareAsciiNames(a.toLowerCase(), b.toLowerCase());
  const left = labelsOf(a.toLowerCase());
  const right = labelsOf(b.toLowerCase());
  for (let i = 1; i <= Math.min(left.length, right.length); i++) {
    const order = Buffer.compare(left[left.length - i]!, right[right.length - i]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** Master-file name text that needs no escaping: plain labels, an optional trailing dot. */
const SIMPLE_TEXT = /^[A-Za-z0-9_*-]{1,63}(?:\.[A-Za-z0-9_*-]{1,63})*\.?$/;

/** The root, or labels of 1 to 63 printable ASCII characters other than "." and "\\". */
const PLAIN_NAME = /^(?:[!-\-/-[\]-~]{1,63}(?:\.[!-\-/-[\]-~]{1,63})*)?$/;

/** compareNames for plain names (PLAIN_NAME): labels right to left, no Buffers. */
function compareAsciiNames(a: string, b: string): number {
  if (a === b) return 0;
  let i = a.length;
  let j = b.length;
  // Walk both names label by label from the right end.
  for (;;) {
    if (a === '' || i < 0) return b === '' || j < 0 ? 0 : -1;
    if (b === '' || j < 0) return 1;
    const ai = a.lastIndexOf('.', i - 1);
    const bj = b.lastIndexOf('.', j - 1);
    const la = a.slice(ai + 1, i);
    const lb = b.slice(bj + 1, j);
    if (la !== lb) {
      // Octet order: a label that is a prefix of the other sorts first.
      return la < lb ? -1 : 1;
    }
    if (ai < 0 && bj < 0) return 0;
    if (ai < 0) return -1;
    if (bj < 0) return 1;
    i = ai;
    j = bj;
  }
}
