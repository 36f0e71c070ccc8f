// SPF record syntax (RFC 7208 §4.5, §4.6, §5, §6, §7, §12): one parser for the audit's
// lint, check_host(), the lookup walk, the builder's static count and import, so every
// layer reads a record the same way.

import { parseIp, parsePrefixLength, type IpAddress } from '../../dns-types/ip.js';

export type Qualifier = '+' | '-' | '~' | '?';
export type MechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

/** One piece of a macro-string (RFC 7208 §7.1). */
export type MacroToken =
  | { kind: 'literal'; text: string }
  /** %{letter digits r delimiters}; upper: the letter was uppercase (URL-escape, §7.3). */
  | { kind: 'expand'; letter: string; upper: boolean; digits?: number; reverse: boolean; delimiters: string }
  /** %% → "%", %_ → " ", %- → "%20". */
  | { kind: 'escape'; text: string };

export type MacroString = MacroToken[];

export interface Mechanism {
  kind: 'mechanism';
  text: string;
  qualifier: Qualifier;
  name: MechanismName;
  /** The domain-spec, when written (a, mx, ptr optional; include, exists required). */
  target?: MacroString;
  /** ip4/ip6 network. */
  network?: IpAddress;
  cidr4?: number;
  cidr6?: number;
}

export interface Modifier {
  kind: 'modifier';
  text: string;
  name: string; // lowercase
  value: MacroString;
}

export type Term = Mechanism | Modifier;

export interface SpfRecord {
  text: string;
  terms: Term[];
  mechanisms: Mechanism[];
  redirect?: Modifier;
  exp?: Modifier;
}

export type SpfParse = { ok: true; record: SpfRecord } | { ok: false; error: string; term?: string };

/** Mechanisms and modifiers that cost one DNS-querying term (RFC 7208 §4.6.4). */
export const LOOKUP_TERMS: ReadonlySet<string> = new Set(['a', 'mx', 'ptr', 'exists', 'include', 'redirect']);

/** A TXT text is an SPF record when it starts "v=spf1" then a space or the end (§4.5). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1(?: |$)/i.test(text);
}

const MECHANISMS: ReadonlySet<string> = new Set(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
// §7.2: c, r and t are allowed only in explanation text.
const MACRO_LETTERS = 'slodiphv';
const EXP_ONLY_LETTERS = 'crt';
const DELIMITERS = '.-+,/_=';
// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
const TOPLABEL = /^(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i;
const MODIFIER = /^([a-z][a-z0-9._-]*)=(.*)$/is;

/**
 * Parses a macro-string (§7.1). `exp`: explanation text, where c/r/t and spaces are
 * allowed. Returns an error message for the first problem.
 */
export function parseMacroString(text: string, exp = false): MacroString | string {
  const tokens: MacroToken[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (ch !== '%') {
      // macro-literal = %x21-24 / %x26-7E; explain-string adds SP.
      if ((code >= 0x21 && code <= 0x7e) || (exp && code === 0x20)) {
        literal += ch;
        continue;
      }
      return `character 0x${code.toString(16).padStart(2, '0')} is not allowed`;
    }
    const next = text[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      flush();
      tokens.push({ kind: 'escape', text: next === '%' ? '%' : next === '_' ? ' ' : '%20' });
      i++;
      continue;
    }
    if (next !== '{') return `"%" must be followed by "{", "%", "_" or "-" (§7.1)`;
    const close = text.indexOf('}', i + 2);
    if (close < 0) return 'unterminated macro "%{"';
    const body = text.slice(i + 2, close);
    const m = /^([a-z])(\d*)(r?)([.\-+,/_=]*)$/i.exec(body);
    if (!m) return `malformed macro "%{${body}}"`;
    const letter = m[1]!.toLowerCase();
    if (!MACRO_LETTERS.includes(letter) && !(exp && EXP_ONLY_LETTERS.includes(letter))) {
      return EXP_ONLY_LETTERS.includes(letter)
        ? `macro letter "${m[1]}" is allowed only in explanation text (§7.2)`
        : `unknown macro letter "${m[1]}"`;
    }
    const digits = m[2] ? Number(m[2]) : undefined;
    // §7.3: "If a DIGIT is specified, the value MUST be nonzero."
    if (digits === 0) return `macro "%{${body}}" keeps zero parts`;
    flush();
    tokens.push({
      kind: 'expand',
      letter,
      upper: m[1] !== letter,
      ...(digits !== undefined ? { digits } : {}),
      reverse: m[3] !== '',
      delimiters: m[4] ?? '',
    });
    i = close;
  }
  flush();
  return tokens;
}

/** domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand */
export function parseDomainSpec(text: string): MacroString | string {
  if (text === '') return 'empty domain-spec';
  const tokens = parseMacroString(text);
  if (typeof tokens === 'string') return tokens;
  const last = tokens[tokens.length - 1];
  if (last && last.kind !== 'literal') return tokens;
  const tail = last ? last.text : '';
  const m = /\.([^.]*)\.?$/.exec(tail);
  if (!m || !TOPLABEL.test(m[1]!)) {
    return `"${text}" does not end in a valid top label or a macro (§7.1)`;
  }
  return tokens;
}

/** True when the macro-string has expansions that depend on the message (%{…}). */
export function hasMacros(spec: MacroString): boolean {
  return spec.some((t) => t.kind === 'expand');
}

/** The literal text of a macro-string without expansions (escapes rendered). */
export function literalText(spec: MacroString): string {
  return spec.map((t) => (t.kind === 'expand' ? '' : t.text)).join('');
}

/**
 * Parsed records by text. A bulk audit meets the same provider records (the includes every
 * customer shares) thousands of times; a parse is data nobody changes, so it is kept and
 * handed out again. Bounded: emptied when full.
 */
const PARSED = new Map<string, SpfParse>();
const PARSED_MAX = 4096;

/** Parse a record text that starts with v=spf1 (callers select records with isSpfRecord). The result is shared: read it, do not change it. */
export function parseSpfRecord(text: string): SpfParse {
  const known = PARSED.get(text);
  if (known) return known;
  const parsed = parseSpfText(text);
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  PARSED.set(text, parsed);
  return parsed;
}

function parseSpfText(text: string): SpfParse {
  if (!isSpfRecord(text)) return { ok: false, error: 'record does not start with "v=spf1"' };
  // §4.6.1: terms are separated by one or more SP; nothing else separates them.
  const parts = text.slice(6).split(' ').filter((p) => p !== '');
  const terms: Term[] = [];
  let redirect: Modifier | undefined;
  let exp: Modifier | undefined;
  for (const part of parts) {
    const term = parseTerm(part);
    if (typeof term === 'string') return { ok: false, error: term, term: part };
    if (term.kind === 'modifier') {
      if (term.name === 'redirect' || term.name === 'exp') {
        // §6: "These two modifiers MUST NOT appear in a record more than once each."
        if ((term.name === 'redirect' ? redirect : exp) !== undefined) {
          return { ok: false, error: `${term.name}= appears more than once (§6)`, term: part };
        }
        if (term.name === 'redirect') redirect = term;
        else exp = term;
      }
    }
    terms.push(term);
  }
  const mechanisms = terms.filter((t): t is Mechanism => t.kind === 'mechanism');
  return {
    ok: true,
    record: { text, terms, mechanisms, ...(redirect ? { redirect } : {}), ...(exp ? { exp } : {}) },
  };
}

/**
 * The static lookup count of a record's own terms (§4.6.4): the DNS-querying terms up to
 * and including the first "all" (§4.6.2: "all" always matches, so evaluation stops
 * there), plus redirect= when there is no "all" (§6.1). An include counts 1, since
 * what it includes is unknown without DNS; resolveSpfTree gives the exact count.
 */
export function countSpfTermLookups(record: SpfRecord): number {
  const end = record.mechanisms.findIndex((m) => m.name === 'all');
  const reachable = end < 0 ? record.mechanisms : record.mechanisms.slice(0, end + 1);
  const own = reachable.filter((m) => LOOKUP_TERMS.has(m.name)).length;
  return own + (end < 0 && record.redirect ? 1 : 0);
}

function parseTerm(part: string): Term | string {
  const mod = MODIFIER.exec(part);
  if (mod) {
    const name = mod[1]!.toLowerCase();
    const raw = mod[2]!;
    if (name === 'redirect' || name === 'exp') {
      // Known modifiers take a domain-spec; a bad one is an error, not an unknown
      // modifier (the erratum the test suite follows for §6.1/§6.2).
      const value = parseDomainSpec(raw);
      if (typeof value === 'string') return `${name}=: ${value}`;
      return { kind: 'modifier', text: part, name, value };
    }
    // unknown-modifier = name "=" macro-string: ignored, but its syntax is checked (§6).
    const value = parseMacroString(raw);
    if (typeof value === 'string') return `modifier ${name}=: ${value}`;
    return { kind: 'modifier', text: part, name, value };
  }

  let qualifier: Qualifier = '+';
  let rest = part;
  if ('+-~?'.includes(rest[0] ?? '')) {
    qualifier = rest[0] as Qualifier;
    rest = rest.slice(1);
  }
  const nameMatch = /^[a-z0-9]*/i.exec(rest)!;
  const name = nameMatch[0].toLowerCase();
  const arg = rest.slice(nameMatch[0].length);
  if (!MECHANISMS.has(name)) return `unknown mechanism "${rest}"`;
  const base = { kind: 'mechanism' as const, text: part, qualifier, name: name as MechanismName };

  switch (name) {
    case 'all':
      return arg === '' ? base : `"all" takes no argument`;
    case 'include':
    case 'exists': {
      if (!arg.startsWith(':')) return `"${name}" needs ":domain"`;
      const target = parseDomainSpec(arg.slice(1));
      if (typeof target === 'string') return `${name}: ${target}`;
      return { ...base, target };
    }
    case 'ptr': {
      if (arg === '') return base;
      if (!arg.startsWith(':')) return `"ptr" takes ":domain" only (no CIDR)`;
      const target = parseDomainSpec(arg.slice(1));
      if (typeof target === 'string') return `ptr: ${target}`;
      return { ...base, target };
    }
    case 'a':
    case 'mx': {
      let spec = '';
      let cidr = arg;
      if (arg.startsWith(':')) {
        // The dual-cidr-length is the longest suffix that parses as one.
        const m = /^(.*?)((?:\/\d+)?(?:\/\/\d+)?)$/s.exec(arg.slice(1))!;
        spec = m[1]!;
        cidr = m[2]!;
        if (spec === '') return `${name}: empty domain-spec`;
      }
      const lengths = parseDualCidr(cidr);
      if (typeof lengths === 'string') return `${name}: ${lengths}`;
      if (spec === '') return { ...base, ...lengths };
      const target = parseDomainSpec(spec);
      if (typeof target === 'string') return `${name}: ${target}`;
      return { ...base, target, ...lengths };
    }
    case 'ip4':
    case 'ip6': {
      if (!arg.startsWith(':')) return `"${name}" needs ":address"`;
      const m = /^([^/]*)(?:\/(\d+))?$/.exec(arg.slice(1));
      if (!m) return `${name}: malformed network "${arg.slice(1)}"`;
      const network = parseIp(m[1]!, false);
      const family = name === 'ip4' ? 4 : 6;
      // §5.6: ip4-network is a dotted quad, ip6-network an RFC 4291 address.
      if (!network || network.family !== family) return `${name}: "${m[1]}" is not an IPv${family} address`;
      const max = family === 4 ? 32 : 128;
      if (m[2] !== undefined) {
        const len = parsePrefixLength(m[2], max);
        if (typeof len === 'string') return `${name}: ${len}`;
        return { ...base, network, ...(family === 4 ? { cidr4: len } : { cidr6: len }) };
      }
      return { ...base, network };
    }
  }
  return `unknown mechanism "${rest}"`;
}

function parseDualCidr(text: string): { cidr4?: number; cidr6?: number } | string {
  if (text === '') return {};
  const m = /^(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(text);
  if (!m) return `malformed CIDR length "${text}"`;
  const out: { cidr4?: number; cidr6?: number } = {};
  if (m[1] !== undefined) {
    const v = parsePrefixLength(m[1], 32);
    if (typeof v === 'string') return v;
    out.cidr4 = v;
  }
  if (m[2] !== undefined) {
    const v = parsePrefixLength(m[2], 128);
    if (typeof v === 'string') return v;
    out.cidr6 = v;
  }
  return out;
}
