// checkLiveTransport: the one call the audit makes when probing is on: DANE against every MX (checkDane) and the served MTA-STS policy against the generated one (checkMtaStsLive).

import type { Answer, Resolver } from '../../dns/resolver.js';
import type { DomainPolicy } from '../../policy/model.js';
import { buildMtaSts } from '../../build/mta-sts.js';
import type { Finding } from '../../base/finding.js';
import { checkDane, type DaneCheckOptions, type MxProbe } from './dane.js';
import type { MtaStsFetchOptions, MtaStsFetchResult } from './mta-sts-fetch.js';
import { checkMtaStsLive } from './mta-sts-live.js';
import { probeMx, type SmtpProbeOptions, type SmtpProbeResult } from './smtp-tls.js';

export interface LiveTransportOptions extends DaneCheckOptions {
  /** The domain's MX hosts as DNS gives them (null MX excluded). */
  mxHosts: readonly string[];
  /** The declared policy: when it has mta_sts, the served policy must equal the generated one. */
  policyDomain?: DomainPolicy;
  /** Options for the default SMTP probe (port, timeouts, limits). */
  smtp?: SmtpProbeOptions;
  /** Replaces the SMTP probe (tests, or a probe per address). */
  probe?: MxProbe;
  /** Options for the default policy fetch (address, port, CA bundle, limits). */
  mtaSts?: MtaStsFetchOptions;
  /** Replaces the policy fetch. */
  fetchPolicy?: (domain: string) => Promise<MtaStsFetchResult>;
  /** A previously seen MTA-STS id and policy text, for the id rule (RFC 8461 §3.1). */
  previousMtaSts?: { id: string; text: string };
}

/** The policy text mailrec generates for the domain, when the policy declares mta_sts. */
export function expectedMtaStsPolicy(domain: DomainPolicy | undefined): { text: string } | undefined {
  if (!domain?.mtaSts) return undefined;
  const file = buildMtaSts(domain).files[0];
  return file ? { text: file.content } : undefined;
}

/**
 * When a DANE probe found that the resolver does not validate, the static TLSA check's
 * "tlsa.no-dnssec" for the same name is wrong ("insecure" where nothing is known): keep
 * "tlsa.not-validated" only (RFC 7672 §2.2: only a validating resolver can tell).
 */
export function reconcileDnssecFindings(findings: readonly Finding[]): Finding[] {
  const notValidated = new Set(findings.filter((f) => f.code === 'tlsa.not-validated').map((f) => `${f.domain}\u0000${f.name}`));
  return findings.filter((f) => f.code !== 'tlsa.no-dnssec' || !notValidated.has(`${f.domain}\u0000${f.name}`));
}

/**
 * The default probe: the MX host's address from the audit's own resolver (A first, then
 * AAAA), so that a --resolver audit probes the host that resolver sees; the system's
 * resolution only when the resolver has no address. One address per host.
 */
export async function probeThroughResolver(host: string, resolver: Resolver, smtp: SmtpProbeOptions): Promise<SmtpProbeResult> {
  if (smtp.address !== undefined) return probeMx(host, smtp);
  const [a, aaaa] = await Promise.all([resolver.resolve(host, 'A'), resolver.resolve(host, 'AAAA')]);
  const first = (answer: Answer): string | undefined =>
    answer.status === 'ok' ? answer.records.flatMap((r) => (r.type === 'A' || r.type === 'AAAA' ? [r.address] : []))[0] : undefined;
  const address = first(a) ?? first(aaaa);
  return probeMx(host, address !== undefined ? { ...smtp, address } : smtp);
}

/** DANE and MTA-STS probes for one domain, findings concatenated (DANE first). */
export async function checkLiveTransport(domain: string, resolver: Resolver, options: LiveTransportOptions): Promise<Finding[]> {
  const probe: MxProbe = options.probe ?? ((host) => probeThroughResolver(host, resolver, options.smtp ?? {}));
  const expected = expectedMtaStsPolicy(options.policyDomain);
  const [dane, sts] = await Promise.all([
    options.mxHosts.length > 0 ? checkDane(domain, options.mxHosts, resolver, probe, options) : Promise.resolve([]),
    checkMtaStsLive(domain, resolver, {
      ...(options.mtaSts ? { fetch: options.mtaSts } : {}),
      ...(options.fetchPolicy ? { fetchPolicy: options.fetchPolicy } : {}),
      ...(expected ? { expectedPolicy: expected } : {}),
      ...(options.previousMtaSts ? { previous: options.previousMtaSts } : {}),
    }),
  ]);
  return [...dane, ...sts];
}
