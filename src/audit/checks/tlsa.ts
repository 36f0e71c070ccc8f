// DANE for SMTP (RFC 6698, RFC 7671, RFC 7672): TLSA at _25._tcp.<mx host>, useful only
// under DNSSEC, usages 2/3 only, and a second record ready for rollover.

import type { Resolver } from '../../dns/resolver.js';
import { evidenceFor, failedAbout, recordsOf, RecordingResolver, uncheckedFinding, unknownFinding } from '../evidence.js';
import { makeFinding, type Finding } from '../finding.js';

export interface TlsaCheckOptions {
  /** MX hosts to check; default the domain's MX targets. */
  mxHosts?: string[];
}

export interface TlsaAnalysis {
  findings: Finding[];
  /** Hosts with TLSA records that validated (AD bit): DANE in force for them. */
  daneHosts: string[];
  /** Hosts whose TLSA lookup failed: whether DANE protects them is unknown. */
  unknownHosts: string[];
}

/** What a host's TLSA records decide: unknown when their lookup fails. */
const TLSA_CHECKS = ['tlsa.no-dnssec', 'tlsa.invalid', 'tlsa.bad-usage'] as const;

export async function checkTlsa(domain: string, resolver: Resolver, opts: TlsaCheckOptions = {}): Promise<Finding[]> {
  return (await analyzeTlsa(domain, resolver, opts)).findings;
}

export async function analyzeTlsa(domain: string, resolver: Resolver, opts: TlsaCheckOptions = {}): Promise<TlsaAnalysis> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const daneHosts: string[] = [];
  const unknownHosts: string[] = [];
  let hosts = opts.mxHosts;
  if (!hosts) {
    const mx = await rec.resolve(domain, 'MX');
    hosts = recordsOf(mx, 'MX').map((m) => m.exchange).filter((e) => e !== '');
  }
  for (const host of [...new Set(hosts)].sort()) {
    const name = `_25._tcp.${host}`;
    const answer = await rec.resolve(name, 'TLSA');
    if (answer.status === 'error') {
      // MX hosts are often at a provider: outside the zone repo, or another operator's.
      unknownHosts.push(host);
      findings.push(...uncheckedFinding('transport', domain, name, `the TLSA records of the MX host ${host}`, TLSA_CHECKS, failedAbout(rec, name)));
      continue;
    }
    const records = recordsOf(answer, 'TLSA');
    if (records.length === 0 || answer.status !== 'ok') continue;
    const seen = records.map((r) => `TLSA ${r.usage} ${r.selector} ${r.matchingType} ${r.certificate}`).sort();
    const add = (code: Parameters<typeof makeFinding>[0], message: string): void => {
      findings.push(makeFinding(code, domain, name, message, evidenceFor(rec, [name], seen)));
    };
    // RFC 7672 §2.2: without a DNSSEC-validated answer a sender must not use the records.
    if (!answer.authenticated) add('tlsa.no-dnssec', `${name} has TLSA records but the answer was not DNSSEC-validated: senders ignore them`);
    else daneHosts.push(host);
    for (const r of records) {
      const problem = tlsaProblem(r);
      if (problem) add('tlsa.invalid', `TLSA ${r.usage} ${r.selector} ${r.matchingType} at ${name}: ${problem}`);
      // RFC 7672 §3.1.3: SMTP clients treat PKIX-TA(0) and PKIX-EE(1) as unusable.
      else if (r.usage === 0 || r.usage === 1) add('tlsa.bad-usage', `TLSA usage ${r.usage} at ${name}: SMTP uses only DANE-TA(2) and DANE-EE(3)`);
    }
    // RFC 7671 §8.1: publish the next key (3 x x) or the issuer (2 x x) beside the current one.
    const usable = records.filter((r) => (r.usage === 2 || r.usage === 3) && tlsaProblem(r) === undefined);
    if (usable.length === 1) add('tlsa.no-rollover', `${name} has one usable TLSA record: a key change will break DANE until caches expire`);
  }
  // Only the domain's own MX question (asked when no hosts were given) makes the category unknown.
  findings.push(...unknownFinding('transport', domain, failedAbout(rec, domain)));
  return { findings, daneHosts, unknownHosts };
}

function tlsaProblem(r: { usage: number; selector: number; matchingType: number; certificate: string }): string | undefined {
  if (r.usage > 3) return `usage ${r.usage} is not 0-3`;
  if (r.selector > 1) return `selector ${r.selector} is not 0 or 1`;
  if (r.matchingType > 2) return `matching type ${r.matchingType} is not 0-2`;
  const hex = r.certificate.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})+$/i.test(hex)) return 'the association data is not hexadecimal';
  const want = r.matchingType === 1 ? 32 : r.matchingType === 2 ? 64 : undefined;
  if (want !== undefined && hex.length / 2 !== want) return `matching type ${r.matchingType} needs ${want} bytes, not ${hex.length / 2}`;
  return undefined;
}
