// SPF (RFC 7208): policy senders -> one canonical "v=spf1" TXT record, and its DNS lookup count.
//
// Canonical term order (fixed, so the same policy always gives the same text):
//   a (self), mx, a:<host> (sorted), ip4:<cidr> (numeric), ip6:<cidr> (numeric),
//   include:<domain> (sorted; providers expand to their catalogue include, deduplicated),
//   then the all qualifier: -all (fail), ~all (softfail), ?all (neutral).
// `mail: none` gives "v=spf1 -all". Duplicate terms are dropped.

import { compareIp, isIpLiteral, parseCidr } from '../dns-types/ip.js';
import type { Resolver } from '../dns/resolver.js';
import type { SourcePosition } from '../base/errors.js';
import type { DomainPolicy, SpfAll } from '../policy/model.js';
import { resolveSpfTree, type SpfTree } from '../mail/spf/lookup-tree.js';
import { checkLookupLimit, checkSpfRecord, checkVoidLimit, describeSpfProblem } from '../mail/spf/rules.js';
import { overlaySpfRecords } from '../mail/spf/overlay.js';
import { layoutSpfChain, parseRangeTerm, resolveSpfRanges, type FlattenResult, type SpfChainRecord } from '../mail/spf/flatten.js';
import { adviseSpfRemedies, remedyProblems } from '../mail/spf/remedies.js';
import { SPF_MAX_LOOKUPS } from '../mail/spf/limits.js';
import { countSpfTermLookups, LOOKUP_TERMS, parseSpfRecord } from '../mail/spf/record.js';
import { type BuildResult, type Notice, hasErrors, makeNotice, planNotices } from './notice.js';
import { findProvider } from '../mail/providers.js';
import { type RR, normalizeName, txtRecord } from '../dns-types/rr.js';

const ALL_QUALIFIER: Record<SpfAll, string> = { fail: '-all', softfail: '~all', neutral: '?all' };

export interface SpfBuild extends BuildResult {
  /** The record's text, when the policy asks for one (also when it is refused). */
  text?: string;
  /** Lookup count: static (includes count 1) from buildSpf, exact from resolveSpfLookups. */
  lookups: number;
  /** The ranges published for each flattened include (the fragment keeps them as its cache). */
  flattened?: Map<string, string[]>;
}

interface Cidr {
  text: string;
  address: string;
  prefix: number;
}

/** Validate "addr[/prefix]" for ip4 (max 32) or ip6 (max 128); undefined when malformed. */
function parseSenderCidr(text: string, family: 4 | 6): Cidr | undefined {
  const trimmed = text.trim().toLowerCase();
  const cidr = parseCidr(trimmed, family);
  if (!cidr) return undefined;
  return { text: trimmed, address: trimmed.split('/')[0]!, prefix: cidr.prefix ?? (family === 4 ? 32 : 128) };
}

/** Numeric order of the network address, then the prefix length, then the text. */
function compareCidr(a: Cidr, b: Cidr): number {
  return compareIp(a.address, b.address) || a.prefix - b.prefix || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** A host's addresses as the zone repo holds them (own_hosts: addresses), or why mailrec cannot read them. */
export type HostAddresses = { ok: true; addresses: string[] } | { ok: false; reason: string };

/**
 * What the SPF builder reads beyond the policy, all of it gathered by the caller: the zone
 * repo's addresses of own hosts, the flattened ranges the fragment keeps, and (plan
 * --resolve) each flattened include's ranges now.
 */
export interface SpfInputs {
  /** own_hosts: addresses — the host's A/AAAA in the same plan; absent: the zone repo was not read. */
  hostAddresses?: (host: string) => HostAddresses;
  /** The ranges the fragment keeps for `include` flattened at `domain`; undefined: none; 'no-fragment': the zone has none (RFC 2136). */
  cachedRanges?: (domain: string, include: string) => string[] | undefined | 'no-fragment';
  /** plan --resolve: each flattened include's ranges now, by include domain. */
  fresh?: ReadonlyMap<string, FlattenResult>;
  /**
   * Evaluation, not publication (dmarc simulate): a flattened include as the include itself
   * and own hosts by name, which pass the same hosts as the published record should.
   */
  evaluate?: boolean;
}

/** The record of a domain in the parts the chain layout takes, with what it was made of. */
export interface CompiledSpf {
  /** The text at the domain itself. */
  text: string;
  /** Every record: the domain's, then its chain links (`_spf<n>.<domain>`) when the text is split. */
  chain: SpfChainRecord[];
  notices: Notice[];
  parts: { before: string[]; ranges: string[]; after: string[]; all?: string };
  /** The ranges published for each flattened include, by include domain (the fragment keeps them). */
  flattened: Map<string, string[]>;
  /** host: senders published by name (a:host). */
  hostsByName: string[];
  /** The ip4:/ip6: terms of host: senders published by address. */
  ownRanges: string[];
}

/** Policy senders -> the record text in canonical order, with any sender problems. */
export function compileSpfText(domain: DomainPolicy, inputs: SpfInputs = {}): CompiledSpf | undefined {
  const name = domain.name;
  const position = domain.position;
  const empty = { flattened: new Map<string, string[]>(), hostsByName: [], ownRanges: [] };
  // RFC 7208 §10.1.2 / RFC 7505 §4.1: a domain that sends no mail says so with "-all" alone.
  if (domain.noMail) return { text: 'v=spf1 -all', chain: [{ name, text: 'v=spf1 -all' }], notices: [], parts: { before: [], ranges: [], after: [], all: '-all' }, ...empty };
  if (domain.senders === undefined) return undefined;

  const notices: Notice[] = [];
  let self = false;
  let mx = false;
  const hosts: string[] = [];
  const ip4: Cidr[] = [];
  const ip6: Cidr[] = [];
  const includes: string[] = [];
  const flattened = new Map<string, string[]>();
  const extra: string[] = [];
  const byAddress = domain.spfOwnHosts === 'addresses' && !inputs.evaluate;

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
        if (isIpLiteral(host)) {
          notices.push(makeNotice('spf.host-ip-literal', name, `sender host "${sender.host}" is an IP address; declare it as ip4: or ip6:`, position));
        } else if (byAddress) {
          const found: HostAddresses = inputs.hostAddresses?.(host) ?? { ok: false, reason: 'the zone repo was not read' };
          if (found.ok && found.addresses.length > 0) extra.push(...found.addresses.map((a) => (a.includes(':') ? `ip6:${a}` : `ip4:${a}`)));
          else {
            const reason = found.ok ? `${host} has no A or AAAA record there` : found.reason;
            // Never dropped silently: a host left out of SPF fails every message it sends.
            notices.push(makeNotice('spf.own-host-unreadable', name, `own_hosts: addresses: cannot publish the addresses of ${host}: ${reason}`, position));
          }
        } else hosts.push(host);
        break;
      }
      case 'ip4':
      case 'ip6': {
        const family = sender.kind === 'ip4' ? 4 : 6;
        const cidr = parseSenderCidr(sender.cidr, family);
        if (!cidr) {
          notices.push(makeNotice(`spf.invalid-${sender.kind}`, name, `"${sender.cidr}" is not a valid ${sender.kind} address or CIDR`, position));
        } else (family === 4 ? ip4 : ip6).push(cidr);
        break;
      }
      case 'include': {
        const include = normalizeName(sender.domain.trim());
        if (!sender.flatten || inputs.evaluate) includes.push(include);
        else {
          const ranges = flattenedRanges(domain, include, inputs, notices);
          if (ranges) flattened.set(include, ranges);
        }
        break;
      }
      case 'provider': {
        const provider = findProvider(sender.name);
        if (!provider) {
          notices.push(makeNotice('spf.unknown-provider', name, `unknown sender provider "${sender.name}"; use include: with the provider's SPF domain`, position));
        } else includes.push(provider.spfInclude);
        break;
      }
    }
  }

  const ownRanges = [...extra];
  for (const term of [...extra, ...[...flattened.values()].flat()]) {
    const range = parseRangeTerm(term);
    if (!range) continue;
    const text = range.term.slice(4);
    (range.network.family === 4 ? ip4 : ip6).push({ text, address: text.split('/')[0]!, prefix: range.prefix });
  }
  const uniqueCidrs = (list: Cidr[]): string[] => [...new Set(list.sort(compareCidr).map((c) => c.text))];
  const before = [...(self ? ['a'] : []), ...(mx ? ['mx'] : []), ...sortedUnique(hosts).map((h) => `a:${h}`)];
  const ranges = [...uniqueCidrs(ip4).map((c) => `ip4:${c}`), ...uniqueCidrs(ip6).map((c) => `ip6:${c}`)];
  const after = sortedUnique(includes).map((d) => `include:${d}`);
  const all = ALL_QUALIFIER[domain.spfAll] as string | undefined;
  const rest = { flattened, hostsByName: sortedUnique(hosts), ownRanges };
  if (all === undefined) {
    // The loader refuses "pass"; a builder still never emits "+all" (RFC 7208 §10.1).
    notices.push(...planNotices([describeSpfProblem({ kind: 'pass-all', name, record: '', term: '+all', path: [] })], position));
    const text = ['v=spf1', ...before, ...ranges, ...after].join(' ');
    return { text, chain: [{ name, text }], notices, parts: { before, ranges, after }, ...rest };
  }
  // Only flattened ranges make a record long enough to split; the domain's own senders are short.
  const chain = flattened.size > 0 ? layoutSpfChain(name, before, ranges, after, all) : [{ name, text: ['v=spf1', ...before, ...ranges, ...after, all].join(' ') }];
  return { text: chain[0]!.text, chain, notices, parts: { before, ranges, after, all }, ...rest };
}

/**
 * The ranges to publish for a flattened include: the fresh ones (plan --resolve), else
 * what the fragment keeps. A tree that cannot be flattened, or no ranges known at all,
 * is an error: a flattened include is never published empty.
 */
function flattenedRanges(domain: DomainPolicy, include: string, inputs: SpfInputs, notices: Notice[]): string[] | undefined {
  const name = domain.name;
  const cached = inputs.cachedRanges?.(name, include);
  const fresh = inputs.fresh?.get(include);
  if (fresh?.kind === 'refused') {
    notices.push(makeNotice('spf.flatten-refused', name, `include:${include} cannot be flattened: ${fresh.reasons.join('; ')}`, domain.position));
    return undefined;
  }
  if (fresh?.kind === 'ok') {
    const now = fresh.ranges.map((r) => r.term);
    notices.push(...refreshNotices(name, include, Array.isArray(cached) ? cached : undefined, now, fresh.lookups, domain.position));
    return now;
  }
  if (Array.isArray(cached)) {
    if (fresh?.kind === 'unknown') {
      notices.push(makeNotice('spf.lookup-failed', name, `could not resolve include:${include} to refresh its flattened ranges (${fresh.reason}): the fragment's ${cached.length} ranges are kept`, domain.position));
    }
    return cached;
  }
  const why =
    fresh?.kind === 'unknown'
      ? `resolving it failed (${fresh.reason})`
      : cached === 'no-fragment'
        ? `no fragment of zone ${domain.zone} was read (an rfc2136 zone has none; plan --live reads none), so nothing keeps its ranges between runs: run mailrec plan --resolve`
        : 'the fragment keeps no ranges for it yet: run mailrec plan --resolve';
  notices.push(makeNotice('spf.flatten-uncached', name, `include:${include} is to be flattened, but ${why}`, domain.position));
  return undefined;
}

/** plan --resolve: what a flattened include adds and removes against the fragment, as one info notice. */
function refreshNotices(name: string, include: string, before: string[] | undefined, now: string[], lookups: number, position: SourcePosition): Notice[] {
  if (before === undefined) {
    return [makeNotice('spf.flatten-refresh', name, `include:${include} flattened into ${now.length} range${now.length === 1 ? '' : 's'} (the include cost ${lookups} lookup${lookups === 1 ? '' : 's'})`, position)];
  }
  const added = now.filter((t) => !before.includes(t));
  const removed = before.filter((t) => !now.includes(t));
  if (added.length === 0 && removed.length === 0) return [];
  const parts = [...(added.length > 0 ? [`adds ${added.join(', ')}`] : []), ...(removed.length > 0 ? [`removes ${removed.join(', ')}`] : [])];
  return [
    makeNotice(
      'spf.flatten-refresh',
      name,
      `include:${include} changed its ranges: ${parts.join('; ')}${removed.length > 0 ? ' (mail from the removed ranges fails SPF once applied: apply only when the provider no longer sends from them)' : ''}`,
      position,
    ),
  ];
}

function finish(domain: DomainPolicy, compiled: CompiledSpf, notices: Notice[]): SpfBuild {
  const records: RR[] = hasErrors(notices) ? [] : compiled.chain.map((r) => txtRecord(r.name, domain.ttl, r.text));
  return { records, files: [], notices, text: compiled.text, lookups: 0, ...(compiled.flattened.size > 0 ? { flattened: compiled.flattened } : {}) };
}

/** The SPF record of one domain, with a static lookup count (an include counts 1). */
export function buildSpf(domain: DomainPolicy, inputs: SpfInputs = {}): SpfBuild {
  const compiled = compileSpfText(domain, inputs);
  if (!compiled) return { records: [], files: [], notices: [], lookups: 0 };
  const parsed = parseSpfRecord(compiled.text);
  const problems = checkSpfRecord(domain.name, compiled.text);
  const own = parsed.ok ? countSpfTermLookups(parsed.record) : 0;
  // The record counts the include of the first chain link; every further link costs one more (§4.6.4).
  const links = compiled.chain.slice(1).map((r) => `include:${r.name}`);
  const lookups = own + Math.max(0, links.length - 1);
  if (lookups > own && !problems.some((p) => p.code === 'spf.too-many-lookups')) {
    const terms = parsed.ok ? parsed.record.mechanisms.filter((m) => LOOKUP_TERMS.has(m.name) && !links.includes(m.text)).map((m) => m.text) : [];
    const limit = checkLookupLimit(domain.name, lookups, { kind: 'static', terms: [...terms, ...links] });
    if (limit) problems.push(limit);
  }
  const notices = [...compiled.notices, ...planNotices(problems, domain.position)];
  return { ...finish(domain, compiled, notices), lookups };
}

/**
 * buildSpf with the exact lookup count: the policy's own records (the chain too) are
 * walked as if published, include and redirect trees are fetched through `resolver`, and
 * void lookups are counted (RFC 7208 §4.6.4). Over the limit, the remedies follow, each
 * with the count it would reach.
 */
export async function resolveSpfLookups(domain: DomainPolicy, resolver: Resolver, inputs: SpfInputs = {}): Promise<SpfBuild> {
  const compiled = compileSpfText(domain, inputs);
  if (!compiled) return { records: [], files: [], notices: [], lookups: 0 };
  const overlay = overlaySpfRecords(new Map(compiled.chain.map((r) => [r.name, r.text])), resolver);
  const tree = await resolveSpfTree(domain.name, overlay);
  const notices = [...compiled.notices, ...checkSpfTree(tree, domain.name, domain.position)];
  if (tree.lookups > SPF_MAX_LOOKUPS && tree.root) {
    const includes = compiled.parts.after.map((t) => t.slice('include:'.length));
    const resolved = await Promise.all(includes.map((d) => resolveSpfRanges(d, resolver)));
    const remedies = adviseSpfRemedies({
      domain: domain.name,
      tree: tree.root,
      lookups: tree.lookups,
      record: compiled.parts,
      hosts: compiled.hostsByName.map((host) => {
        const found: HostAddresses = inputs.hostAddresses?.(host) ?? { ok: false, reason: 'the zone repo was not read' };
        return found.ok && found.addresses.length > 0 ? { host } : { host, unreadable: found.ok ? 'no A or AAAA record in the zone repo' : found.reason };
      }),
      ownRanges: compiled.parts.ranges.flatMap((t) => parseRangeTerm(t) ?? []),
      includes: resolved,
    });
    notices.push(...planNotices(remedyProblems(domain.name, remedies), domain.position));
  }
  return { ...finish(domain, compiled, notices), lookups: tree.lookups };
}

/**
 * The plan's notices for a walked tree: what makes receivers fail the policy's record
 * (limits, loops, include targets without a usable record, its own length) and lookups
 * that could not be made. "+all" counts at the policy's own record only: what an include
 * publishes, like the rest of other people's records (neutral all, macros, redirect
 * beside all), is the audit's to lint.
 */
export function checkSpfTree(tree: SpfTree, name: string, position?: SourcePosition): Notice[] {
  const failed = new Set<string>();
  const problems = tree.problems.filter((p) => {
    if (p.kind === 'pass-all') return p.path.length === 0;
    if (p.kind !== 'lookup-failed') return true;
    // One notice per name, whatever the types asked.
    if (failed.has(p.name)) return false;
    failed.add(p.name);
    return true;
  });
  const limits = [
    checkLookupLimit(name, tree.lookups, { kind: 'walked', capped: tree.capped, ...(tree.root ? { tree: tree.root } : {}) }),
    checkVoidLimit(name, tree.voids),
  ];
  return planNotices([...problems.map(describeSpfProblem), ...limits.filter((p) => p !== null)], position);
}
