// SPF lint (RFC 7208): findings for a domain's record and the whole lookup tree below it
// (src/spf/lookup-tree.ts), with per-term counts under §4.6.4.

import type { Resolver } from '../../dns/resolver.js';
import { SPF_LONG_RECORD_OCTETS, SPF_MAX_LOOKUPS, SPF_MAX_MX_HOSTS, SPF_MAX_VOID_LOOKUPS } from '../../spf/limits.js';
import { resolveSpfTree, type SpfProblem, type SpfTreeNode } from '../../spf/lookup-tree.js';
import type { Code } from '../codes.js';
import { evidenceFor, RecordingResolver, uncheckedFinding, unknownFinding } from '../evidence.js';
import { makeFinding, type Finding } from '../finding.js';

export type { SpfTreeNode, SpfTreeTerm } from '../../spf/lookup-tree.js';

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
  const walk = await resolveSpfTree(domain, rec, { onProblem: (p) => findings.push(...findingOf(domain, rec, p)) });
  const tree = walk.root;

  if (walk.lookups > SPF_MAX_LOOKUPS) {
    findings.push(
      makeFinding(
        'spf.too-many-lookups',
        domain,
        domain,
        `${walk.lookups} DNS-querying terms, over the limit of ${SPF_MAX_LOOKUPS}: ${tree ? breakdown(tree) : ''}`,
        { asked: rec.asked.filter((a) => a.type === 'TXT'), seen: walk.records },
      ),
    );
  }
  if (walk.voids.length > SPF_MAX_VOID_LOOKUPS) {
    findings.push(
      makeFinding(
        'spf.void-lookups',
        domain,
        domain,
        `${walk.voids.length} void lookups, over the limit of ${SPF_MAX_VOID_LOOKUPS}: ${walk.voids.map((v) => `${v.term} (${v.target} ${v.type})`).join(', ')}`,
        evidenceFor(rec, walk.voids.map((v) => v.target), walk.records),
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

  findings.push(...unknownsOf(domain, rec));
  return { ...(tree ? { tree } : {}), lookups: walk.lookups, voids: walk.voids.length, findings };
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

/** The finding for one problem of the walk; failed lookups are left to the `spf.unknown` finding. */
function findingOf(domain: string, rec: RecordingResolver, p: SpfProblem): Finding[] {
  const at = (code: Code, message: string, names: string[], seen?: string[]): Finding[] => [
    makeFinding(code, domain, p.name, message, evidenceFor(rec, names, seen)),
  ];
  const name = p.name;
  switch (p.kind) {
    case 'no-record': {
      if (p.role === 'root') {
        const why = p.nxdomain ? 'the name does not exist' : 'no TXT record starts with "v=spf1"';
        return at('spf.missing', `no SPF record at ${name}: ${why}`, [name], p.texts);
      }
      const why = p.nxdomain ? 'the name does not exist' : 'it publishes no v=spf1 record';
      const code = p.role === 'include' ? 'spf.include-missing' : 'spf.redirect-missing';
      return at(code, `${p.role} target ${name} has no SPF record (${why}): receivers return permerror`, [name], p.texts);
    }
    case 'multiple-records':
      return at('spf.multiple', `${p.records.length} SPF records at ${name}: receivers return permerror`, [name], p.records);
    case 'syntax': {
      const where = p.term !== undefined ? ` in "${p.term}"` : '';
      return at('spf.syntax', `SPF syntax error at ${name}${where}: ${p.error}`, [name], [p.record]);
    }
    case 'too-long':
      return at('spf.too-long', `the SPF record is ${p.octets} octets (over ${SPF_LONG_RECORD_OCTETS})`, [name], [p.record]);
    case 'pass-all': {
      const via = p.path.length === 0 ? '' : ` (reached through ${p.path.join(' → ')})`;
      return at('spf.pass-all', `"${p.term}" at ${name} authorizes every host on the Internet${via}`, [name], [p.record]);
    }
    case 'neutral-all':
      return at('spf.neutral-all', `"${p.term}" at ${name}: unlisted hosts get neutral`, [name], [p.record]);
    case 'no-all':
      return at('spf.no-all', `the SPF record at ${name} has neither "all" nor redirect=: unlisted hosts get neutral (§4.7)`, [name], [p.record]);
    case 'redirect-ignored':
      return at('spf.redirect-ignored', `"${p.redirect}" at ${name} is never used because the record has "${p.all}"`, [name], [p.record]);
    case 'ptr':
      return at('spf.ptr', `"${p.term}" at ${name}: ptr is slow and unreliable, and some receivers ignore it`, [name], [p.record]);
    case 'mx-too-many-hosts':
      return at(
        'spf.mx-too-many-hosts',
        `"${p.term}" at ${name}: ${p.target} has ${p.hosts} MX hosts, over ${SPF_MAX_MX_HOSTS}: receivers return permerror`,
        [p.target],
      );
    case 'macro-target':
      return at('spf.macro-target', `"${p.term}" at ${name} is expanded per message; counts below it are not known`, [name]);
    case 'loop':
      return at('spf.loop', `"${p.term}" at ${name} loops: ${p.chain.join(' → ')}`, p.chain.slice(0, -1));
    case 'too-deep': // only past the lookup limit, which spf.too-many-lookups reports
    case 'lookup-failed':
      return [];
  }
}

/** "a:x 1, include:y 4 (1 + 3 inside), mx 1" for the message of spf.too-many-lookups. */
function breakdown(node: SpfTreeNode): string {
  return node.terms
    .filter((t) => t.subtotal > 0)
    .map((t) => (t.subtotal > t.lookups ? `${t.term} ${t.subtotal} (1 + ${t.subtotal - t.lookups} inside)` : `${t.term} ${t.subtotal}`))
    .join(', ');
}
