// SPF lint (RFC 7208): findings for a domain's record and the whole lookup tree below it
// (src/mail/spf/lookup-tree.ts), with per-term counts under §4.6.4.

import type { Resolver } from '../../dns/resolver.js';
import { resolveSpfTree, type SpfProblem, type SpfTreeNode } from '../../mail/spf/lookup-tree.js';
import { raisedBy } from '../../base/codes.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { findingOf, type Evidence, type Finding } from '../../base/finding.js';
import { checkLookupLimit, checkVoidLimit, describeSpfProblem, rrtypeSpfProblem } from '../../mail/spf/rules.js';

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

  findings.push(...unknownFinding('spf', domain, rec.failed()));
  return { ...(tree ? { tree } : {}), lookups: walk.lookups, voids: walk.voids.length, findings };
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
