// SPF rules (RFC 7208): each problem the lookup walk or a record's text shows, as the one
// code and the words that plan, audit and import all report it with. The stages pick the
// codes they raise (src/base/codes.ts) and add their own evidence or position.

import type { Problem } from '../../base/finding.js';
import { SPF_LONG_RECORD_OCTETS, SPF_MAX_LOOKUPS, SPF_MAX_MX_HOSTS, SPF_MAX_VOID_LOOKUPS } from './limits.js';
import { LOOKUP_CAP, recordProblems, type SpfProblem, type SpfTreeNode, type SpfVoid } from './lookup-tree.js';
import { countSpfTermLookups, hasMacros, LOOKUP_TERMS, parseSpfRecord } from './record.js';
import { isChainLink, parseRangeTerm, uncoveredRanges, type FlattenResult, type SpfRange } from './flatten.js';

/** The code and words for one problem of the walk (or of a record read alone). */
export function describeSpfProblem(p: SpfProblem): Problem {
  const name = p.name;
  const at = (code: Problem['code'], message: string): Problem => ({ code, name, message });
  switch (p.kind) {
    case 'no-record': {
      if (p.role === 'root') {
        const why = p.nxdomain ? 'the name does not exist' : 'no TXT record starts with "v=spf1"';
        return at('spf.missing', `no SPF record at ${name}: ${why}`);
      }
      const why = p.nxdomain ? 'the name does not exist' : 'it publishes no v=spf1 record';
      // §5.2 (include) and §6.1 (redirect): a target without an SPF record is a permerror.
      return at(p.role === 'include' ? 'spf.include-missing' : 'spf.redirect-missing', `${p.role} target ${name} has no SPF record (${why}): receivers return permerror`);
    }
    case 'multiple-records':
      return at('spf.multiple', `${p.records.length} SPF records at ${name}: receivers return permerror`);
    case 'syntax': {
      const where = p.term !== undefined ? ` in "${p.term}"` : '';
      return at('spf.syntax', `SPF syntax error at ${name}${where}: ${p.error}`);
    }
    case 'too-long':
      return at('spf.too-long', `the SPF record is ${p.octets} octets (over ${SPF_LONG_RECORD_OCTETS})`);
    case 'pass-all': {
      const via = p.path.length === 0 ? '' : ` (reached through ${p.path.join(' → ')})`;
      return at('spf.pass-all', `"${p.term}" at ${name} authorizes every host on the Internet${via}`);
    }
    case 'neutral-all':
      return at('spf.neutral-all', `"${p.term}" at ${name}: unlisted hosts get neutral`);
    case 'no-all':
      return at('spf.no-all', `the SPF record at ${name} has neither "all" nor redirect=: unlisted hosts get neutral (§4.7)`);
    case 'redirect-ignored':
      return at('spf.redirect-ignored', `"${p.redirect}" at ${name} is never used because the record has "${p.all}"`);
    case 'ptr':
      return at('spf.ptr', `"${p.term}" at ${name}: ptr is slow and unreliable, and some receivers ignore it`);
    case 'mx-too-many-hosts':
      // §4.6.4: evaluating an mx term "MUST NOT result in querying more than 10 address records".
      return at('spf.mx-too-many-hosts', `"${p.term}" at ${name}: ${p.target} has ${p.hosts} MX hosts, over ${SPF_MAX_MX_HOSTS}: receivers return permerror`);
    case 'macro-target':
      return at('spf.macro-target', `"${p.term}" at ${name} is expanded per message; counts below it are not known`);
    case 'loop':
      return at('spf.loop', `"${p.term}" at ${name} loops: ${p.chain.join(' → ')}`);
    case 'too-deep':
      return at('spf.too-deep', `"${p.term}" at ${name} nests includes deeper than ${p.maxDepth} levels`);
    case 'lookup-failed':
      return at('spf.lookup-failed', `could not look up ${name}: ${p.reason}; the lookup count is a lower bound`);
  }
}

/** How a lookup count was made: by the walk (exact, or cut at LOOKUP_CAP), or from the text alone. */
export type LookupCount = { kind: 'walked'; tree?: SpfTreeNode; capped: boolean } | { kind: 'static'; terms: string[] };

/** §4.6.4: more than 10 DNS-querying terms; `null` within the limit. */
export function checkLookupLimit(name: string, lookups: number, count: LookupCount): Problem | null {
  if (lookups <= SPF_MAX_LOOKUPS) return null;
  if (count.kind === 'static') {
    return {
      code: 'spf.too-many-lookups',
      name,
      message: `at least ${lookups} DNS-querying terms (each include counted once), over the limit of ${SPF_MAX_LOOKUPS}: ${count.terms.map((t) => `${t} 1`).join(', ')}`,
    };
  }
  const total = count.capped ? `at least ${LOOKUP_CAP}` : `${lookups}`;
  return { code: 'spf.too-many-lookups', name, message: `${total} DNS-querying terms, over the limit of ${SPF_MAX_LOOKUPS}: ${count.tree ? breakdown(count.tree) : ''}` };
}

/** §4.6.4: more than 2 void lookups; `null` within the limit. */
export function checkVoidLimit(name: string, voids: readonly SpfVoid[]): Problem | null {
  if (voids.length <= SPF_MAX_VOID_LOOKUPS) return null;
  return {
    code: 'spf.void-lookups',
    name,
    message: `${voids.length} void lookups, over the limit of ${SPF_MAX_VOID_LOOKUPS}: ${voids.map((v) => `${v.term} (${v.target} ${v.type})`).join(', ')}`,
  };
}

/** §3.1, §14.1: a type 99 SPF record beside the TXT one. */
export function rrtypeSpfProblem(name: string): Problem {
  return { code: 'spf.rrtype-spf', name, message: 'a type SPF (99) record is published beside the TXT record' };
}

/** "a:x 1, include:y 4 (1 + 3 inside), mx 1" for the message of spf.too-many-lookups. */
function breakdown(node: SpfTreeNode): string {
  return node.terms
    .filter((t) => t.subtotal > 0)
    .map((t) => (t.subtotal > t.lookups ? `${t.term} ${t.subtotal} (1 + ${t.subtotal - t.lookups} inside)` : `${t.term} ${t.subtotal}`))
    .join(', ');
}

/**
 * What one SPF record's text shows without asking DNS, as the walk would meet it at the
 * domain's own name: syntax, length, the all term, redirect= beside all, ptr and macro
 * targets among the terms evaluated, and the lookup count with each include counted once.
 */
export function checkSpfRecord(name: string, text: string): Problem[] {
  const parsed = parseSpfRecord(text);
  if (!parsed.ok) {
    return [describeSpfProblem({ kind: 'syntax', name, record: text, error: parsed.error, ...(parsed.term !== undefined ? { term: parsed.term } : {}) })];
  }
  const record = parsed.record;
  const problems: SpfProblem[] = recordProblems(name, text, record, 'root', []);
  // The walk evaluates terms up to the first "all" (§4.6.2), then redirect= when there is none (§6.1).
  const end = record.mechanisms.findIndex((m) => m.name === 'all');
  const evaluated = end < 0 ? record.mechanisms : record.mechanisms.slice(0, end + 1);
  for (const mech of evaluated) {
    if (mech.name === 'ptr') problems.push({ kind: 'ptr', name, record: text, term: mech.text });
    else if (mech.target && hasMacros(mech.target)) problems.push({ kind: 'macro-target', name, term: mech.text });
  }
  if (end < 0 && record.redirect && hasMacros(record.redirect.value)) problems.push({ kind: 'macro-target', name, term: record.redirect.text });
  const out = problems.map(describeSpfProblem);
  const lookups = countSpfTermLookups(record);
  const terms = [...evaluated.filter((m) => LOOKUP_TERMS.has(m.name)).map((m) => m.text), ...(end < 0 && record.redirect ? [record.redirect.text] : [])];
  const limit = checkLookupLimit(name, lookups, { kind: 'static', terms });
  return limit ? [...out, limit] : out;
}

/** The ip4:/ip6: ranges a domain's record publishes, its chain links (`_spf<n>.<domain>`) included. */
export function publishedRanges(domain: string, node: SpfTreeNode): SpfRange[] {
  return node.terms.flatMap((t) => {
    if (t.child && isChainLink(t.child.domain, domain)) return publishedRanges(domain, t.child);
    const range = parseRangeTerm(t.term);
    return range ? [range] : [];
  });
}

/**
 * A flattened include (RFC 7208 §5.2) whose tree now passes ranges the published records
 * do not list, or can no longer be flattened: its mail fails SPF. `null` when covered, and
 * when the include could not be resolved (the caller reports that as unknown).
 */
export function checkFlattenCoverage(domain: string, result: FlattenResult, published: readonly SpfRange[]): Problem | null {
  const inc = `include:${result.domain}`;
  if (result.kind === 'unknown') return null;
  if (result.kind === 'refused') {
    return { code: 'spf.flatten-stale', name: domain, message: `${inc} is published flattened, but its tree can no longer be flattened: ${result.reasons.join('; ')}` };
  }
  const missing = uncoveredRanges(result.ranges, published);
  if (missing.length === 0) return null;
  return {
    code: 'spf.flatten-stale',
    name: domain,
    message: `${inc} is published flattened, but now passes ${missing.length} range${missing.length === 1 ? '' : 's'} the SPF of ${domain} does not list: ${missing.map((r) => r.term).join(', ')}; mail from there fails SPF (run mailrec plan --resolve, then apply)`,
  };
}
