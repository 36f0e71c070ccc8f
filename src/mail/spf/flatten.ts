// Flattening an SPF include (RFC 7208 §5.2): the fixed set of address ranges a
// domain's SPF tree passes, or exactly which terms keep it from having one; the
// ranges as ip4:/ip6: terms, a coverage test between two sets, and the split of a
// long record into a chain of includes under the length limit. Pure given a Resolver.

import type { Resolver } from '../../dns/resolver.js';
import { recordsOf, txtTexts } from '../../dns/answers.js';
import { formatIp, inPrefix, parseCidr, parseIp, type IpAddress } from '../../dns-types/ip.js';
import { SPF_LONG_RECORD_OCTETS, SPF_MAX_MX_HOSTS } from './limits.js';
import { hasMacros, isSpfRecord, literalText, parseSpfRecord, type MacroString, type Mechanism } from './record.js';

/** One network an ip4:/ip6: term names, with the host bits cleared. */
export interface SpfRange {
  network: IpAddress;
  prefix: number;
  /** The term: "ip4:192.0.2.0/24", "ip4:192.0.2.1" (a /32 and a /128 are written bare). */
  term: string;
}

export type FlattenResult =
  | { kind: 'ok'; domain: string; ranges: SpfRange[]; lookups: number }
  /** The tree passes something no fixed address set can hold (macros, exists:, ptr, …); each reason names the term. */
  | { kind: 'refused'; domain: string; reasons: string[] }
  /** A lookup failed: the set is not known (never taken as empty). */
  | { kind: 'unknown'; domain: string; reason: string };

/** A range from an address and a prefix length, its host bits cleared. */
export function makeRange(address: IpAddress, prefix: number): SpfRange {
  const bytes = Uint8Array.from(address.bytes);
  let bits = prefix;
  for (let i = 0; i < bytes.length; i++) {
    const keep = bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    bytes[i] = bytes[i]! & keep;
    bits -= 8;
  }
  const network = { family: address.family, bytes };
  const max = address.family === 4 ? 32 : 128;
  return { network, prefix, term: `ip${address.family}:${formatIp(network)}${prefix === max ? '' : `/${prefix}`}` };
}

/** "ip4:192.0.2.0/24" or "ip6:2001:db8::/32" → a range; undefined for any other term. */
export function parseRangeTerm(term: string): SpfRange | undefined {
  const m = /^\+?ip([46]):(.+)$/i.exec(term);
  if (!m) return undefined;
  const family = Number(m[1]) as 4 | 6;
  // The address codec's own CIDR reader (RFC 7208 §5.6 lengths), not a second one here.
  const cidr = parseCidr(m[2]!, family);
  return cidr && makeRange(cidr.address, cidr.prefix ?? (family === 4 ? 32 : 128));
}

/** True when `outer` holds every address of `inner`. */
export function rangeCovers(outer: SpfRange, inner: SpfRange): boolean {
  return outer.prefix <= inner.prefix && inPrefix(inner.network, outer.network, outer.prefix);
}

/** The ranges of `needed` that no range of `have` holds. */
export function uncoveredRanges(needed: readonly SpfRange[], have: readonly SpfRange[]): SpfRange[] {
  return needed.filter((n) => !have.some((h) => rangeCovers(h, n)));
}

/** Canonical order: IPv4 first, then by network, then the wider range first. */
export function compareRanges(a: SpfRange, b: SpfRange): number {
  if (a.network.family !== b.network.family) return a.network.family - b.network.family;
  for (let i = 0; i < a.network.bytes.length; i++) if (a.network.bytes[i] !== b.network.bytes[i]) return a.network.bytes[i]! - b.network.bytes[i]!;
  return a.prefix - b.prefix;
}

/** Sorted, without duplicates and without ranges another range of the set holds. */
export function normalizeRanges(ranges: readonly SpfRange[]): SpfRange[] {
  const sorted = [...ranges].sort(compareRanges);
  const out: SpfRange[] = [];
  for (const r of sorted) if (!out.some((o) => rangeCovers(o, r))) out.push(r);
  return out;
}

/**
 * The address ranges the SPF tree at `domain` passes (what `include:domain` matches,
 * §5.2), with the lookups the include costs today. Refused, with every reason, when a
 * term depends on the message or the client (macros §7, exists §5.7, ptr §5.5), does not
 * pass (a qualifier other than "+" before the end changes what the include matches), or
 * passes every host (+all); unknown when a lookup fails.
 */
export async function resolveSpfRanges(domain: string, resolver: Resolver): Promise<FlattenResult> {
  const walk = new RangeWalk(resolver);
  try {
    await walk.node(domain, []);
  } catch (error) {
    if (error instanceof LookupFailed) return { kind: 'unknown', domain, reason: error.message };
    throw error;
  }
  if (walk.reasons.length > 0) return { kind: 'refused', domain, reasons: walk.reasons };
  return { kind: 'ok', domain, ranges: normalizeRanges(walk.ranges), lookups: walk.lookups };
}

class LookupFailed extends Error {}

class RangeWalk {
  readonly ranges: SpfRange[] = [];
  readonly reasons: string[] = [];
  /** Include and redirect terms below the top and every a/mx/exists/ptr term (§4.6.4), plus 1 for the include itself. */
  lookups = 1;

  constructor(private readonly resolver: Resolver) {}

  private async ask(name: string, type: 'TXT' | 'A' | 'AAAA' | 'MX') {
    const answer = await this.resolver.resolve(name, type);
    if (answer.status === 'error') throw new LookupFailed(`${name} ${type}: ${answer.reason}`);
    return answer;
  }

  private target(at: string, spec: MacroString | undefined, term: string): string | undefined {
    if (!spec) return at;
    if (hasMacros(spec)) {
      this.reasons.push(`"${term}" at ${at} uses macros, expanded per message (RFC 7208 §7)`);
      return undefined;
    }
    return literalText(spec).replace(/\.$/, '').toLowerCase();
  }

  async node(name: string, chain: string[]): Promise<void> {
    if (chain.includes(name)) {
      this.reasons.push(`${[...chain, name].join(' → ')} loops (RFC 7208 §4.6.4: permerror)`);
      return;
    }
    const spf = txtTexts(await this.ask(name, 'TXT')).filter(isSpfRecord);
    if (spf.length !== 1) {
      this.reasons.push(spf.length === 0 ? `${name} publishes no SPF record (RFC 7208 §5.2: permerror)` : `${name} publishes ${spf.length} SPF records (RFC 7208 §4.5: permerror)`);
      return;
    }
    const parsed = parseSpfRecord(spf[0]!);
    if (!parsed.ok) {
      this.reasons.push(`the SPF record at ${name} does not parse: ${parsed.error}`);
      return;
    }
    const here = [...chain, name];
    let ended = false;
    for (const mech of parsed.record.mechanisms) {
      if (mech.name === 'all') {
        // §5.1: "+all" passes every host; any other all ends the match set here.
        if (mech.qualifier === '+') this.reasons.push(`"${mech.text}" at ${name} passes every host on the Internet`);
        ended = true;
        break;
      }
      await this.mechanism(name, mech, here);
    }
    const redirect = parsed.record.redirect;
    if (!ended && redirect) {
      // §6.1: with no "all", the redirect target decides; what it passes, this record passes.
      this.lookups++;
      const target = this.target(name, redirect.value, redirect.text);
      if (target !== undefined) await this.node(target, here);
    }
  }

  private async mechanism(name: string, mech: Mechanism, here: string[]): Promise<void> {
    if (mech.qualifier !== '+') {
      // A "-", "~" or "?" term before the end excludes hosts from what follows: no set of
      // ranges published elsewhere keeps that order.
      this.reasons.push(`"${mech.text}" at ${name} does not pass (qualifier "${mech.qualifier}"): the order of terms matters`);
      return;
    }
    switch (mech.name) {
      case 'ip4':
      case 'ip6': {
        const max = mech.network!.family === 4 ? 32 : 128;
        this.ranges.push(makeRange(mech.network!, (mech.network!.family === 4 ? mech.cidr4 : mech.cidr6) ?? max));
        return;
      }
      case 'exists':
        this.lookups++;
        this.reasons.push(`"${mech.text}" at ${name} asks DNS per message (RFC 7208 §5.7)`);
        return;
      case 'ptr':
        this.lookups++;
        this.reasons.push(`"${mech.text}" at ${name} depends on the client's reverse DNS (RFC 7208 §5.5)`);
        return;
      case 'include': {
        this.lookups++;
        const target = this.target(name, mech.target, mech.text);
        if (target !== undefined) await this.node(target, here);
        return;
      }
      case 'a':
      case 'mx': {
        this.lookups++;
        const target = this.target(name, mech.target, mech.text);
        if (target === undefined) return;
        let hosts = [target];
        if (mech.name === 'mx') {
          hosts = recordsOf(await this.ask(target, 'MX'), 'MX').map((m) => m.exchange).filter((e) => e !== '');
          if (hosts.length > SPF_MAX_MX_HOSTS) {
            this.reasons.push(`"${mech.text}" at ${name}: ${target} has ${hosts.length} MX hosts, over ${SPF_MAX_MX_HOSTS} (RFC 7208 §4.6.4: permerror)`);
            return;
          }
        }
        for (const host of hosts) {
          for (const a of recordsOf(await this.ask(host, 'A'), 'A')) this.ranges.push(makeRange(parseIp(a.address)!, mech.cidr4 ?? 32));
          for (const a of recordsOf(await this.ask(host, 'AAAA'), 'AAAA')) this.ranges.push(makeRange(parseIp(a.address, false)!, mech.cidr6 ?? 128));
        }
        return;
      }
    }
  }
}

/** Links a chain can have within the limit of 10 lookups (§4.6.4): the domain's record reaches the first with one include. */
export const MAX_CHAIN_LINKS = 9;

/** The name of the n-th link of a domain's chain (n from 1). */
export function chainLinkName(domain: string, n: number): string {
  return `_spf${n}.${domain}`;
}

/** True when `name` is a chain link of `domain` (`_spf<n>.<domain>`). */
export function isChainLink(name: string, domain: string): boolean {
  return name.endsWith(`.${domain}`) && /^_spf[1-9][0-9]*$/.test(name.slice(0, -domain.length - 1));
}

/**
 * The chain links a published chain reaches: `_spf<n>.<domain>` named by an include in the
 * SPF record at the domain or at the link before it (layoutSpfChain writes them so). Lets a
 * live zone find the links of a chain the policy no longer flattens, to delete them.
 */
export function reachedChainLinks(domain: string, spfTextsAt: (name: string) => readonly string[]): string[] {
  const links: string[] = [];
  for (let n = 1; n <= MAX_CHAIN_LINKS; n++) {
    const from = n === 1 ? domain : chainLinkName(domain, n - 1);
    const link = chainLinkName(domain, n);
    const include = `include:${link}`.toLowerCase();
    if (!spfTextsAt(from).some((text) => text.toLowerCase().split(/[ \t]+/).includes(include))) break;
    links.push(link);
  }
  return links;
}

/** One record of a chain: where it is published and its text. */
export interface SpfChainRecord {
  name: string;
  text: string;
}

/**
 * The record at `domain`: `before` (a, mx, a:…), `ranges`, `after` (include:…), then
 * `all`. When that is longer than `maxOctets` (RFC 7208 §3.4: keep a UDP answer under 512
 * octets), the ranges that do not fit move to `_spf1.<domain>`, whose overflow moves to
 * `_spf2.<domain>`, and so on, each link reached by an include at the end of the record
 * before it. Each link costs one lookup (§4.6.4); the links hold no "all", so a host they
 * do not list makes the include not match and evaluation goes on (§5.2).
 */
export function layoutSpfChain(
  domain: string,
  before: readonly string[],
  ranges: readonly string[],
  after: readonly string[],
  all: string | undefined,
  maxOctets = SPF_LONG_RECORD_OCTETS,
): SpfChainRecord[] {
  const tail = all === undefined ? [] : [all];
  const whole = ['v=spf1', ...before, ...ranges, ...after, ...tail].join(' ');
  if (Buffer.byteLength(whole) <= maxOctets) return [{ name: domain, text: whole }];
  const out: SpfChainRecord[] = [];
  const rest = [...ranges];
  for (let n = 0; ; n++) {
    const name = n === 0 ? domain : chainLinkName(domain, n);
    const head = n === 0 ? ['v=spf1', ...before] : ['v=spf1'];
    const end = n === 0 ? [...after] : [];
    const last = n === 0 ? tail : [];
    const next = `include:${chainLinkName(domain, n + 1)}`;
    const size = (terms: string[], link: string[]) => Buffer.byteLength([...head, ...terms, ...end, ...link, ...last].join(' '));
    const taken: string[] = [];
    while (rest.length > 0) {
      // The last record needs no include of the next; every other one does.
      const link = rest.length === 1 ? [] : [next];
      if (size([...taken, rest[0]!], link) > maxOctets) break;
      taken.push(rest.shift()!);
    }
    if (taken.length === 0 && n > 0) throw new Error(`an SPF term does not fit in ${maxOctets} octets: ${rest[0]}`);
    out.push({ name, text: [...head, ...taken, ...end, ...(rest.length > 0 ? [next] : []), ...last].join(' ') });
    if (rest.length === 0) return out;
  }
}
