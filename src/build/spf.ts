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
import { overlaySpfResolver } from '../mail/spf/overlay.js';
import { countSpfTermLookups, parseSpfRecord } from '../mail/spf/record.js';
import { type BuildResult, type Notice, hasErrors, makeNotice, planNotices } from './notice.js';
import { findProvider } from '../mail/providers.js';
import { type RR, normalizeName, txtRecord } from '../dns-types/rr.js';

const ALL_QUALIFIER: Record<SpfAll, string> = { fail: '-all', softfail: '~all', neutral: '?all' };

export interface SpfBuild extends BuildResult {
  /** The record's text, when the policy asks for one (also when it is refused). */
  text?: string;
  /** Lookup count: static (includes count 1) from buildSpf, exact from resolveSpfLookups. */
  lookups: number;
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
        if (isIpLiteral(host)) {
          notices.push(makeNotice('spf.host-ip-literal', name, `sender host "${sender.host}" is an IP address; declare it as ip4: or ip6:`, position));
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
      case 'include':
        includes.push(normalizeName(sender.domain.trim()));
        break;
      case 'provider': {
        const provider = findProvider(sender.name);
        if (!provider) {
          notices.push(makeNotice('spf.unknown-provider', name, `unknown sender provider "${sender.name}"; use include: with the provider's SPF domain`, position));
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
    notices.push(...planNotices([describeSpfProblem({ kind: 'pass-all', name, record: '', term: '+all', path: [] })], position));
    return { text: ['v=spf1', ...terms].join(' '), notices };
  }
  return { text: ['v=spf1', ...terms, all].join(' '), notices };
}

function finish(domain: DomainPolicy, text: string, notices: Notice[]): SpfBuild {
  const records: RR[] = hasErrors(notices) ? [] : [txtRecord(domain.name, domain.ttl, text)];
  return { records, files: [], notices, text, lookups: 0 };
}

/** The SPF record of one domain, with a static lookup count (an include counts 1). */
export function buildSpf(domain: DomainPolicy): SpfBuild {
  const compiled = compileSpfText(domain);
  if (!compiled) return { records: [], files: [], notices: [], lookups: 0 };
  const parsed = parseSpfRecord(compiled.text);
  const notices = [...compiled.notices, ...planNotices(checkSpfRecord(domain.name, compiled.text), domain.position)];
  return { ...finish(domain, compiled.text, notices), lookups: parsed.ok ? countSpfTermLookups(parsed.record) : 0 };
}

/**
 * buildSpf with the exact lookup count: the policy's own text is walked as if published
 * at the domain, include and redirect trees are fetched through `resolver`, and void
 * lookups are counted (RFC 7208 §4.6.4).
 */
export async function resolveSpfLookups(domain: DomainPolicy, resolver: Resolver): Promise<SpfBuild> {
  const compiled = compileSpfText(domain);
  if (!compiled) return { records: [], files: [], notices: [], lookups: 0 };
  const tree = await resolveSpfTree(domain.name, overlaySpfResolver(domain.name, compiled.text, resolver));
  return { ...finish(domain, compiled.text, [...compiled.notices, ...checkSpfTree(tree, domain.name, domain.position)]), lookups: tree.lookups };
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
