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
import { SPF_LONG_RECORD_OCTETS, SPF_MAX_LOOKUPS, SPF_MAX_MX_HOSTS, SPF_MAX_VOID_LOOKUPS } from '../mail/spf/limits.js';
import { LOOKUP_CAP, resolveSpfTree, type SpfTree } from '../mail/spf/lookup-tree.js';
import { overlaySpfResolver } from '../mail/spf/overlay.js';
import { countSpfTermLookups, parseSpfRecord } from '../mail/spf/record.js';
import { type BuildResult, type Notice, hasErrors, makeNotice } from './notice.js';
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
          notices.push(
            makeNotice('error', 'spf.host-ip-literal', name, `sender host "${sender.host}" is an IP address; declare it as ip4: or ip6:`, {
              position,
              rfc: 'RFC 7208 §5.3',
            }),
          );
        } else hosts.push(host);
        break;
      }
      case 'ip4':
      case 'ip6': {
        const family = sender.kind === 'ip4' ? 4 : 6;
        const cidr = parseSenderCidr(sender.cidr, family);
        if (!cidr) {
          notices.push(
            makeNotice('error', `spf.invalid-${sender.kind}`, name, `"${sender.cidr}" is not a valid ${sender.kind} address or CIDR`, {
              position,
              rfc: 'RFC 7208 §5.6',
            }),
          );
        } else (family === 4 ? ip4 : ip6).push(cidr);
        break;
      }
      case 'include':
        includes.push(normalizeName(sender.domain.trim()));
        break;
      case 'provider': {
        const provider = findProvider(sender.name);
        if (!provider) {
          notices.push(
            makeNotice('error', 'spf.unknown-provider', name, `unknown sender provider "${sender.name}"; use include: with the provider's SPF domain`, {
              position,
            }),
          );
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
    notices.push(makeNotice('error', 'spf.pass-all', name, `spf.all "${String(domain.spfAll)}" is refused: use fail, softfail or neutral`, { position, rfc: 'RFC 7208 §10.1' }));
    return { text: ['v=spf1', ...terms].join(' '), notices };
  }
  return { text: ['v=spf1', ...terms, all].join(' '), notices };
}

function tooManyLookups(name: string, count: number, exact: boolean, position: SourcePosition | undefined): Notice {
  const how = exact ? `${count} DNS lookups (counted through includes)` : `at least ${count} DNS lookups`;
  return makeNotice(
    'error',
    'spf.too-many-lookups',
    name,
    `SPF record for ${name || 'the record'} needs ${how}; at most ${SPF_MAX_LOOKUPS} are allowed: replace a/mx/include terms with ip4:/ip6: or drop senders`,
    { position, rfc: 'RFC 7208 §4.6.4' },
  );
}

function finish(domain: DomainPolicy, text: string, notices: Notice[], lookups: number): SpfBuild {
  const octets = Buffer.byteLength(text, 'utf8');
  if (octets > SPF_LONG_RECORD_OCTETS) {
    notices.push(
      makeNotice('warning', 'spf.record-long', domain.name, `SPF record is ${octets} octets; over ${SPF_LONG_RECORD_OCTETS} it may not fit a UDP answer`, {
        position: domain.position,
        rfc: 'RFC 7208 §3.4',
      }),
    );
  }
  const records: RR[] = hasErrors(notices) ? [] : [txtRecord(domain.name, domain.ttl, text)];
  return { records, files: [], notices, text, lookups };
}

/** The SPF record of one domain, with a static lookup count (an include counts 1). */
export function buildSpf(domain: DomainPolicy): SpfBuild {
  const compiled = compileSpfText(domain);
  if (!compiled) return { records: [], files: [], notices: [], lookups: 0 };
  const notices = [...compiled.notices];
  const parsed = parseSpfRecord(compiled.text);
  const lookups = parsed.ok ? countSpfTermLookups(parsed.record) : 0;
  if (lookups > SPF_MAX_LOOKUPS) notices.push(tooManyLookups(domain.name, lookups, false, domain.position));
  return finish(domain, compiled.text, notices, lookups);
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
  return finish(domain, compiled.text, [...compiled.notices, ...checkSpfTree(tree, domain.name, domain.position)], tree.lookups);
}

/**
 * The builder's notices for a walked tree: what makes receivers fail the policy's record
 * (limits, loops, include targets without a usable record) and lookups that could not be
 * made. The record's own problems are buildSpf's (pass-all, record-long); lint of other
 * people's records (neutral all, macros, redirect beside all) is the audit's.
 */
export function checkSpfTree(tree: SpfTree, name: string, position?: SourcePosition): Notice[] {
  const notices: Notice[] = [];
  const note = (severity: Notice['severity'], code: string, at: string, message: string, rfc?: string): void => {
    notices.push(makeNotice(severity, code, at, message, { position, rfc }));
  };
  const failed = new Set<string>();
  for (const p of tree.problems) {
    switch (p.kind) {
      case 'syntax':
        note('error', 'spf.syntax', p.name, `SPF record at ${p.name} is invalid: ${p.error}${p.term !== undefined ? ` in "${p.term}"` : ''}`, 'RFC 7208 §4.6');
        break;
      case 'no-record':
        // §5.2 (include) and §6.1 (redirect): a target without an SPF record is a permerror.
        // The root always has one: it is the policy's own text.
        if (p.role !== 'root') {
          note('error', 'spf.include-no-record', p.name, `${p.term ?? p.role} (from ${p.from ?? name}) points at ${p.name}, which publishes no SPF record`, p.role === 'include' ? 'RFC 7208 §5.2' : 'RFC 7208 §6.1');
        }
        break;
      case 'multiple-records':
        note('error', 'spf.multiple-records', p.name, `${p.name} publishes ${p.records.length} SPF records; evaluation fails with permerror`, 'RFC 7208 §4.5');
        break;
      case 'ptr':
        note('warning', 'spf.ptr', p.name, `"ptr" in the SPF record at ${p.name} should not be used`, 'RFC 7208 §5.5');
        break;
      case 'mx-too-many-hosts':
        note('error', 'spf.mx-too-many', p.target, `"${p.term}" at ${p.name} resolves to ${p.hosts} MX hosts; at most ${SPF_MAX_MX_HOSTS} are allowed`, 'RFC 7208 §4.6.4');
        break;
      case 'loop':
        note('error', 'spf.include-loop', p.name, `SPF ${p.term} at ${p.name} loops back to ${p.chain[p.chain.length - 1]} (${p.chain.join(' -> ')})`, 'RFC 7208 §4.6.4');
        break;
      case 'too-deep':
        note('error', 'spf.too-deep', p.name, `SPF includes nest deeper than ${p.maxDepth} levels below ${name}`, 'RFC 7208 §4.6.4');
        break;
      case 'lookup-failed':
        if (failed.has(p.name)) break;
        failed.add(p.name);
        note('warning', 'spf.lookup-failed', p.name, `could not look up ${p.name}: ${p.reason}; the lookup count is a lower bound`);
        break;
    }
  }
  if (tree.lookups > SPF_MAX_LOOKUPS) {
    notices.push(
      tree.capped
        ? makeNotice('error', 'spf.too-many-lookups', name, `SPF record for ${name} needs more than ${LOOKUP_CAP} DNS lookups; at most ${SPF_MAX_LOOKUPS} are allowed`, { position, rfc: 'RFC 7208 §4.6.4' })
        : tooManyLookups(name, tree.lookups, true, position),
    );
  }
  if (tree.voids.length > SPF_MAX_VOID_LOOKUPS) {
    note('error', 'spf.too-many-void-lookups', name, `SPF evaluation for ${name} meets ${tree.voids.length} void lookups (NXDOMAIN or no answer); at most ${SPF_MAX_VOID_LOOKUPS} are allowed`, 'RFC 7208 §4.6.4');
  }
  return notices;
}
