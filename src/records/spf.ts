// SPF (RFC 7208): policy senders -> one canonical "v=spf1" TXT record, and its DNS lookup count.
//
// Canonical term order (fixed, so the same policy always gives the same text):
//   a (self), mx, a:<host> (sorted), ip4:<cidr> (numeric), ip6:<cidr> (numeric),
//   include:<domain> (sorted; providers expand to their catalogue include, deduplicated),
//   then the all qualifier: -all (fail), ~all (softfail), ?all (neutral).
// `mail: none` gives "v=spf1 -all". Duplicate terms are dropped.

import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { Answer, Resolver } from '../dns/resolver.js';
import type { SourcePosition } from '../errors.js';
import type { DomainPolicy, SpfAll } from '../policy/model.js';
import { type BuildResult, type Notice, hasErrors, makeNotice } from './notice.js';
import { findProvider } from './providers.js';
import { type RR, normalizeName, txtRecord, txtText } from './rr.js';

/** RFC 7208 §4.6.4: at most 10 DNS-querying terms per check_host() evaluation. */
export const SPF_MAX_LOOKUPS = 10;
/** RFC 7208 §4.6.4: at most 2 lookups returning NXDOMAIN or no answer. */
export const SPF_MAX_VOID_LOOKUPS = 2;
/** RFC 7208 §3.4: keep the record small enough for a 512-octet UDP answer. */
export const SPF_LONG_RECORD_OCTETS = 450;

const ALL_QUALIFIER: Record<SpfAll, string> = { fail: '-all', softfail: '~all', neutral: '?all' };

export type SpfQualifier = '+' | '-' | '~' | '?';

/**
 * One term of a record. Mechanisms keep their qualifier ("+" when absent); for
 * modifiers (redirect=, exp=, unknown ones) the qualifier is always "+". `value`
 * is the text after ":" or "=", or the "/cidr" suffix of a bare a/mx; "" if none.
 */
export interface SpfTerm {
  kind: 'mechanism' | 'modifier';
  qualifier: SpfQualifier;
  mechanism: string;
  value: string;
}

export type SpfParse = { ok: true; terms: SpfTerm[] } | { ok: false; reason: string };

const MECHANISMS = new Set(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
/** RFC 7208 §4.6.4: the terms that cause DNS queries. */
const LOOKUP_MECHANISMS = new Set(['include', 'a', 'mx', 'ptr', 'exists']);

/** True when a TXT text is an SPF record: "v=spf1" then a space or the end (RFC 7208 §4.5). */
export function isSpfText(text: string): boolean {
  return /^v=spf1( |$)/i.test(text);
}

/** Parse a record's text into terms (RFC 7208 §4.6.1, §12). Syntax errors are permerrors. */
export function parseSpf(text: string): SpfParse {
  const tokens = text.trim().split(/ +/);
  if (tokens[0]?.toLowerCase() !== 'v=spf1') return { ok: false, reason: 'does not start with "v=spf1"' };
  const terms: SpfTerm[] = [];
  const seenModifiers = new Set<string>();
  for (const token of tokens.slice(1)) {
    if (token === '') continue;
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(token);
    if (modifier) {
      const name = modifier[1]!.toLowerCase();
      // §6: redirect and exp each appear at most once.
      if ((name === 'redirect' || name === 'exp') && seenModifiers.has(name)) {
        return { ok: false, reason: `"${name}=" appears more than once` };
      }
      seenModifiers.add(name);
      terms.push({ kind: 'modifier', qualifier: '+', mechanism: name, value: modifier[2]! });
      continue;
    }
    const mech = /^([+\-~?]?)([a-z][a-z0-9]*)(.*)$/i.exec(token);
    const name = mech?.[2]?.toLowerCase() ?? '';
    if (!mech || !MECHANISMS.has(name)) return { ok: false, reason: `unknown term "${token}"` };
    const qualifier = (mech[1] || '+') as SpfQualifier;
    const rest = mech[3]!;
    let value = '';
    if (rest.startsWith(':')) value = rest.slice(1);
    else if (rest.startsWith('/') && (name === 'a' || name === 'mx')) value = rest;
    else if (rest !== '') return { ok: false, reason: `malformed term "${token}"` };
    const needsValue = name === 'include' || name === 'exists' || name === 'ip4' || name === 'ip6';
    if (needsValue && (value === '' || value.startsWith('/'))) {
      return { ok: false, reason: `"${name}" needs a value in "${token}"` };
    }
    if (name === 'all' && value !== '') return { ok: false, reason: `"all" takes no value in "${token}"` };
    terms.push({ kind: 'mechanism', qualifier, mechanism: name, value });
  }
  return { ok: true, terms };
}

/** One term back to text; the "+" qualifier is left implicit. */
export function renderSpfTerm(term: SpfTerm): string {
  if (term.kind === 'modifier') return `${term.mechanism}=${term.value}`;
  const q = term.qualifier === '+' ? '' : term.qualifier;
  if (term.value === '') return `${q}${term.mechanism}`;
  return term.value.startsWith('/') ? `${q}${term.mechanism}${term.value}` : `${q}${term.mechanism}:${term.value}`;
}

/**
 * The terms an evaluation can reach, in evaluation order: mechanisms up to and
 * including the first "all" (§4.6.2: evaluation stops at the first match, and
 * "all" always matches), then redirect= when there is no "all" (§6.1).
 */
function reachableTerms(terms: readonly SpfTerm[]): SpfTerm[] {
  const out: SpfTerm[] = [];
  let sawAll = false;
  for (const t of terms) {
    if (t.kind !== 'mechanism') continue;
    out.push(t);
    if (t.mechanism === 'all') {
      sawAll = true;
      break;
    }
  }
  const redirect = terms.find((t) => t.kind === 'modifier' && t.mechanism === 'redirect');
  if (!sawAll && redirect) out.push(redirect);
  return out;
}

function isLookupTerm(t: SpfTerm): boolean {
  return t.kind === 'mechanism' ? LOOKUP_MECHANISMS.has(t.mechanism) : t.mechanism === 'redirect';
}

/**
 * The static lookup count of a record's own terms (§4.6.4): each include counts
 * 1, since what it includes is unknown without DNS. See countSpfLookups for the exact count.
 */
export function countSpfTermLookups(terms: readonly SpfTerm[]): number {
  return reachableTerms(terms).filter(isLookupTerm).length;
}

// ---------------------------------------------------------------------------
// Building

export interface SpfBuild extends BuildResult {
  /** The record's text, when the policy asks for one (also when it is refused). */
  text?: string;
  /** Lookup count: static (includes count 1) from buildSpf, exact from resolveSpfLookups. */
  lookups: number;
}

/** Sort key for an IPv4 address: its 32-bit value. */
function ip4Value(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** Sort key for an IPv6 address: its 128-bit value (handles "::" and an embedded IPv4 tail). */
function ip6Value(address: string): bigint {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ip4Value(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

interface Cidr {
  text: string;
  value: bigint;
  prefix: number;
}

/** Validate "addr[/prefix]" for ip4 (max 32) or ip6 (max 128); undefined when malformed. */
function parseCidr(text: string, family: 4 | 6): Cidr | undefined {
  const trimmed = text.trim().toLowerCase();
  const [address = '', prefixText, extra] = trimmed.split('/');
  if (extra !== undefined) return undefined;
  const valid = family === 4 ? isIPv4(address) : isIPv6(address);
  if (!valid) return undefined;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    // §5.6: ip4-cidr-length / ip6-cidr-length, no leading zeros.
    if (!/^(0|[1-9]\d*)$/.test(prefixText) || Number(prefixText) > max) return undefined;
    prefix = Number(prefixText);
  }
  return { text: trimmed, value: family === 4 ? ip4Value(address) : ip6Value(address), prefix };
}

function compareCidr(a: Cidr, b: Cidr): number {
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  if (a.prefix !== b.prefix) return a.prefix - b.prefix;
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Policy senders -> the record text in canonical order, with any sender problems. */
export function compileSpfText(domain: DomainPolicy): { text: string; notices: Notice[] } | undefined {
  const name = domain.name;
  const position = domain.position;
  // RFC 7208 §10.1.2 / RFC 7505 §4.1: a domain that sends no mail says so with "-all" alone.
  if (domain.noMail) return { text: 'v=spf1 -all', notices: [] };
  if (domain.senders === undefined) return undefined;

  const notices: Notice[] = [];
  let self = false;
  let mx = false;
  const hosts: string[] = [];
  const ip4: Cidr[] = [];
  const ip6: Cidr[] = [];
  const includes: string[] = [];

  for (const sender of domain.senders) {
    switch (sender.kind) {
      case 'self':
        self = true;
        break;
      case 'mx':
        mx = true;
        break;
      case 'host': {
        const host = normalizeName(sender.host.trim());
        if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) {
          notices.push(
            makeNotice('error', 'spf.host-ip-literal', name, `sender host "${sender.host}" is an IP address; declare it as ip4: or ip6:`, {
              position,
              rfc: 'RFC 7208 §5.3',
            }),
          );
        } else hosts.push(host);
        break;
      }
      case 'ip4':
      case 'ip6': {
        const family = sender.kind === 'ip4' ? 4 : 6;
        const cidr = parseCidr(sender.cidr, family);
        if (!cidr) {
          notices.push(
            makeNotice('error', `spf.invalid-${sender.kind}`, name, `"${sender.cidr}" is not a valid ${sender.kind} address or CIDR`, {
              position,
              rfc: 'RFC 7208 §5.6',
            }),
          );
        } else (family === 4 ? ip4 : ip6).push(cidr);
        break;
      }
      case 'include':
        includes.push(normalizeName(sender.domain.trim()));
        break;
      case 'provider': {
        const provider = findProvider(sender.name);
        if (!provider) {
          notices.push(
            makeNotice('error', 'spf.unknown-provider', name, `unknown sender provider "${sender.name}"; use include: with the provider's SPF domain`, {
              position,
            }),
          );
        } else includes.push(provider.spfInclude);
        break;
      }
    }
  }

  const uniqueCidrs = (list: Cidr[]): string[] => [...new Set(list.sort(compareCidr).map((c) => c.text))];
  const terms = [
    ...(self ? ['a'] : []),
    ...(mx ? ['mx'] : []),
    ...sortedUnique(hosts).map((h) => `a:${h}`),
    ...uniqueCidrs(ip4).map((c) => `ip4:${c}`),
    ...uniqueCidrs(ip6).map((c) => `ip6:${c}`),
    ...sortedUnique(includes).map((d) => `include:${d}`),
  ];
  const all = ALL_QUALIFIER[domain.spfAll] as string | undefined;
  if (all === undefined) {
    // The loader refuses "pass"; a builder still never emits "+all" (RFC 7208 §10.1).
    notices.push(makeNotice('error', 'spf.pass-all', name, `spf.all "${String(domain.spfAll)}" is refused: use fail, softfail or neutral`, { position, rfc: 'RFC 7208 §10.1' }));
    return { text: ['v=spf1', ...terms].join(' '), notices };
  }
  return { text: ['v=spf1', ...terms, all].join(' '), notices };
}

function tooManyLookups(name: string, count: number, exact: boolean, position: SourcePosition | undefined): Notice {
  const how = exact ? `${count} DNS lookups (counted through includes)` : `at least ${count} DNS lookups`;
  return makeNotice(
    'error',
    'spf.too-many-lookups',
    name,
    `SPF record for ${name || 'the record'} needs ${how}; at most ${SPF_MAX_LOOKUPS} are allowed: replace a/mx/include terms with ip4:/ip6: or drop senders`,
    { position, rfc: 'RFC 7208 §4.6.4' },
  );
}

function finish(domain: DomainPolicy, text: string, notices: Notice[], lookups: number): SpfBuild {
  const octets = Buffer.byteLength(text, 'utf8');
  if (octets > SPF_LONG_RECORD_OCTETS) {
    notices.push(
      makeNotice('warning', 'spf.record-long', domain.name, `SPF record is ${octets} octets; over ${SPF_LONG_RECORD_OCTETS} it may not fit a UDP answer`, {
        position: domain.position,
        rfc: 'RFC 7208 §3.4',
      }),
    );
  }
  const records: RR[] = hasErrors(notices) ? [] : [txtRecord(domain.name, domain.ttl, text)];
  return { records, files: [], notices, text, lookups };
}

/** The SPF record of one domain, with a static lookup count (an include counts 1). */
export function buildSpf(domain: DomainPolicy): SpfBuild {
  const compiled = compileSpfText(domain);
  if (!compiled) return { records: [], files: [], notices: [], lookups: 0 };
  const notices = [...compiled.notices];
  const parsed = parseSpf(compiled.text);
  const lookups = parsed.ok ? countSpfTermLookups(parsed.terms) : 0;
  if (lookups > SPF_MAX_LOOKUPS) notices.push(tooManyLookups(domain.name, lookups, false, domain.position));
  return finish(domain, compiled.text, notices, lookups);
}

/**
 * buildSpf with the exact lookup count: include and redirect trees are fetched
 * through `resolver`, and void lookups are counted (RFC 7208 §4.6.4).
 */
export async function resolveSpfLookups(
  domain: DomainPolicy,
  resolver: Resolver,
): Promise<SpfBuild & { count?: SpfLookupCount }> {
  const compiled = compileSpfText(domain);
  if (!compiled) return { records: [], files: [], notices: [], lookups: 0 };
  const count = await countSpfLookups(compiled.text, resolver, { domain: domain.name, position: domain.position });
  const built = finish(domain, compiled.text, [...compiled.notices, ...count.notices], count.lookups);
  return { ...built, count };
}

// ---------------------------------------------------------------------------
// Counting through DNS

export interface SpfLookupNode {
  /** The term as written ("include:_spf.example.net"); the root is the domain (or "v=spf1"). */
  term: string;
  /** Lookups this term costs, its own and every one below it. */
  lookups: number;
  children: SpfLookupNode[];
  /** The term's query returned NXDOMAIN or no answer (§4.6.4 void lookup). */
  void?: boolean;
  /** Why the tree stops here (loop, no record, lookup failure…). */
  error?: string;
}

export interface SpfLookupCount {
  lookups: number;
  voidLookups: number;
  tree: SpfLookupNode;
  notices: Notice[];
  /** False when a lookup failed or the walk was cut short: the counts are then lower bounds. */
  complete: boolean;
}

export interface SpfCountOptions {
  /** The domain the record belongs to: target of bare a/mx, start of loop detection, notice name. */
  domain?: string;
  position?: SourcePosition;
  /** Include/redirect nesting bound (default 10: deeper trees exceed the lookup limit anyway). */
  maxDepth?: number;
  /** Query a/mx/exists targets to count void lookups (default true). */
  checkVoid?: boolean;
}

/** Beyond this many lookups the walk stops: the record is long past the limit. */
const COUNT_CAP = 50;

function isEmpty(answer: Answer): boolean {
  return answer.status === 'nxdomain' || answer.status === 'nodata' || (answer.status === 'ok' && answer.records.length === 0);
}

/** The domain part of a mechanism value ("host/24" -> "host"; "/24" or "" -> the current domain). */
function targetOf(term: SpfTerm, current: string | undefined): string | undefined {
  const spec = term.value.startsWith('/') ? '' : (term.value.split('/')[0] ?? '');
  return spec === '' ? current : normalizeName(spec);
}

/**
 * Count the DNS lookups a record costs when evaluated (RFC 7208 §4.6.4), fetching
 * include and redirect targets recursively through `resolver`. Loops, records
 * missing at include targets (§5.2) and void lookups are reported as notices;
 * answers are cached per walk, but every evaluation of a term is counted.
 */
export async function countSpfLookups(
  record: string,
  resolver: Resolver,
  options: SpfCountOptions = {},
): Promise<SpfLookupCount> {
  const maxDepth = options.maxDepth ?? 10;
  const checkVoid = options.checkVoid ?? true;
  const rootName = options.domain ? normalizeName(options.domain) : undefined;
  const notices: Notice[] = [];
  const cache = new Map<string, Promise<Answer>>();
  const state = { lookups: 0, voids: 0, complete: true, capped: false };

  const note = (severity: Notice['severity'], code: string, name: string | undefined, message: string, rfc?: string): void => {
    notices.push(makeNotice(severity, code, name ?? rootName ?? '', message, { position: options.position, rfc }));
  };
  const ask = (name: string, type: 'TXT' | 'A' | 'AAAA' | 'MX'): Promise<Answer> => {
    const key = `${type} ${name}`;
    let answer = cache.get(key);
    if (!answer) {
      answer = resolver.resolve(name, type);
      cache.set(key, answer);
    }
    return answer;
  };
  const failed = (node: SpfLookupNode, name: string, answer: Answer & { status: 'error' }): void => {
    state.complete = false;
    node.error = `lookup failed: ${answer.reason}`;
    note('warning', 'spf.lookup-failed', name, `could not look up ${name}: ${answer.reason}; the lookup count is a lower bound`);
  };
  const markVoid = (node: SpfLookupNode): void => {
    node.void = true;
    state.voids += 1;
  };

  async function walk(text: string, domain: string | undefined, path: readonly string[], depth: number): Promise<SpfLookupNode[]> {
    const parsed = parseSpf(text);
    if (!parsed.ok) {
      note('error', 'spf.syntax', domain, `SPF record at ${domain ?? '(record)'} is invalid: ${parsed.reason}`, 'RFC 7208 §4.6');
      return [];
    }
    const nodes: SpfLookupNode[] = [];
    for (const term of reachableTerms(parsed.terms)) {
      if (term.kind === 'mechanism' && term.mechanism === 'ptr') {
        note('warning', 'spf.ptr', domain, `"ptr" in the SPF record at ${domain ?? '(record)'} should not be used`, 'RFC 7208 §5.5');
      }
      if (!isLookupTerm(term)) continue;
      if (state.lookups >= COUNT_CAP) {
        state.capped = true;
        state.complete = false;
        break;
      }
      state.lookups += 1;
      const node: SpfLookupNode = { term: renderSpfTerm(term), lookups: 1, children: [] };
      nodes.push(node);
      const target = term.kind === 'modifier' || term.mechanism === 'include' ? normalizeName(term.value) : targetOf(term, domain);
      if (target === undefined || target.includes('%')) {
        // Macros (§7) depend on the sender: the term costs its lookup but cannot be followed.
        if (target?.includes('%')) node.error = 'macro not expanded';
        continue;
      }

      if (term.mechanism === 'include' || term.mechanism === 'redirect') {
        if (path.includes(target)) {
          node.error = 'loop';
          note('error', 'spf.include-loop', domain, `SPF ${node.term} at ${domain ?? '(record)'} loops back to ${target} (${[...path, target].join(' -> ')})`, 'RFC 7208 §4.6.4');
          continue;
        }
        if (depth >= maxDepth) {
          node.error = 'too deep';
          state.complete = false;
          note('error', 'spf.too-deep', domain, `SPF includes nest deeper than ${maxDepth} levels below ${rootName ?? 'the record'}`, 'RFC 7208 §4.6.4');
          continue;
        }
        const answer = await ask(target, 'TXT');
        if (answer.status === 'error') {
          failed(node, target, answer);
          continue;
        }
        if (isEmpty(answer)) markVoid(node);
        const texts = answer.status === 'ok' ? answer.records.flatMap((rr) => (rr.type === 'TXT' ? [txtText(rr)] : [])).filter(isSpfText) : [];
        if (texts.length === 0) {
          // §5.2 (include) and §6.1 (redirect): a target without an SPF record is a permerror.
          node.error = 'no SPF record';
          note('error', 'spf.include-no-record', target, `${node.term} (from ${domain ?? 'the record'}) points at ${target}, which publishes no SPF record`, term.mechanism === 'include' ? 'RFC 7208 §5.2' : 'RFC 7208 §6.1');
          continue;
        }
        if (texts.length > 1) {
          node.error = 'several SPF records';
          note('error', 'spf.multiple-records', target, `${target} publishes ${texts.length} SPF records; evaluation fails with permerror`, 'RFC 7208 §4.5');
          continue;
        }
        node.children = await walk(texts[0]!, target, [...path, target], depth + 1);
        node.lookups += node.children.reduce((sum, c) => sum + c.lookups, 0);
        continue;
      }

      if (!checkVoid) continue;
      if (term.mechanism === 'mx') {
        const answer = await ask(target, 'MX');
        if (answer.status === 'error') failed(node, target, answer);
        else if (isEmpty(answer)) markVoid(node);
        else if (answer.status === 'ok' && answer.records.length > SPF_MAX_LOOKUPS) {
          // §4.6.4: an "mx" whose lookup returns more than 10 records is a permerror.
          node.error = 'more than 10 MX records';
          note('error', 'spf.mx-too-many', target, `"mx" at ${domain ?? '(record)'} resolves to ${answer.records.length} MX records; at most ${SPF_MAX_LOOKUPS} are allowed`, 'RFC 7208 §4.6.4');
        }
      } else if (term.mechanism === 'a' || term.mechanism === 'exists') {
        // A void "a" is one with neither A nor AAAA records: void whatever the sender's address family.
        const answers = term.mechanism === 'a' ? await Promise.all([ask(target, 'A'), ask(target, 'AAAA')]) : [await ask(target, 'A')];
        const error = answers.find((a): a is Answer & { status: 'error' } => a.status === 'error');
        if (error) failed(node, target, error);
        else if (answers.every(isEmpty)) markVoid(node);
      }
    }
    return nodes;
  }

  const children = await walk(record, rootName, rootName ? [rootName] : [], 0);
  const lookups = children.reduce((sum, c) => sum + c.lookups, 0);
  const tree: SpfLookupNode = { term: rootName ?? 'v=spf1', lookups, children };
  const name = rootName ?? '';
  if (lookups > SPF_MAX_LOOKUPS) {
    notices.push(
      state.capped
        ? makeNotice('error', 'spf.too-many-lookups', name, `SPF record for ${name || 'the record'} needs more than ${COUNT_CAP} DNS lookups; at most ${SPF_MAX_LOOKUPS} are allowed`, {
            position: options.position,
            rfc: 'RFC 7208 §4.6.4',
          })
        : tooManyLookups(name, lookups, true, options.position),
    );
  }
  if (state.voids > SPF_MAX_VOID_LOOKUPS) {
    notices.push(
      makeNotice('error', 'spf.too-many-void-lookups', name, `SPF evaluation for ${name || 'the record'} meets ${state.voids} void lookups (NXDOMAIN or no answer); at most ${SPF_MAX_VOID_LOOKUPS} are allowed`, {
        position: options.position,
        rfc: 'RFC 7208 §4.6.4',
      }),
    );
  }
  return { lookups, voidLookups: state.voids, tree, notices, complete: state.complete };
}
