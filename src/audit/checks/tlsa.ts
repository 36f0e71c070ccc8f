// DANE for SMTP (RFC 6698, RFC 7671, RFC 7672): TLSA at _25._tcp.<mx host>, useful only
// under DNSSEC, usages 2/3 only, and a second record ready for rollover.

import type { Resolver } from '../../dns/resolver.js';
import { evidenceFor, failedAbout, RecordingResolver, uncheckedFinding, unknownFinding } from '../evidence.js';
import { recordsOf } from '../../dns/answers.js';
import { makeFinding, type Finding } from '../../base/finding.js';
import { isUsableForSmtp, tlsaProblem } from '../../mail/tlsa/record.js';
import { checkTlsaRecords } from '../../mail/tlsa/rules.js';

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
    for (const problem of checkTlsaRecords(name, records)) add(problem.code, problem.message);
    // RFC 7671 §8.1: publish the next key (3 x x) or the issuer (2 x x) beside the current one.
    const usable = records.filter((r) => isUsableForSmtp(r) && tlsaProblem(r) === undefined);
    if (usable.length === 1) add('tlsa.no-rollover', `${name} has one usable TLSA record: a key change will break DANE until caches expire`);
  }
  // Only the domain's own MX question (asked when no hosts were given) makes the category unknown.
  findings.push(...unknownFinding('transport', domain, failedAbout(rec, domain)));
  return { findings, daneHosts, unknownHosts };
}
