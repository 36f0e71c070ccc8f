// The fix, in policy terms, for a source that would lose mail: does it pass SPF
// under the policy's senders (RFC 7208 check_host over the policy's own SPF
// text), does it sign with a selector the policy declares, and which `senders:`
// or `dkim:` line to add. IO only through the injected Resolver.

import { checkHost, type SpfResult } from '../mail/spf/check-host.js';
import { inPrefix, parseIp } from '../dns-types/ip.js';
import type { Answer, Resolver } from '../dns/resolver.js';
import type { DomainPolicy, Policy } from '../policy/model.js';
import { compileSpfText } from '../build/spf.js';
import { overlaySpfResolver } from '../mail/spf/overlay.js';
import { parseSpfRecord } from '../mail/spf/record.js';
import { isAligned, operatorDomain, organizationalDomain } from './org-domain.js';
import type { SourceName } from './resolve.js';
import type { AuthSeen, SourceDomain, SourceImpact } from './simulate.js';

/** A line to add to the policy, under domains.<domain>.<key>. */
export interface PolicyLine {
  domain: string;
  key: 'senders' | 'dkim';
  line: string;
}

export interface SpfVerdict {
  /** The domain whose policy senders were evaluated (the aligned MAIL FROM domain, else the header-from). */
  domain: string;
  result: SpfResult | 'unknown' | 'no-policy';
  detail: string;
}

export interface SourceFix {
  headerFrom: string;
  /** The policy's entry for the header-from domain, when it has one. */
  policyDomain?: string;
  spf: SpfVerdict;
  /** MAIL FROM domains of the failing mail, and whether any is aligned under relaxed alignment. */
  envelopes: string[];
  envelopeAligned: boolean;
  /** Selectors the policy declares for the header-from domain (active or published). */
  declaredSelectors: string[];
  /** Signatures on the failing mail, with their selectors. */
  signatures: AuthSeen[];
  usesDeclaredSelector: boolean;
  add: PolicyLine[];
  advice: string[];
}

/**
 * Known senders by the operator domain of their hosts or DKIM d=, to suggest a
 * `- provider:` line from the built-in catalogue (src/mail/providers.ts).
 */
const PROVIDER_BY_OPERATOR: Record<string, string> = {
  'google.com': 'google',
  'gappssmtp.com': 'google',
  'outlook.com': 'microsoft365',
  'onmicrosoft.com': 'microsoft365',
  'amazonses.com': 'amazonses',
  'sendgrid.net': 'sendgrid',
  'mandrillapp.com': 'mailchimp',
  'mcsv.net': 'mailchimp',
  'mcdlv.net': 'mailchimp',
  'rsgsv.net': 'mailchimp',
  'mtasv.net': 'postmark',
};

export function providerFor(operator: string | undefined): string | undefined {
  return operator === undefined ? undefined : PROVIDER_BY_OPERATOR[operator];
}

const OFFLINE: Resolver = {
  async resolve(): Promise<Answer> {
    return { status: 'error', reason: 'offline (run with --resolve)' };
  },
};

/** The ip4:/ip6: term of the text that covers the address, for offline evaluation. */
function matchingIpTerm(spfText: string, ip: string): string | undefined {
  const addr = parseIp(ip);
  const parsed = parseSpfRecord(spfText);
  if (!addr || !parsed.ok) return undefined;
  for (const term of parsed.record.mechanisms) {
    if ((term.name !== 'ip4' && term.name !== 'ip6') || term.qualifier !== '+' || term.network?.family !== addr.family) continue;
    const len = addr.family === 4 ? (term.cidr4 ?? 32) : (term.cidr6 ?? 128);
    if (inPrefix(addr, term.network, len)) return term.text;
  }
  return undefined;
}

/** check_host(ip, domain) with the policy's SPF for `domain` in place of what DNS has. */
export async function checkPolicySpf(ip: string, entry: DomainPolicy, resolver: Resolver | undefined): Promise<SpfVerdict> {
  const domain = entry.name;
  const compiled = compileSpfText(entry, { evaluate: true });
  if (!compiled) return { domain, result: 'no-policy', detail: `the policy declares no senders for ${domain}` };
  if (!parseIp(ip)) return { domain, result: 'unknown', detail: `${ip} is not an IP address` };
  const out = await checkHost({ ip, sender: `postmaster@${domain}`, helo: domain }, overlaySpfResolver(domain, compiled.text, resolver ?? OFFLINE));
  if (out.result === 'temperror' && !resolver) {
    // Offline: every term of a policy's SPF is "+" but all, so a matching ip4/ip6 term is a pass whatever precedes it.
    const term = matchingIpTerm(compiled.text, ip);
    if (term) return { domain, result: 'pass', detail: `${term} in the policy's SPF for ${domain} covers ${ip}` };
    return { domain, result: 'unknown', detail: `${ip} is not in the policy's ip4/ip6 senders for ${domain}; its a/mx/include terms need DNS (run with --resolve)` };
  }
  return { domain, result: out.result, detail: `SPF ${out.result} for ${ip} under the policy's senders for ${domain}: ${out.reason}` };
}

function senderLine(ip: string, provider: string | undefined): string {
  if (provider) return `- provider: ${provider}`;
  return ip.includes(':') ? `- ip6: ${ip}` : `- ip4: ${ip}`;
}

/** The fix for one source's failing mail as one header-from domain. */
export async function planSourceFix(
  source: SourceImpact,
  domain: SourceDomain,
  policy: Policy | undefined,
  resolver: Resolver | undefined,
  name: SourceName | undefined,
  adkim: 'r' | 's',
  aspf: 'r' | 's',
): Promise<SourceFix> {
  const h = domain.headerFrom;
  const entries = new Map((policy?.domains ?? []).map((d) => [d.name, d]));
  const entry = entries.get(h);
  const envelopes = [...new Set(domain.spf.filter((s) => (s.scope ?? 'mfrom') === 'mfrom' && s.domain !== '').map((s) => s.domain))];
  const alignedEnvelope = envelopes.find((e) => isAligned(e, h, 'r'));
  // SPF that can align is the MAIL FROM domain's: evaluate the policy entry for it when there is one.
  const spfEntry = (alignedEnvelope ? entries.get(alignedEnvelope) : undefined) ?? entry;
  const spf: SpfVerdict = spfEntry
    ? await checkPolicySpf(source.ip, spfEntry, resolver)
    : { domain: alignedEnvelope ?? h, result: 'no-policy', detail: `the policy has no entry for ${alignedEnvelope ?? h}` };
  // A key published under the header-from domain or its organizational domain can align (relaxed).
  const keyDomains = [...new Set([h, organizationalDomain(h)])];
  const declaredAt = (d: string) => (entries.get(d)?.dkim ?? []).filter((k) => k.state !== 'retired' && k.state !== 'removed').map((k) => k.selector);
  const declared = [...new Set(keyDomains.flatMap(declaredAt))];
  const signatures = domain.dkim;
  const usesDeclared = signatures.some((s) => s.selector !== undefined && keyDomains.includes(s.domain) && declaredAt(s.domain).includes(s.selector));
  const dkimOperator = signatures.map((s) => providerFor(operatorDomain(s.domain))).find((p) => p !== undefined);
  const provider = providerFor(name?.operator) ?? dkimOperator;

  const add: PolicyLine[] = [];
  const advice: string[] = [];
  const target = spfEntry?.name ?? h;
  const fix: SourceFix = {
    headerFrom: h,
    spf,
    envelopes,
    envelopeAligned: alignedEnvelope !== undefined,
    declaredSelectors: declared,
    signatures,
    usesDeclaredSelector: usesDeclared,
    add,
    advice,
  };
  if (entry) fix.policyDomain = entry.name;

  // Mail the receivers saw as forwarded or sent through a list is not from a
  // sender of ours: listing the forwarder would authorize it to spoof us.
  const relayed = ['forwarded', 'mailing_list', 'trusted_forwarder'].filter((r) => (domain.reasons[r] ?? 0) > 0);
  if (domain.lost === 0 && relayed.length > 0) {
    advice.push(
      `receivers marked this mail ${relayed.join(', ')}: the source relays mail, it does not send for ${h}; do not list it in SPF. Only a DKIM signature as ${h} that survives the relay (or ARC at the relay) keeps such mail passing`,
    );
    return fix;
  }

  // DKIM (RFC 9989: a DKIM pass for an aligned d= is enough on its own).
  const relaxedOnly = signatures.filter((s) => s.result === 'pass' && !s.aligned && isAligned(s.domain, h, 'r'));
  const alignedFailing = signatures.filter((s) => s.aligned && s.result !== 'pass');
  if (adkim === 's' && relaxedOnly.length > 0)
    advice.push(`signs as d=${relaxedOnly[0]!.domain}, which aligns with ${h} only under relaxed DKIM alignment: keep adkim=r or sign as d=${h}`);
  for (const s of alignedFailing) {
    if (s.selector !== undefined && keyDomains.includes(s.domain) && !declaredAt(s.domain).includes(s.selector)) {
      add.push({ domain: s.domain, key: 'dkim', line: `- selector: ${s.selector}` });
      advice.push(`signs as d=${s.domain} with selector ${s.selector}, which the policy does not declare (DKIM ${s.result}): add the selector with the signer's public key`);
    } else if (s.selector !== undefined) {
      advice.push(`signs as d=${s.domain} s=${s.selector} but DKIM ${s.result}: check that the key published for ${s.selector} matches the signer's`);
    }
  }
  if (signatures.every((s) => !isAligned(s.domain, h, 'r'))) {
    const unaligned = [...new Set(signatures.filter((s) => s.result === 'pass').map((s) => s.domain))];
    advice.push(
      `has no DKIM signature as ${h}${unaligned.length > 0 ? ` (it signs as ${unaligned.slice(0, 3).join(', ')})` : ''}: if this source is yours, have it sign as ${h} and declare the selector under dkim:${provider ? ` (provider ${provider})` : ''}`,
    );
  }

  // SPF (aligned MAIL FROM domain that passes).
  if (aspf === 's' && alignedEnvelope && alignedEnvelope !== h && domain.spf.some((s) => s.domain === alignedEnvelope && s.result === 'pass'))
    advice.push(`passes SPF as ${alignedEnvelope}, which aligns with ${h} only under relaxed SPF alignment: keep aspf=r`);
  if (spf.result !== 'pass') add.push({ domain: target, key: 'senders', line: senderLine(source.ip, provider) });
  if (!spfEntry && policy) advice.push(`the policy has no entry for ${target}: add domains.${target} with the senders line`);
  if (envelopes.length === 0) {
    advice.push(`the reports show no MAIL FROM domain for its failing mail (bounces, or HELO only), so only DKIM can make it pass DMARC`);
  } else if (!alignedEnvelope) {
    advice.push(
      `uses MAIL FROM ${envelopes.slice(0, 3).join(', ')}, not aligned with ${h}: SPF can make it pass DMARC only with a MAIL FROM (return path) under ${h}; DKIM is the surer fix`,
    );
  } else if (spf.result === 'pass') {
    advice.push(`passes SPF under the policy's senders for ${spf.domain}: applying the policy's SPF record fixes it`);
  }
  return fix;
}
