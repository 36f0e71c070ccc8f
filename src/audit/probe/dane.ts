// checkDane: the live DANE audit of a domain's MX hosts (RFC 7672): TLSA from DNS with its DNSSEC status, the served chain from an injected probe, and the findings.

import type { Answer, Resolver } from '../../dns/resolver.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { recordsOf } from '../../dns/answers.js';
import { makeFinding, type Finding } from '../../base/finding.js';
import type { Code } from '../../base/codes.js';
import { checkServedCertificate, matchTlsa, renderTlsaData, servedAssociation, type TlsaData } from './dane-match.js';
import { isUsableForSmtp } from '../../mail/tlsa/record.js';
import type { SmtpProbeResult } from './smtp-tls.js';
import { mapBounded } from '../../base/limiter.js';

/** Probes one MX host; in production `(host) => probeMx(host)`, in tests a port and address. */
export type MxProbe = (host: string) => Promise<SmtpProbeResult>;

/**
 * DNSSEC status of an RRset as a validating resolver reports it (RFC 4035 §3.2.3, the AD bit):
 * secure (AD set), insecure (the resolver validates and did not set AD), not-validated (the
 * resolver does not validate, or whether it does is unknown: nothing can be said), unknown
 * (the lookup failed).
 */
export type DnssecStatus = 'secure' | 'insecure' | 'not-validated' | 'unknown';

export interface ResolverValidation {
  validates: boolean | 'unknown';
  reason: string;
}

export interface DaneCheckOptions {
  /** "now" for certificate dates. Default: the clock at the call. */
  now?: Date;
  /** Days before expiry that warn. Default 14. */
  warnDays?: number;
  /**
   * Whether the resolver validates DNSSEC, when the caller knows. Otherwise a name known
   * to be signed is asked and its AD bit decides.
   */
  resolverValidates?: boolean;
  /** A name known to be signed, asked (SOA) to learn whether the resolver validates. Default the root. */
  knownSignedName?: string;
  /** MX hosts probed at once. Default 4. */
  concurrency?: number;
  /** The port the TLSA owner name uses (RFC 7672 §2.2.1: _25._tcp). Default 25, whatever port the probe uses. */
  tlsaPort?: number;
}

/**
 * Asks a name known to be signed: a validating resolver sets AD on its answer (RFC 4035
 * §3.2.3). An answer without AD means the resolver does not validate (or the query did not
 * ask for DNSSEC: the client needs the DO bit); a failed lookup leaves it unknown.
 */
export async function checkResolverValidates(resolver: Resolver, knownSignedName = ''): Promise<ResolverValidation> {
  const answer = await resolver.resolve(knownSignedName, 'SOA');
  const label = knownSignedName === '' ? 'the root' : knownSignedName;
  if (answer.status === 'error') return { validates: 'unknown', reason: `asking ${label} SOA to test validation failed: ${answer.reason}` };
  if (answer.authenticated) return { validates: true, reason: `the resolver set AD on ${label} SOA` };
  return { validates: false, reason: `the resolver did not set AD on ${label} SOA, a signed name` };
}

/** The DNSSEC status of one answer, given what is known of the resolver. */
export function dnssecStatusOf(answer: Answer, validation: ResolverValidation): DnssecStatus {
  if (answer.status === 'error') return 'unknown';
  if (answer.authenticated) return 'secure';
  return validation.validates === true ? 'insecure' : 'not-validated';
}

/**
 * The live DANE findings for a domain's MX hosts: per host, the TLSA RRset at
 * _25._tcp.<host> and its DNSSEC status, the probe's outcome (STARTTLS, handshake), which
 * TLSA record matches the served chain or that none does, the certificate's expiry and
 * whether it names the host. Findings are data; a failed probe is "unknown", with its reason.
 */
export async function checkDane(
  domain: string,
  mxHosts: readonly string[],
  resolver: Resolver,
  probe: MxProbe,
  options: DaneCheckOptions = {},
): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const now = options.now ?? new Date();
  const warnDays = options.warnDays ?? 14;
  const tlsaPort = options.tlsaPort ?? 25;
  const hosts = [...new Set(mxHosts.map((h) => h.replace(/\.$/, '').toLowerCase()))].filter((h) => h !== '').sort();

  let validation: Promise<ResolverValidation> | undefined;
  const resolverValidation = (): Promise<ResolverValidation> => {
    validation ??=
      options.resolverValidates !== undefined
        ? Promise.resolve({ validates: options.resolverValidates, reason: 'as configured' })
        : checkResolverValidates(rec, options.knownSignedName ?? '');
    return validation;
  };

  const perHost = await mapBounded(hosts, options.concurrency ?? 4, async (host) => {
    const name = `_${tlsaPort}._tcp.${host}`;
    const [answer, result] = await Promise.all([rec.resolve(name, 'TLSA'), probe(host)]);
    const records: TlsaData[] = recordsOf(answer, 'TLSA');
    const status = records.length > 0 ? dnssecStatusOf(answer, await resolverValidation()) : undefined;
    return { host, name, answer, records, status, result, validation: records.length > 0 && status !== 'secure' ? await resolverValidation() : undefined };
  });

  const findings: Finding[] = [];
  for (const { host, name, records, status, result, validation: val } of perHost) {
    const seen = records.map((r) => `TLSA ${r.usage} ${r.selector} ${r.matchingType} ${r.certificate}`).sort();
    const probeSeen = describeProbe(result);
    const add = (code: Code, about: string, message: string, extra: string[] = []): void => {
      findings.push(makeFinding(code, domain, about, message, evidenceFor(rec, [name], [...seen, ...probeSeen, ...extra])));
    };
    const usable = records.filter(isUsableForSmtp);
    const dane = usable.length > 0;
    const where = `${host} port ${result.port}`;

    // RFC 7672 §2.2: TLSA records count only when DNSSEC-validated.
    if (status === 'insecure') {
      add('tlsa.no-dnssec', name, `${name} has TLSA records but the answer was not DNSSEC-validated: senders ignore them`);
    } else if (status === 'not-validated') {
      const why = val?.validates === 'unknown' ? `whether the resolver validates is unknown: ${val.reason}` : 'resolver does not validate';
      add('tlsa.not-validated', name, `${name}: TLSA DNSSEC status not validated (${why}); senders use the records only if they validate`);
    }
    const dnssecNote = status === 'secure' ? 'DNSSEC-validated' : status === 'insecure' ? 'not signed' : 'not validated';

    if (result.outcome === 'failed') {
      const failure = result.failure!;
      const consequence = dane ? '; DANE senders defer mail to this host while it fails' : '';
      if (failure.kind === 'timeout' || failure.kind === 'refused' || failure.kind === 'unreachable' || (failure.kind === 'closed' && failure.stage !== 'tls')) {
        add('transport.probe-failed', host, `${where}: probe failed at ${failure.stage} (${failure.kind}): ${failure.reason}; STARTTLS, certificate and TLSA match unknown`);
      } else if (failure.stage === 'tls') {
        add('transport.tls-failed', host, `${where}: STARTTLS offered but the TLS handshake failed (${failure.kind}): ${failure.reason}${consequence}`);
      } else {
        add('transport.smtp-protocol', host, `${where}: ${failure.stage} failed (${failure.kind}): ${failure.reason}${consequence}`);
      }
      continue;
    }
    if (result.outcome === 'no-starttls') {
      add(
        'transport.no-starttls',
        host,
        dane
          ? `${where} does not offer STARTTLS although ${name} publishes TLSA records: DANE senders will defer mail (RFC 7672 §2.2)`
          : `${where} does not offer STARTTLS: mail to it travels in clear`,
      );
      continue;
    }

    const chain = result.chain ?? [];
    const leaf = chain[0];
    const cert = leaf ? checkServedCertificate(leaf, host, now, warnDays) : undefined;
    if (!leaf || !cert) {
      add('transport.tls-failed', host, `${where}: the served certificate could not be read`);
      continue;
    }

    if (records.length > 0) {
      const verdicts = matchTlsa(records, chain, host, now);
      const matched = verdicts.filter((v) => v.matched);
      const others = verdicts.filter((v) => !v.matched).map((v) => `${renderTlsaData(v.record)} (${v.reason})`);
      if (matched.length > 0) {
        const which = matched.map((v) => `${renderTlsaData(v.record)} ${v.reason}`).join('; ');
        add('tlsa.match', name, `${name} (${dnssecNote}): ${which}${others.length > 0 ? `; also published: ${others.join('; ')}` : ''}`);
      } else if (dane) {
        const served = servedAssociation(leaf);
        add(
          'tlsa.no-match',
          name,
          `${name} (${dnssecNote}): no TLSA record matches the chain ${host} serves${status === 'secure' || status === 'not-validated' ? ': DANE senders will defer mail' : ' (senders ignore unsigned TLSA today, and would defer once the zone is signed)'}; ${others.join('; ')}`,
          served ? [`served leaf: 3 1 1 ${served}`] : [],
        );
      }
    }

    // RFC 5280 §4.1.2.5. DANE-EE ignores dates (RFC 7672 §3.1.1), MTA-STS and PKIX do not.
    const dates = `${cert.subject}, valid until ${cert.notAfter.toISOString()}`;
    if (cert.expired) {
      add('transport.cert-expired', host, `${where}: the certificate expired ${-cert.daysLeft} day(s) ago (${dates}): MTA-STS and DANE-TA senders refuse it`);
    } else if (cert.notYetValid) {
      add('transport.cert-expired', host, `${where}: the certificate is not valid before ${cert.notBefore.toISOString()} (${dates})`);
    } else if (cert.expiring) {
      add('transport.cert-expiring', host, `${where}: the certificate expires in ${cert.daysLeft} day(s) (${dates})`);
    }
    // RFC 8461 §4.2 (MTA-STS checks names), RFC 7672 §3.2.2 (DANE-TA does); DANE-EE does not.
    if (!cert.nameMatches) {
      add(
        'transport.cert-name-mismatch',
        host,
        `${where}: the certificate does not name ${host} (${cert.names.length > 0 ? `it names ${cert.names.join(', ')}` : `subject ${cert.subject}`}): MTA-STS senders refuse it; DANE-EE(3) records alone do not need the name`,
      );
    }
  }
  findings.push(...unknownFinding('transport', domain, rec.failed().filter((a) => a.type === 'TLSA')));
  return findings;
}

/** What the probe saw, as evidence lines. */
function describeProbe(result: SmtpProbeResult): string[] {
  const lines = [`probe ${result.host} port ${result.port}${result.address ? ` (${result.address})` : ''}: ${result.outcome}${result.failure ? ` at ${result.failure.stage}: ${result.failure.reason}` : ''}`];
  if (result.banner !== undefined) lines.push(`banner: ${result.banner}`);
  if (result.tls) lines.push(`tls: ${result.tls.protocol ?? '?'} ${result.tls.cipher}, chain of ${result.chain?.length ?? 0}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  return lines;
}
