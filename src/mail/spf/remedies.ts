// Ways out of the 10-lookup limit (RFC 7208 §4.6.4), safest first, each with the count
// it reaches: drop an include whose addresses another sender already lists; move a bulk
// sender to an envelope subdomain of its own; publish the domain's own hosts by address;
// flatten a named include. Pure: the caller walks the tree and resolves the ranges.

import type { Problem } from '../../base/finding.js';
import { providerOfInclude } from '../providers.js';
import { layoutSpfChain, uncoveredRanges, type FlattenResult, type SpfRange } from './flatten.js';
import { SPF_MAX_LOOKUPS } from './limits.js';
import type { SpfTreeNode } from './lookup-tree.js';

export type RemedyKind = 'drop-covered' | 'envelope-subdomain' | 'own-hosts' | 'flatten' | 'cannot-flatten';

export interface Remedy {
  kind: RemedyKind;
  /** The lookup count the record would reach with this remedy alone; undefined when it does not apply. */
  lookups?: number;
  message: string;
}

/** A host: sender published by name, and what the zone repo says about its addresses. */
export interface RemedyHost {
  host: string;
  /** Why its addresses cannot be published; undefined when they can. */
  unreadable?: string;
}

/** The record as built, in the parts layoutSpfChain takes. */
export interface RemedyRecord {
  before: string[];
  ranges: string[];
  after: string[];
  all?: string;
}

export interface RemedyInput {
  domain: string;
  /** The walked tree of the record as built (its root node) and its total. */
  tree: SpfTreeNode;
  lookups: number;
  record: RemedyRecord;
  /** host: senders published as a:host. */
  hosts: RemedyHost[];
  /** The ranges the record lists itself (ip4:/ip6: senders, own hosts by address). */
  ownRanges: SpfRange[];
  /** Each include the record publishes (not the chain's own links), resolved to ranges. */
  includes: FlattenResult[];
  /** The envelope subdomain to suggest (default "bounce.<domain>"). */
  subdomain?: string;
}

/** What `include:<domain>` costs in the tree, itself and below. */
function costOf(tree: SpfTreeNode, include: string): number {
  return tree.terms.find((t) => t.term.toLowerCase() === `include:${include}`)?.subtotal ?? 1;
}

/** How many chain links the record holds now (includes of `_spf<n>.<domain>` in the root). */
function linksOf(record: RemedyRecord, domain: string): number {
  return layoutSpfChain(domain, [...record.before], record.ranges, [...record.after], record.all).length - 1;
}

/** The remedies, safest first; within a kind, the lowest count first. */
export function adviseSpfRemedies(input: RemedyInput): Remedy[] {
  const { domain, tree, lookups, record } = input;
  const links = linksOf(record, domain);
  const ok = input.includes.filter((r): r is Extract<FlattenResult, { kind: 'ok' }> => r.kind === 'ok');
  const reach = (n: number) => `${n} lookup${n === 1 ? '' : 's'}${n <= SPF_MAX_LOOKUPS ? ' (within the limit)' : ''}`;
  const out: Remedy[] = [];
  const byCount = (list: Remedy[]) => list.sort((a, b) => (a.lookups ?? 99) - (b.lookups ?? 99));

  // 1. An include whose every range another sender already lists adds nothing.
  const drops: Remedy[] = [];
  for (const inc of ok) {
    const others = [...input.ownRanges, ...ok.filter((o) => o !== inc).flatMap((o) => o.ranges)];
    if (inc.ranges.length === 0 || uncoveredRanges(inc.ranges, others).length > 0) continue;
    // Who covers it: the record's own ranges, and each other include that holds one of its ranges.
    const by = [
      ...(uncoveredRanges(inc.ranges, input.ownRanges).length < inc.ranges.length ? ['the ip4:/ip6: senders'] : []),
      ...ok.filter((o) => o !== inc && uncoveredRanges(inc.ranges, o.ranges).length < inc.ranges.length).map((o) => `include:${o.domain}`),
    ];
    const n = lookups - costOf(tree, inc.domain);
    drops.push({ kind: 'drop-covered', lookups: n, message: `drop include:${inc.domain}: every range it passes is already listed by ${by.join(' and ')}; ${reach(n)}` });
  }
  out.push(...byCount(drops));

  // 2. A bulk sender with its own envelope subdomain (its Return-Path) leaves the domain's record (RFC 7208 §2.4: SPF checks the MAIL FROM domain).
  const sub = input.subdomain ?? `bounce.${domain}`;
  const moves: Remedy[] = [];
  for (const inc of input.includes) {
    const provider = providerOfInclude(inc.domain);
    if (provider?.role === 'mailbox') continue;
    const n = lookups - costOf(tree, inc.domain);
    const how = provider?.returnPath
      ? `${provider.title}'s ${provider.returnPath.setting} (${provider.returnPath.source})`
      : `the service's "custom return-path" or "custom bounce domain" setting, if it has one`;
    moves.push({
      kind: 'envelope-subdomain',
      lookups: n,
      message: `move include:${inc.domain} to its own envelope subdomain (${sub} with "v=spf1 include:${inc.domain} -all") through ${how}; DMARC still aligns under relaxed aspf; ${reach(n)}`,
    });
  }
  out.push(...byCount(moves));

  // 3. Own hosts by address: the zone repo holds them, so plan sees every change.
  const readable = input.hosts.filter((h) => h.unreadable === undefined);
  if (input.hosts.length > 0) {
    const n = lookups - readable.length;
    const left = input.hosts.filter((h) => h.unreadable !== undefined).map((h) => `${h.host} (${h.unreadable})`);
    out.push({
      kind: 'own-hosts',
      ...(readable.length > 0 ? { lookups: n } : {}),
      message:
        readable.length > 0
          ? `publish the addresses of ${readable.map((h) => h.host).join(', ')} (spf: { own_hosts: addresses }): read from the zone repo in the same plan; ${reach(n)}${left.length > 0 ? `; stays by name: ${left.join(', ')}` : ''}`
          : `own hosts by address does not apply: ${left.join(', ')}`,
    });
  }

  // 4. Flatten a named include: the riskiest, kept correct by plan --resolve and the audit.
  const flats: Remedy[] = [];
  for (const inc of input.includes) {
    if (inc.kind === 'refused') {
      out.push({ kind: 'cannot-flatten', message: `include:${inc.domain} cannot be flattened: ${inc.reasons.join('; ')}` });
      continue;
    }
    if (inc.kind === 'unknown') {
      out.push({ kind: 'cannot-flatten', message: `include:${inc.domain} could not be resolved to ranges (${inc.reason}): flattening it is not advised until it is` });
      continue;
    }
    const after = record.after.filter((t) => t.toLowerCase() !== `include:${inc.domain}`);
    const ranges = [...record.ranges, ...inc.ranges.map((r) => r.term)];
    const newLinks = layoutSpfChain(domain, [...record.before], ranges, after, record.all).length - 1;
    const n = lookups - costOf(tree, inc.domain) - links + newLinks;
    flats.push({
      kind: 'flatten',
      lookups: n,
      message: `flatten include:${inc.domain} (flatten: true): ${inc.ranges.length} range${inc.ranges.length === 1 ? '' : 's'}${newLinks > links ? ` in a chain of ${newLinks} link${newLinks === 1 ? '' : 's'}` : ''}, refreshed by plan --resolve and watched by audit (spf.flatten-stale); ${reach(n)}`,
    });
  }
  out.push(...byCount(flats));
  return out;
}

/** The remedies as plan notices (`spf.remedy`, info), numbered in order of safety. */
export function remedyProblems(domain: string, remedies: readonly Remedy[]): Problem[] {
  return remedies.map((r, i) => ({ code: 'spf.remedy', name: domain, message: `remedy ${i + 1}: ${r.message}` }));
}
