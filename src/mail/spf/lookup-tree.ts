// The SPF lookup tree (RFC 7208 §4.6.4): a domain's record with every include/redirect
// target below it, what each term costs against the limit of 10, the void lookups, and
// the problems met on the way — what a receiver that matches nothing would evaluate.
// Pure given a Resolver; the audit turns the result into findings, `plan --resolve`
// into notices.

import type { Answer, Resolver } from '../../dns/resolver.js';
import type { RRType } from '../../dns-types/rr.js';
import { addressLookup, recordsOf, txtTexts } from '../../dns/answers.js';
import { SPF_LONG_RECORD_OCTETS, SPF_MAX_MX_HOSTS } from './limits.js';
import { hasMacros, isSpfRecord, literalText, parseSpfRecord, type MacroString, type Mechanism, type SpfRecord } from './record.js';

export interface SpfTreeTerm {
  term: string;
  /** This term's own cost against the limit of 10: 1 for a, mx, ptr, exists, include, redirect. */
  lookups: number;
  /** Own cost plus everything counted inside an include/redirect target. */
  subtotal: number;
  void?: boolean;
  /** mx: the number of MX hosts the term would look up. */
  mxHosts?: number;
  child?: SpfTreeNode;
  note?: string;
}

export interface SpfTreeNode {
  domain: string;
  record?: string;
  terms: SpfTreeTerm[];
  /** Total DNS-querying terms counted in this record and below. */
  lookups: number;
}

/** Where a record sits: the domain's own, or the target of an include or redirect. */
export type SpfRole = 'root' | 'include' | 'redirect';

/**
 * What the walk met, in the order met. `name` is the DNS name concerned: the record's
 * own, or the include/redirect target that lacks a usable record.
 */
export type SpfProblem =
  /** §4.5: no v=spf1 record; below the root a permerror (§5.2 include, §6.1 redirect). `term`/`from`: the term that pointed here. */
  | { kind: 'no-record'; name: string; role: SpfRole; nxdomain: boolean; texts: string[]; term?: string; from?: string }
  /** §4.5: more than one v=spf1 record is a permerror. */
  | { kind: 'multiple-records'; name: string; records: string[] }
  | { kind: 'syntax'; name: string; record: string; error: string; term?: string }
  /** §3.4: the domain's own record is long enough to risk a truncated UDP answer. */
  | { kind: 'too-long'; name: string; record: string; octets: number }
  /** §5.1: "+all"; `path` is the include/redirect chain above (empty at the root). */
  | { kind: 'pass-all'; name: string; record: string; term: string; path: string[] }
  | { kind: 'neutral-all'; name: string; record: string; term: string }
  /** §4.7: neither "all" nor redirect= in a result-deciding record. */
  | { kind: 'no-all'; name: string; record: string }
  /** §6.1: redirect= beside "all" is never used. */
  | { kind: 'redirect-ignored'; name: string; record: string; redirect: string; all: string }
  /** §5.5: ptr SHOULD NOT be published. */
  | { kind: 'ptr'; name: string; record: string; term: string }
  /** §4.6.4: more than 10 MX hosts behind an mx term. */
  | { kind: 'mx-too-many-hosts'; name: string; term: string; target: string; hosts: number }
  /** §7: a target expanded per message; nothing below it is known. */
  | { kind: 'macro-target'; name: string; term: string }
  /** §4.6.4: an include/redirect back into its own chain; `chain` ends with the target. */
  | { kind: 'loop'; name: string; term: string; chain: string[] }
  /** The walk stopped following includes at `maxDepth` levels below the root. */
  | { kind: 'too-deep'; name: string; term: string; maxDepth: number }
  /** A DNS question failed: the counts are lower bounds. */
  | { kind: 'lookup-failed'; name: string; type: RRType; reason: string };

export interface SpfVoid {
  term: string;
  target: string;
  /** The question that came back empty: TXT, MX, A or A/AAAA. */
  type: string;
}

export interface SpfTree {
  /** The domain's record and everything below it; undefined when it has no usable record. */
  root?: SpfTreeNode;
  /** DNS-querying terms met in the whole tree (§4.6.4), each evaluation counted. */
  lookups: number;
  voids: SpfVoid[];
  /** The SPF texts walked, in order. */
  records: string[];
  problems: SpfProblem[];
  /** False when a lookup failed or the walk was cut short: the counts are then lower bounds. */
  complete: boolean;
  /** True when the walk stopped at LOOKUP_CAP lookups. */
  capped: boolean;
}

export interface SpfTreeOptions {
  /** Include/redirect nesting bound (default 10: a deeper tree is over the lookup limit anyway). */
  maxDepth?: number;
  /** Query a/mx/exists targets, for void lookups and MX host counts (default true). */
  checkVoid?: boolean;
  /** Called as each problem is met, before the walk asks anything more (the audit takes its evidence then). */
  onProblem?: (problem: SpfProblem) => void;
}

/** Beyond this many lookups the walk stops: the record is long past the limit. */
export const LOOKUP_CAP = 50;

/**
 * The problems of one parsed record, met before its terms are evaluated: its length (the
 * domain's own record, §3.4), "+all" (§5.1), how the result-deciding record ends (§4.7,
 * §8.2) and redirect= beside "all" (§6.1). The walk and the static lint both ask this.
 */
export function recordProblems(name: string, text: string, record: SpfRecord, role: SpfRole, path: string[]): SpfProblem[] {
  const out: SpfProblem[] = [];
  if (role === 'root') {
    const octets = Buffer.byteLength(text, 'utf8');
    if (octets > SPF_LONG_RECORD_OCTETS) out.push({ kind: 'too-long', name, record: text, octets });
  }
  const allTerm = record.mechanisms.find((m) => m.name === 'all');
  // §5.1: an "all" that passes authorizes every host, also from inside an include.
  if (allTerm && allTerm.qualifier === '+') out.push({ kind: 'pass-all', name, record: text, term: allTerm.text, path });
  // The result-deciding record (the domain's own, or its redirect target) should end
  // in -all or ~all; an include's own "all" only decides whether the include matches.
  if (role !== 'include') {
    if (allTerm && allTerm.qualifier === '?') out.push({ kind: 'neutral-all', name, record: text, term: allTerm.text });
    else if (!allTerm && !record.redirect) out.push({ kind: 'no-all', name, record: text });
  }
  if (allTerm && record.redirect) out.push({ kind: 'redirect-ignored', name, record: text, redirect: record.redirect.text, all: allTerm.text });
  return out;
}

/**
 * Walks the SPF record at `domain` and everything it includes or redirects to. Answers
 * are asked once per walk, but every evaluation of a term is counted.
 */
export async function resolveSpfTree(domain: string, resolver: Resolver, options: SpfTreeOptions = {}): Promise<SpfTree> {
  const walk = new Walk(resolver, options);
  const root = await walk.node(domain, [], 'root', 0);
  return {
    ...(root ? { root } : {}),
    lookups: walk.lookups,
    voids: walk.voids,
    records: walk.records,
    problems: walk.problems,
    complete: walk.complete,
    capped: walk.capped,
  };
}

class Walk {
  readonly problems: SpfProblem[] = [];
  readonly voids: SpfVoid[] = [];
  readonly records: string[] = [];
  lookups = 0;
  complete = true;
  capped = false;
  private readonly maxDepth: number;
  private readonly checkVoid: boolean;
  private readonly memo = new Map<string, Promise<Answer>>();
  /** The resolver with this walk's memo: each question asked once. */
  private readonly dns: Resolver = { resolve: (name, type) => this.ask(name, type) };

  constructor(
    private readonly resolver: Resolver,
    private readonly options: SpfTreeOptions,
  ) {
    this.maxDepth = options.maxDepth ?? 10;
    this.checkVoid = options.checkVoid ?? true;
  }

  private ask(name: string, type: RRType): Promise<Answer> {
    const key = `${type} ${name}`;
    let answer = this.memo.get(key);
    if (!answer) {
      answer = this.resolver.resolve(name, type).then((a) => {
        if (a.status === 'error') {
          this.complete = false;
          this.add({ kind: 'lookup-failed', name, type, reason: a.reason });
        }
        return a;
      });
      this.memo.set(key, answer);
    }
    return answer;
  }

  private add(problem: SpfProblem): void {
    this.problems.push(problem);
    this.options.onProblem?.(problem);
  }

  /**
   * Walks the record at `name`. Returns undefined when there is no usable record (the
   * caller counts its void lookup). `path`: the include/redirect chain above; `via`: the
   * term there that pointed here.
   */
  async node(name: string, path: string[], role: SpfRole, depth: number, via?: string): Promise<SpfTreeNode | undefined> {
    const answer = await this.dns.resolve(name, 'TXT');
    if (answer.status === 'error') return undefined; // reported as lookup-failed
    const texts = txtTexts(answer);
    const spf = texts.filter(isSpfRecord);
    if (spf.length === 0) {
      const from = path[path.length - 1];
      this.add({ kind: 'no-record', name, role, nxdomain: answer.status === 'nxdomain', texts, ...(via ? { term: via } : {}), ...(from ? { from } : {}) });
      return undefined;
    }
    if (spf.length > 1) {
      this.add({ kind: 'multiple-records', name, records: spf });
      return undefined;
    }
    const text = spf[0]!;
    this.records.push(text);
    const parsed = parseSpfRecord(text);
    if (!parsed.ok) {
      this.add({ kind: 'syntax', name, record: text, error: parsed.error, ...(parsed.term !== undefined ? { term: parsed.term } : {}) });
      return undefined;
    }
    const record = parsed.record;
    for (const problem of recordProblems(name, text, record, role, path)) this.add(problem);

    const node: SpfTreeNode = { domain: name, record: text, terms: [], lookups: 0 };
    const allTerm = record.mechanisms.find((m) => m.name === 'all');
    const here = [...path, name];
    let reachedAll = false;
    for (const mech of record.mechanisms) {
      if (reachedAll) {
        node.terms.push({ term: mech.text, lookups: 0, subtotal: 0, note: 'after "all": never evaluated' });
        continue;
      }
      const term = await this.mechanism(name, mech, here, text, depth);
      node.terms.push(term);
      node.lookups += term.subtotal;
      if (mech.name === 'all') reachedAll = true;
    }
    // §6.1: redirect is used only when no mechanism matched, and never beside "all".
    if (record.redirect && !allTerm) {
      const term = await this.follow(name, 'redirect', record.redirect.value, record.redirect.text, here, depth);
      node.terms.push(term);
      node.lookups += term.subtotal;
    }
    return node;
  }

  /** Counts one DNS-querying term, or says why it is not counted (the walk is over its cap). */
  private count(text: string): SpfTreeTerm | undefined {
    if (this.lookups >= LOOKUP_CAP) {
      this.capped = true;
      this.complete = false;
      return undefined;
    }
    this.lookups++;
    return { term: text, lookups: 1, subtotal: 1 };
  }

  private async mechanism(name: string, mech: Mechanism, here: string[], text: string, depth: number): Promise<SpfTreeTerm> {
    if (mech.name === 'all' || mech.name === 'ip4' || mech.name === 'ip6') return { term: mech.text, lookups: 0, subtotal: 0 };
    if (mech.name === 'include') return this.follow(name, 'include', mech.target!, mech.text, here, depth);
    // §5.5: "This mechanism SHOULD NOT be published." It still costs a lookup.
    if (mech.name === 'ptr') this.add({ kind: 'ptr', name, record: text, term: mech.text });
    // Every one of these costs one lookup, whatever its form: "a", "a:host", "+a",
    // "a/24", "a:host//64" (§4.6.4 counts terms, not names).
    const term = this.count(mech.text);
    if (!term) return capped(mech.text);
    if (mech.name === 'ptr') {
      term.note = 'depends on the client address';
      return term;
    }
    const target = mech.target ? this.literal(name, mech.target, mech.text) : name;
    if (target === undefined) {
      term.note = 'target depends on macros';
      return term;
    }
    if (!this.checkVoid) return term;
    if (mech.name === 'mx') {
      const answer = await this.dns.resolve(target, 'MX');
      if (answer.status === 'error') return term;
      const hosts = recordsOf(answer, 'MX').filter((m) => m.exchange !== '');
      term.mxHosts = hosts.length;
      if (recordsOf(answer, 'MX').length === 0) this.markVoid(term, target, 'MX');
      // §4.6.4: evaluating an mx term "MUST NOT result in querying more than 10 address records".
      if (hosts.length > SPF_MAX_MX_HOSTS) this.add({ kind: 'mx-too-many-hosts', name, term: mech.text, target, hosts: hosts.length });
      return term;
    }
    if (mech.name === 'exists') {
      const answer = await this.dns.resolve(target, 'A');
      if (answer.status !== 'error' && recordsOf(answer, 'A').length === 0) this.markVoid(term, target, 'A');
      return term;
    }
    // a: void only when the name has neither A nor AAAA (a client of either family may ask).
    if ((await addressLookup(this.dns, target)) === 'absent') this.markVoid(term, target, 'A/AAAA');
    return term;
  }

  private markVoid(term: SpfTreeTerm, target: string, type: string): void {
    term.void = true;
    this.voids.push({ term: term.term, target, type });
  }

  /** The target name, or undefined (with a problem) when it depends on macros. */
  private literal(name: string, spec: MacroString, termText: string): string | undefined {
    if (hasMacros(spec)) {
      this.add({ kind: 'macro-target', name, term: termText });
      return undefined;
    }
    return literalText(spec).replace(/\.$/, '').toLowerCase();
  }

  private async follow(name: string, kind: 'include' | 'redirect', spec: MacroString, termText: string, here: string[], depth: number): Promise<SpfTreeTerm> {
    const term = this.count(termText);
    if (!term) return capped(termText);
    const target = this.literal(name, spec, termText);
    if (target === undefined) {
      term.note = 'target depends on macros';
      return term;
    }
    if (here.includes(target)) {
      // §4.6.4: a receiver recurses until the limit and returns permerror.
      this.add({ kind: 'loop', name, term: termText, chain: [...here, target] });
      term.note = 'loop';
      return term;
    }
    if (depth >= this.maxDepth) {
      this.complete = false;
      this.add({ kind: 'too-deep', name, term: termText, maxDepth: this.maxDepth });
      term.note = 'too deep';
      return term;
    }
    const child = await this.node(target, here, kind, depth + 1, termText);
    if (child) {
      term.child = child;
      term.subtotal += child.lookups;
    } else {
      // The TXT question itself was void when the name has no TXT at all (§4.6.4).
      const answer = await this.dns.resolve(target, 'TXT');
      if (answer.status !== 'error' && recordsOf(answer, 'TXT').length === 0) this.markVoid(term, target, 'TXT');
    }
    return term;
  }
}

function capped(text: string): SpfTreeTerm {
  return { term: text, lookups: 0, subtotal: 0, note: `not counted: the walk stops at ${LOOKUP_CAP} lookups` };
}
