// SPF check_host() (RFC 7208 §4-§7) for `mailrec spf check`: result, explanation,
// the lookup tree and the counts, over an injected Resolver.
//
// Written here rather than on mailauth 4.13's spf(): run over the RFC 7208 suite that
// one passes 194 of 203 (no exp=/explanation, p macro, helo macros with invalid names,
// bare "ip6", exp= syntax), does not enforce the 10-address limit per mx (§4.6.4) and
// has no lookup tree. This evaluator shares its parser with the audit's SPF lint.

import type { Answer, Resolver } from '../../dns/resolver.js';
import { InputError } from '../../base/errors.js';
import type { RRType } from '../../dns-types/rr.js';
import { SPF_MAX_LOOKUPS, SPF_MAX_MX_HOSTS, SPF_MAX_VOID_LOOKUPS } from './limits.js';
import {
  isSpfRecord,
  parseMacroString,
  parseSpfRecord,
  type MacroString,
  type Mechanism,
  type Qualifier,
} from './record.js';
import { recordsOf, txtTexts } from '../../dns/answers.js';
import { resolveFcrdns } from './fcrdns.js';
import { formatIp, inPrefix, nibbles, parseIp, type IpAddress } from '../../dns-types/ip.js';

export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

export interface SpfCheckInput {
  /** The SMTP client address. */
  ip: string;
  /** MAIL FROM; empty or absent: the HELO identity is checked (§2.3, §2.4). */
  sender?: string;
  helo?: string;
  /** The receiving host for the %{r} macro (default "unknown", §7.3). */
  receiver?: string;
  /** Seconds since the epoch for %{t}; the caller supplies the clock. */
  now?: number;
}

/** One evaluated term. */
export interface SpfEvalTerm {
  term: string;
  /** 1 when the term counts against the limit of 10 (§4.6.4). */
  lookups: number;
  void?: boolean;
  matched?: boolean;
  /** The recursive evaluation of include/redirect. */
  child?: SpfEvalNode;
  note?: string;
}

export interface SpfEvalNode {
  domain: string;
  record?: string;
  result: SpfResult;
  terms: SpfEvalTerm[];
}

export interface SpfCheckOutput {
  result: SpfResult;
  /** exp= text for a fail (§6.2); absent when none applies. */
  explanation?: string;
  /** Why, in one line. */
  reason: string;
  domain: string;
  sender: string;
  tree: SpfEvalNode;
  counts: { lookups: number; voids: number };
}

const QUALIFIER_RESULT: Record<Qualifier, SpfResult> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

/** Raised inside evaluation to end it with a result (temperror / permerror). */
class Stop {
  constructor(
    readonly result: SpfResult,
    readonly reason: string,
  ) {}
}

interface State {
  resolver: Resolver;
  ip: IpAddress;
  /** The address as given (unmapped), for %{c}. */
  sender: string;
  local: string;
  senderDomain: string;
  helo: string;
  receiver: string;
  now: number | undefined;
  lookups: number;
  voids: number;
  validatedName?: Promise<string[]>;
}

interface HostResult {
  result: SpfResult;
  reason: string;
  /** The exp= of the record that produced a fail, with the domain it was found at. */
  exp?: { spec: MacroString; domain: string };
}

/** check_host() for the MAIL FROM (or HELO) identity of a message. */
export async function checkHost(input: SpfCheckInput, resolver: Resolver): Promise<SpfCheckOutput> {
  const ip = parseIp(input.ip.trim());
  if (!ip) throw new InputError(`"${input.ip}" is not an IP address`);
  const helo = input.helo ?? '';
  // §2.4: with an empty MAIL FROM, the sender is postmaster@<HELO>.
  let sender = input.sender && input.sender !== '' ? input.sender : `postmaster@${helo}`;
  const at = sender.lastIndexOf('@');
  if (at < 0) sender = `postmaster@${sender}`;
  // §4.3: "If the <sender> has no local-part, substitute the string 'postmaster'".
  else if (at === 0) sender = `postmaster${sender}`;
  const split = sender.lastIndexOf('@');
  const local = sender.slice(0, split);
  const senderDomain = sender.slice(split + 1);
  const state: State = {
    resolver,
    ip,
    sender,
    local,
    senderDomain,
    helo,
    receiver: input.receiver ?? 'unknown',
    now: input.now,
    lookups: 0,
    voids: 0,
  };
  const domain = senderDomain.replace(/\.$/, '').toLowerCase();
  const tree: SpfEvalNode = { domain, result: 'none', terms: [] };
  const out = await evaluate(state, domain, tree);
  let explanation: string | undefined;
  if (out.result === 'fail' && out.exp) explanation = await explain(state, out.exp);
  return {
    result: out.result,
    ...(explanation !== undefined ? { explanation } : {}),
    reason: out.reason,
    domain,
    sender,
    tree,
    counts: { lookups: state.lookups, voids: state.voids },
  };
}

/** check_host(<ip>, <domain>, <sender>) proper (§4), recording into `node`. */
async function evaluate(state: State, domain: string, node: SpfEvalNode): Promise<HostResult> {
  const done = (result: SpfResult, reason: string, exp?: HostResult['exp']): HostResult => {
    node.result = result;
    return { result, reason, ...(exp ? { exp } : {}) };
  };
  // §4.3: a malformed or single-label domain gives "none".
  if (!isQueryableName(domain) || !domain.includes('.')) {
    return done('none', `"${domain}" is not a valid multi-label domain name (§4.3)`);
  }
  const answer = await state.resolver.resolve(domain, 'TXT');
  // §4.4: a DNS error while looking up the record is a temperror.
  if (answer.status === 'error') return done('temperror', `TXT lookup for ${domain} failed: ${answer.reason}`);
  const records = txtTexts(answer).filter(isSpfRecord);
  if (records.length === 0) return done('none', `no SPF record at ${domain} (§4.5)`);
  if (records.length > 1) return done('permerror', `${records.length} SPF records at ${domain} (§4.5)`);
  const text = records[0]!;
  node.record = text;
  const parsed = parseSpfRecord(text);
  // §4.6: a syntax error anywhere ends evaluation with permerror, before any term runs.
  if (!parsed.ok) return done('permerror', `syntax error at ${domain}: ${parsed.error}`);
  const record = parsed.record;

  try {
    for (const mech of record.mechanisms) {
      const entry: SpfEvalTerm = { term: mech.text, lookups: 0 };
      node.terms.push(entry);
      const matched = await matchMechanism(state, domain, mech, entry);
      entry.matched = matched;
      if (matched) {
        const result = QUALIFIER_RESULT[mech.qualifier];
        const exp = result === 'fail' && record.exp ? { spec: record.exp.value, domain } : undefined;
        return done(result, `${domain}: "${mech.text}" matched`, exp);
      }
    }
    // §6.1: redirect applies only when no mechanism matched (an "all" always matches).
    if (record.redirect) {
      const entry: SpfEvalTerm = { term: record.redirect.text, lookups: 1 };
      node.terms.push(entry);
      countLookup(state);
      const target = await expandDomain(state, record.redirect.value, domain);
      const child: SpfEvalNode = { domain: target, result: 'none', terms: [] };
      entry.child = child;
      const sub = await evaluate(state, target, child);
      // §6.1: a redirect to a domain without a record (or malformed) is a permerror.
      if (sub.result === 'none') return done('permerror', `redirect=${target}: no SPF record (§6.1)`);
      // §6.2: the exp= of the redirect target applies, not ours.
      return done(sub.result, sub.reason, sub.exp);
    }
    return done('neutral', `${domain}: no mechanism matched; the default is neutral (§4.7)`);
  } catch (e) {
    if (e instanceof Stop) return done(e.result, e.reason);
    throw e;
  }
}

function countLookup(state: State): void {
  state.lookups++;
  if (state.lookups > SPF_MAX_LOOKUPS) {
    throw new Stop('permerror', `more than ${SPF_MAX_LOOKUPS} DNS-querying terms (§4.6.4)`);
  }
}

function countVoid(state: State, entry: SpfEvalTerm): void {
  entry.void = true;
  state.voids++;
  if (state.voids > SPF_MAX_VOID_LOOKUPS) throw new Stop('permerror', `more than ${SPF_MAX_VOID_LOOKUPS} void lookups (§4.6.4)`);
}

async function ask(state: State, name: string, type: RRType): Promise<Answer> {
  const answer = await state.resolver.resolve(name, type);
  // §5: a DNS error during a mechanism's lookup makes the result temperror.
  if (answer.status === 'error') throw new Stop('temperror', `${type} lookup for ${name} failed: ${answer.reason}`);
  return answer;
}

/** The address records of a name, of the client's family. */
function addressesOf(answer: Answer, family: 4 | 6): IpAddress[] {
  const out: IpAddress[] = [];
  const list = family === 4 ? recordsOf(answer, 'A') : recordsOf(answer, 'AAAA');
  for (const r of list) {
    const a = parseIp(r.address, false);
    if (a) out.push(a);
  }
  return out;
}

async function matchMechanism(state: State, domain: string, mech: Mechanism, entry: SpfEvalTerm): Promise<boolean> {
  const family = state.ip.family;
  const cidr = family === 4 ? (mech.cidr4 ?? 32) : (mech.cidr6 ?? 128);
  const addrType: RRType = family === 4 ? 'A' : 'AAAA';
  switch (mech.name) {
    case 'all':
      return true;
    case 'ip4':
    case 'ip6': {
      const net = mech.network!;
      const len = mech.name === 'ip4' ? (mech.cidr4 ?? 32) : (mech.cidr6 ?? 128);
      return inPrefix(state.ip, net, len);
    }
    case 'a': {
      entry.lookups = 1;
      countLookup(state);
      const target = mech.target ? await expandDomain(state, mech.target, domain) : domain;
      // §4.8 and the suite's note on 4.3/1: a target that cannot be a DNS name matches nothing.
      if (!isQueryableName(target)) return noMatch(entry, `"${target}" is not a valid DNS name`);
      const answer = await ask(state, target, addrType);
      const addrs = addressesOf(answer, family);
      if (addrs.length === 0) {
        countVoid(state, entry);
        return false;
      }
      return addrs.some((a) => inPrefix(state.ip, a, cidr));
    }
    case 'mx': {
      entry.lookups = 1;
      countLookup(state);
      const target = mech.target ? await expandDomain(state, mech.target, domain) : domain;
      if (!isQueryableName(target)) return noMatch(entry, `"${target}" is not a valid DNS name`);
      const answer = await ask(state, target, 'MX');
      const mxs = recordsOf(answer, 'MX');
      if (mxs.length === 0) {
        countVoid(state, entry);
        return false;
      }
      // §4.6.4: an mx term "MUST NOT result in querying more than 10 address records".
      if (mxs.length > SPF_MAX_MX_HOSTS) {
        throw new Stop('permerror', `mx at ${target} has ${mxs.length} MX hosts, over ${SPF_MAX_MX_HOSTS} (§4.6.4)`);
      }
      const hosts = [...mxs].sort((x, y) => x.preference - y.preference).map((m) => m.exchange);
      for (const host of hosts) {
        // RFC 7505 null MX ("."): no host to look up.
        if (host === '') continue;
        const addrs = addressesOf(await ask(state, host, addrType), family);
        if (addrs.some((a) => inPrefix(state.ip, a, cidr))) return true;
      }
      return false;
    }
    case 'ptr': {
      entry.lookups = 1;
      countLookup(state);
      const target = mech.target ? await expandDomain(state, mech.target, domain) : domain;
      const names = await validatedNames(state, entry);
      const t = target.toLowerCase();
      // §5.5: a validated name equal to the target or ending in ".target" matches.
      return names.some((n) => n === t || n.endsWith(`.${t}`));
    }
    case 'exists': {
      entry.lookups = 1;
      countLookup(state);
      const target = await expandDomain(state, mech.target!, domain);
      if (!isQueryableName(target)) return noMatch(entry, `"${target}" is not a valid DNS name`);
      // §5.7: the lookup type is always A, whatever the client's family.
      const answer = await ask(state, target, 'A');
      if (recordsOf(answer, 'A').length === 0) {
        countVoid(state, entry);
        return false;
      }
      return true;
    }
    case 'include': {
      entry.lookups = 1;
      countLookup(state);
      const target = await expandDomain(state, mech.target!, domain);
      const child: SpfEvalNode = { domain: target, result: 'none', terms: [] };
      entry.child = child;
      const sub = await evaluate(state, target, child);
      // §5.2: pass matches; fail, softfail, neutral do not; errors propagate; none is permerror.
      switch (sub.result) {
        case 'pass':
          return true;
        case 'fail':
        case 'softfail':
        case 'neutral':
          return false;
        case 'temperror':
          throw new Stop('temperror', `include:${target}: ${sub.reason}`);
        case 'permerror':
          throw new Stop('permerror', `include:${target}: ${sub.reason}`);
        case 'none':
          throw new Stop('permerror', `include:${target}: no SPF record (§5.2)`);
      }
    }
  }
}

function noMatch(entry: SpfEvalTerm, note: string): false {
  entry.note = note;
  return false;
}

/**
 * The PTR names of the client address that resolve back to it (§5.5 steps 1-2), at most
 * 10 names tried (§4.6.4). A DNS error on the PTR lookup or on a name skips it (§5.5).
 */
function validatedNames(state: State, entry?: SpfEvalTerm): Promise<string[]> {
  if (!state.validatedName) {
    state.validatedName = (async () => {
      const fcrdns = await resolveFcrdns(state.ip, state.resolver);
      if (fcrdns.status === 'error') return [];
      if (fcrdns.names.length === 0 && entry) countVoid(state, entry);
      return fcrdns.confirmed;
    })();
  }
  return state.validatedName;
}

/** A name a query can be built from: labels of 1-63 octets, at most 253 in all. */
function isQueryableName(name: string): boolean {
  if (name === '' || name.length > 253) return false;
  return name.split('.').every((l) => l.length > 0 && l.length <= 63);
}

/**
 * Expands a domain-spec (§7.3): macros, the trailing dot dropped, and names over 253
 * characters cut from the left label by label.
 */
async function expandDomain(state: State, spec: MacroString, domain: string): Promise<string> {
  let name = (await expand(state, spec, domain)).replace(/\.$/, '');
  while (name.length > 253 && name.includes('.')) name = name.slice(name.indexOf('.') + 1);
  return name.toLowerCase();
}

/** §7.3 macro expansion. */
async function expand(state: State, spec: MacroString, domain: string): Promise<string> {
  let out = '';
  for (const token of spec) {
    if (token.kind !== 'expand') {
      out += token.text;
      continue;
    }
    let value = await macroValue(state, token.letter, domain);
    // Split on the delimiters (default "."), optionally reverse, keep the rightmost N.
    const delims = token.delimiters === '' ? '.' : token.delimiters;
    let parts = value.split(new RegExp(`[${delims.replace(/[-\\\]^]/g, '\\$&')}]`));
    if (token.reverse) parts = parts.reverse();
    if (token.digits !== undefined && token.digits < parts.length) parts = parts.slice(parts.length - token.digits);
    value = parts.join('.');
    // Uppercase macro letters are URL-escaped (§7.3): all but the unreserved characters.
    if (token.upper) value = urlEscape(value);
    out += value;
  }
  return out;
}

async function macroValue(state: State, letter: string, domain: string): Promise<string> {
  switch (letter) {
    case 's':
      return state.sender;
    case 'l':
      return state.local;
    case 'o':
      return state.senderDomain;
    case 'd':
      return domain;
    case 'i':
      // §7.3: IPv6 addresses are written as dot-separated nibbles.
      return state.ip.family === 4 ? formatIp(state.ip) : nibbles(state.ip).join('.').toUpperCase();
    case 'c':
      return formatIp(state.ip);
    case 'v':
      return state.ip.family === 4 ? 'in-addr' : 'ip6';
    case 'h':
      return state.helo;
    case 'r':
      return state.receiver;
    case 't':
      return String(state.now ?? 0);
    case 'p': {
      // §7.3: the validated name, preferring the domain itself, then a subdomain of it.
      const names = await validatedNames(state);
      const d = domain.toLowerCase();
      return names.find((n) => n === d) ?? names.find((n) => n.endsWith(`.${d}`)) ?? names[0] ?? 'unknown';
    }
  }
  return '';
}

function urlEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The explanation for a fail (§6.2): one TXT record at the expanded exp= name, itself
 * expanded. Any DNS problem, several records or a syntax error: no explanation. These
 * lookups do not count against the limits (the suite's exp-void case).
 */
async function explain(state: State, exp: { spec: MacroString; domain: string }): Promise<string | undefined> {
  let name: string;
  try {
    name = await expandDomain(state, exp.spec, exp.domain);
  } catch {
    return undefined;
  }
  if (!isQueryableName(name)) return undefined;
  const answer = await state.resolver.resolve(name, 'TXT');
  if (answer.status !== 'ok') return undefined;
  const texts = txtTexts(answer);
  if (texts.length !== 1) return undefined;
  const tokens = parseMacroString(texts[0]!, true);
  if (typeof tokens === 'string') return undefined;
  return expand(state, tokens, exp.domain);
}
