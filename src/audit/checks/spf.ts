// SPF lint (RFC 7208): one record, syntax, and the whole lookup tree with per-term
// counts under §4.6.4 — what a receiver that matches nothing would evaluate.

import type { Resolver } from '../../dns/resolver.js';
import { addressLookup, evidenceFor, recordsOf, RecordingResolver, txtTexts, unknownFinding } from '../evidence.js';
import { makeFinding, type Finding } from '../finding.js';
import {
  hasMacros,
  isSpfRecord,
  literalText,
  parseSpfRecord,
  type MacroString,
  type Mechanism,
} from '../spf-record.js';

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

export interface SpfAnalysis {
  tree?: SpfTreeNode;
  lookups: number;
  voids: number;
  findings: Finding[];
}

const MAX_LOOKUPS = 10;
const MAX_VOIDS = 2;
const MAX_MX_HOSTS = 10;
// §3.4: keep the record well under 512 octets so the UDP answer is not truncated.
const MAX_RECORD_OCTETS = 450;

/** The SPF lint needs nothing from the policy (yet). */
export type SpfCheckOptions = Record<string, never>;

/** The SPF findings for a domain. */
export async function checkSpf(domain: string, resolver: Resolver, _opts: SpfCheckOptions = {}): Promise<Finding[]> {
  return (await analyzeSpf(domain, resolver)).findings;
}

/** The SPF findings with the lookup tree and the totals (for reports and `spf check`). */
export async function analyzeSpf(domain: string, resolver: Resolver): Promise<SpfAnalysis> {
  const rec = new RecordingResolver(resolver);
  const walk = new Walk(domain, rec);
  const tree = await walk.node(domain, [], 'root');
  const findings = walk.findings;

  if (walk.lookups > MAX_LOOKUPS) {
    findings.push(
      makeFinding(
        'spf.too-many-lookups',
        domain,
        domain,
        `${walk.lookups} DNS-querying terms, over the limit of ${MAX_LOOKUPS}: ${tree ? breakdown(tree) : ''}`,
        { asked: rec.asked.filter((a) => a.type === 'TXT'), seen: walk.records },
      ),
    );
  }
  if (walk.voids.length > MAX_VOIDS) {
    findings.push(
      makeFinding(
        'spf.void-lookups',
        domain,
        domain,
        `${walk.voids.length} void lookups, over the limit of ${MAX_VOIDS}: ${walk.voids.join(', ')}`,
        evidenceFor(rec, walk.voidNames, walk.records),
      ),
    );
  }

  // §3.1, §14.1: the type 99 SPF record is obsolete. Asked only of a resolver that can.
  if (tree && rec.canResolveOtherTypes) {
    const answer = await rec.resolveType(domain, 'SPF');
    if (answer.status === 'ok' && answer.records.length > 0) {
      findings.push(
        makeFinding('spf.rrtype-spf', domain, domain, 'a type SPF (99) record is published beside the TXT record', evidenceFor(rec, [domain])),
      );
    }
  }

  findings.push(...unknownFinding('spf', domain, rec.failed()));
  return { ...(tree ? { tree } : {}), lookups: walk.lookups, voids: walk.voids.length, findings };
}

type Role = 'root' | 'include' | 'redirect';

class Walk {
  readonly findings: Finding[] = [];
  lookups = 0;
  readonly voids: string[] = [];
  readonly voidNames: string[] = [];
  readonly records: string[] = [];

  constructor(
    private readonly domain: string,
    private readonly rec: RecordingResolver,
  ) {}

  private add(code: Parameters<typeof makeFinding>[0], name: string, message: string, names: string[], seen?: string[]): void {
    this.findings.push(makeFinding(code, this.domain, name, message, evidenceFor(this.rec, names, seen)));
  }

  /**
   * Walks the record at `name`. Returns undefined when there is no usable record (the
   * caller reports it in its own terms). `path`: the include/redirect chain above.
   */
  async node(name: string, path: string[], role: Role): Promise<SpfTreeNode | undefined> {
    const answer = await this.rec.resolve(name, 'TXT');
    if (answer.status === 'error') return undefined; // unknown: reported once, at the end
    const texts = txtTexts(answer);
    const spf = texts.filter(isSpfRecord);
    if (spf.length === 0) {
      if (role === 'root') {
        const why = answer.status === 'nxdomain' ? 'the name does not exist' : 'no TXT record starts with "v=spf1"';
        this.add('spf.missing', name, `no SPF record at ${name}: ${why}`, [name], texts);
      } else {
        const code = role === 'include' ? 'spf.include-missing' : 'spf.redirect-missing';
        const why = answer.status === 'nxdomain' ? 'the name does not exist' : 'it publishes no v=spf1 record';
        this.add(code, name, `${role} target ${name} has no SPF record (${why}): receivers return permerror`, [name], texts);
      }
      return undefined;
    }
    if (spf.length > 1) {
      this.add('spf.multiple', name, `${spf.length} SPF records at ${name}: receivers return permerror`, [name], spf);
      return undefined;
    }
    const text = spf[0]!;
    this.records.push(text);
    const parsed = parseSpfRecord(text);
    if (!parsed.ok) {
      const at = parsed.term !== undefined ? ` in "${parsed.term}"` : '';
      this.add('spf.syntax', name, `SPF syntax error at ${name}${at}: ${parsed.error}`, [name], [text]);
      return undefined;
    }
    const record = parsed.record;
    if (role === 'root') {
      const octets = Buffer.byteLength(text, 'utf8');
      if (octets > MAX_RECORD_OCTETS) {
        this.add('spf.too-long', name, `the SPF record is ${octets} octets (over ${MAX_RECORD_OCTETS})`, [name], [text]);
      }
    }

    const node: SpfTreeNode = { domain: name, record: text, terms: [], lookups: 0 };
    const allTerm = record.mechanisms.find((m) => m.name === 'all');
    // §5.1: an "all" that passes authorizes every host, also from inside an include.
    if (allTerm && allTerm.qualifier === '+') {
      const via = role === 'root' ? '' : ` (reached through ${path.join(' → ')})`;
      this.add('spf.pass-all', name, `"${allTerm.text}" at ${name} authorizes every host on the Internet${via}`, [name], [text]);
    }
    // The result-deciding record (the domain's own, or its redirect target) should end
    // in -all or ~all; an include's own "all" only decides whether the include matches.
    if (role !== 'include') {
      if (allTerm && allTerm.qualifier === '?') {
        this.add('spf.neutral-all', name, `"${allTerm.text}" at ${name}: unlisted hosts get neutral`, [name], [text]);
      } else if (!allTerm && !record.redirect) {
        this.add('spf.no-all', name, `the SPF record at ${name} has neither "all" nor redirect=: unlisted hosts get neutral (§4.7)`, [name], [text]);
      }
    }
    if (allTerm && record.redirect) {
      this.add('spf.redirect-ignored', name, `"${record.redirect.text}" at ${name} is never used because the record has "${allTerm.text}"`, [name], [text]);
    }

    const here = [...path, name];
    let reachedAll = false;
    for (const mech of record.mechanisms) {
      if (reachedAll) {
        node.terms.push({ term: mech.text, lookups: 0, subtotal: 0, note: 'after "all": never evaluated' });
        continue;
      }
      const term = await this.mechanism(name, mech, here, text);
      node.terms.push(term);
      node.lookups += term.subtotal;
      if (mech.name === 'all') reachedAll = true;
    }
    // §6.1: redirect is used only when no mechanism matched, and never beside "all".
    if (record.redirect && !allTerm) {
      const term = await this.follow(name, 'redirect', record.redirect.value, record.redirect.text, here);
      node.terms.push(term);
      node.lookups += term.subtotal;
    }
    return node;
  }

  private async mechanism(name: string, mech: Mechanism, here: string[], text: string): Promise<SpfTreeTerm> {
    switch (mech.name) {
      case 'all':
      case 'ip4':
      case 'ip6':
        return { term: mech.text, lookups: 0, subtotal: 0 };
      case 'include':
        return this.follow(name, 'include', mech.target!, mech.text, here);
      case 'ptr':
        // §5.5: "This mechanism SHOULD NOT be published." It still costs a lookup.
        this.add('spf.ptr', name, `"${mech.text}" at ${name}: ptr is slow and unreliable, and some receivers ignore it`, [name], [text]);
        this.lookups++;
        return { term: mech.text, lookups: 1, subtotal: 1, note: 'depends on the client address' };
      case 'a':
      case 'mx':
      case 'exists': {
        // Every one of these costs one lookup, whatever its form: "a", "a:host", "+a",
        // "a/24", "a:host//64" (§4.6.4 counts terms, not names).
        this.lookups++;
        const term: SpfTreeTerm = { term: mech.text, lookups: 1, subtotal: 1 };
        const target = mech.target ? this.literal(name, mech.target, mech.text) : name;
        if (target === undefined) {
          term.note = 'target depends on macros';
          return term;
        }
        if (mech.name === 'mx') {
          const answer = await this.rec.resolve(target, 'MX');
          if (answer.status === 'error') return term;
          const hosts = recordsOf(answer, 'MX').filter((m) => m.exchange !== '');
          term.mxHosts = hosts.length;
          if (recordsOf(answer, 'MX').length === 0) this.markVoid(term, target, 'MX');
          // §4.6.4: evaluating an mx term "MUST NOT result in querying more than 10 address records".
          if (hosts.length > MAX_MX_HOSTS) {
            this.add(
              'spf.mx-too-many-hosts',
              name,
              `"${mech.text}" at ${name}: ${target} has ${hosts.length} MX hosts, over ${MAX_MX_HOSTS}: receivers return permerror`,
              [target],
            );
          }
          return term;
        }
        if (mech.name === 'exists') {
          const answer = await this.rec.resolve(target, 'A');
          if (answer.status !== 'error' && recordsOf(answer, 'A').length === 0) this.markVoid(term, target, 'A');
          return term;
        }
        // a: void only when the name has neither A nor AAAA (a client of either family may ask).
        if ((await addressLookup(this.rec, target)) === 'absent') this.markVoid(term, target, 'A/AAAA');
        return term;
      }
    }
  }

  private markVoid(term: SpfTreeTerm, target: string, type: string): void {
    term.void = true;
    this.voids.push(`${term.term} (${target} ${type})`);
    this.voidNames.push(target);
  }

  /** The target name, or undefined (with an info finding) when it depends on macros. */
  private literal(name: string, spec: MacroString, termText: string): string | undefined {
    if (hasMacros(spec)) {
      this.add('spf.macro-target', name, `"${termText}" at ${name} is expanded per message; counts below it are not known`, [name]);
      return undefined;
    }
    return literalText(spec).replace(/\.$/, '').toLowerCase();
  }

  private async follow(name: string, kind: 'include' | 'redirect', spec: MacroString, termText: string, here: string[]): Promise<SpfTreeTerm> {
    this.lookups++;
    const term: SpfTreeTerm = { term: termText, lookups: 1, subtotal: 1 };
    const target = this.literal(name, spec, termText);
    if (target === undefined) {
      term.note = 'target depends on macros';
      return term;
    }
    if (here.includes(target)) {
      // §4.6.4: a receiver recurses until the limit and returns permerror.
      this.add('spf.loop', name, `"${termText}" at ${name} loops: ${[...here, target].join(' → ')}`, here);
      term.note = 'loop';
      return term;
    }
    const child = await this.node(target, here, kind);
    if (child) {
      term.child = child;
      term.subtotal += child.lookups;
    } else {
      // The TXT question itself was void when the name has no TXT at all (§4.6.4).
      const answer = await this.rec.resolve(target, 'TXT');
      if (answer.status !== 'error' && recordsOf(answer, 'TXT').length === 0) this.markVoid(term, target, 'TXT');
    }
    return term;
  }
}

/** "a:x 1, include:y 4 (1 + 3 inside), mx 1" for the message of spf.too-many-lookups. */
function breakdown(node: SpfTreeNode): string {
  return node.terms
    .filter((t) => t.subtotal > 0)
    .map((t) => (t.subtotal > t.lookups ? `${t.term} ${t.subtotal} (1 + ${t.subtotal - t.lookups} inside)` : `${t.term} ${t.subtotal}`))
    .join(', ');
}
