// SPF lint (RFC 7208): findings for a domain's record and the whole lookup tree below it
// (src/mail/spf/lookup-tree.ts), with per-term counts under §4.6.4.

import type { Resolver } from '../../dns/resolver.js';
import { resolveSpfTree, type SpfProblem, type SpfTreeNode } from '../../mail/spf/lookup-tree.js';
import { raisedBy, type Code } from '../../base/codes.js';
import { evidenceFor, RecordingResolver, uncheckedFinding, unknownFinding } from '../evidence.js';
import { findingOf, type Evidence, type Finding } from '../../base/finding.js';
import { checkFlattenCoverage, checkLookupLimit, checkVoidLimit, describeSpfProblem, publishedRanges, rrtypeSpfProblem } from '../../mail/spf/rules.js';
import { resolveSpfRanges } from '../../mail/spf/flatten.js';
import type { Resolver as BaseResolver } from '../../dns/resolver.js';

export type { SpfTreeNode, SpfTreeTerm } from '../../mail/spf/lookup-tree.js';

export interface SpfAnalysis {
  tree?: SpfTreeNode;
  lookups: number;
  voids: number;
  findings: Finding[];
}

/** The SPF lint needs nothing from the policy (yet). */
export type SpfCheckOptions = Record<string, never>;

/** The SPF findings for a domain. */
export async function checkSpf(domain: string, resolver: Resolver, _opts: SpfCheckOptions = {}): Promise<Finding[]> {
  return (await analyzeSpf(domain, resolver)).findings;
}

/** The SPF findings with the lookup tree and the totals (for reports and `spf check`). */
export async function analyzeSpf(domain: string, resolver: Resolver): Promise<SpfAnalysis> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  // Each finding's evidence is the questions asked by the time its problem is met.
  const walk = await resolveSpfTree(domain, rec, { onProblem: (p) => findings.push(...findingsOf(domain, rec, p)) });
  const tree = walk.root;

  const lookups = checkLookupLimit(domain, walk.lookups, { kind: 'walked', capped: walk.capped, ...(tree ? { tree } : {}) });
  if (lookups) findings.push(findingOf(lookups, domain, { asked: rec.asked.filter((a) => a.type === 'TXT'), seen: walk.records }));
  const voids = checkVoidLimit(domain, walk.voids);
  if (voids) findings.push(findingOf(voids, domain, evidenceFor(rec, walk.voids.map((v) => v.target), walk.records)));

  // §3.1, §14.1: the type 99 SPF record is obsolete. Asked only of a resolver that can.
  if (tree && rec.canResolveOtherTypes) {
    const answer = await rec.resolveType(domain, 'SPF');
    if (answer.status === 'ok' && answer.records.length > 0) {
      findings.push(
        findingOf(rrtypeSpfProblem(domain), domain, evidenceFor(rec, [domain])),
      );
    }
  }

  findings.push(...unknownsOf(domain, rec));
  return { ...(tree ? { tree } : {}), lookups: walk.lookups, voids: walk.voids.length, findings };
}

/**
 * The policy's flattened includes against DNS: each include's tree is resolved now and
 * its ranges compared with the ip4:/ip6: terms the domain publishes (its chain links
 * included). The audit knows which includes are flattened from the policy only: the
 * published record holds addresses, not where they came from.
 */
export async function checkFlattened(domain: string, resolver: BaseResolver, tree: SpfTreeNode | undefined, includes: readonly string[]): Promise<Finding[]> {
  if (includes.length === 0 || !tree) return [];
  const rec = new RecordingResolver(resolver);
  const published = publishedRanges(domain, tree);
  const findings: Finding[] = [];
  for (const include of includes) {
    const result = await resolveSpfRanges(include, rec);
    if (result.kind === 'unknown') {
      findings.push(...uncheckedFinding('spf', domain, include, `the flattened include ${include}`, ['spf.flatten-stale'], rec.failed()));
      continue;
    }
    const problem = checkFlattenCoverage(domain, result, published);
    if (problem) findings.push(findingOf(problem, domain, evidenceFor(rec, rec.asked.map((a) => a.name))));
  }
  return findings;
}

/** What the records below an unanswered include or redirect could still hold (§4.6.4, §5.2, §6.1). */
const BELOW_INCLUDE: Code[] = [
  'spf.too-many-lookups', 'spf.void-lookups', 'spf.include-missing', 'spf.redirect-missing', 'spf.loop',
  'spf.mx-too-many-hosts', 'spf.pass-all', 'spf.syntax', 'spf.multiple',
];

/**
 * The domain's own TXT unanswered: SPF is unknown. Below it, an include target outside
 * the zone repo (a provider's `_spf` name, typically) leaves unknown only what the records
 * there decide; an unanswered a/mx term only whether it is void (or has too many hosts).
 */
function unknownsOf(domain: string, rec: RecordingResolver): Finding[] {
  const own = rec.failed().filter((a) => a.name === domain && a.type === 'TXT');
  if (own.length > 0) return unknownFinding('spf', domain, own);
  const failed = rec.failed().filter((a) => !(a.name === domain && a.type === 'TXT'));
  if (failed.length === 0) return [];
  const codes = new Set<Code>();
  for (const a of failed) {
    if (a.type === 'TXT') for (const c of BELOW_INCLUDE) codes.add(c);
    else if (a.type === 'SPF') codes.add('spf.rrtype-spf');
    else {
      codes.add('spf.void-lookups');
      if (a.type === 'MX') codes.add('spf.mx-too-many-hosts');
    }
  }
  const names = [...new Set(failed.map((a) => a.name))];
  return uncheckedFinding('spf', domain, names[0]!, `the SPF lookup tree below ${names.join(', ')}`, [...codes], failed);
}

/** The evidence a problem of the walk rests on: the questions about the names it concerns. */
function evidenceOf(rec: RecordingResolver, p: SpfProblem): Evidence {
  switch (p.kind) {
    case 'no-record':
      return evidenceFor(rec, [p.name], p.texts);
    case 'multiple-records':
      return evidenceFor(rec, [p.name], p.records);
    case 'syntax':
    case 'too-long':
    case 'pass-all':
    case 'neutral-all':
    case 'no-all':
    case 'redirect-ignored':
    case 'ptr':
      return evidenceFor(rec, [p.name], [p.record]);
    case 'mx-too-many-hosts':
      return evidenceFor(rec, [p.target]);
    case 'loop':
      return evidenceFor(rec, p.chain.slice(0, -1));
    default:
      return evidenceFor(rec, [p.name]);
  }
}

/** The finding for one problem of the walk; failed lookups are left to the `spf.unknown` finding. */
function findingsOf(domain: string, rec: RecordingResolver, p: SpfProblem): Finding[] {
  const problem = describeSpfProblem(p);
  return raisedBy(problem.code, 'audit') ? [findingOf(problem, domain, evidenceOf(rec, p))] : [];
}
