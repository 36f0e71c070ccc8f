// Transport security for a domain that receives mail: DANE (tlsa.ts), MTA-STS
// (mta-sts.ts) and TLS-RPT (tls-rpt.ts), plus the finding when neither DANE nor
// MTA-STS makes senders require TLS.

import type { Resolver } from '../../dns/resolver.js';
import { RecordingResolver, uncheckedFinding } from '../evidence.js';
import { makeFinding, type Finding } from '../../base/finding.js';
import { analyzeMtaSts } from './mta-sts.js';
import { analyzeTlsa } from './tlsa.js';
import { checkTlsRpt } from './tls-rpt.js';

export interface TransportCheckOptions {
  /** The domain's MX hosts (null MX excluded). */
  mxHosts: string[];
}

export async function checkTransport(domain: string, resolver: Resolver, opts: TransportCheckOptions): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const [tlsa, sts, rpt] = await Promise.all([
    analyzeTlsa(domain, rec, { mxHosts: opts.mxHosts }),
    analyzeMtaSts(domain, rec),
    checkTlsRpt(domain, rec, { receivesMail: true }),
  ]);
  const findings = [...tlsa.findings, ...sts.findings, ...rpt];
  const unknown = findings.some((f) => f.code === 'transport.unknown');
  if (!unknown && tlsa.daneHosts.length === 0 && !sts.present) {
    const names = [`_mta-sts.${domain}`, ...opts.mxHosts.map((h) => `_25._tcp.${h}`)];
    if (tlsa.unknownHosts.length > 0) {
      // No MTA-STS, and DANE unknown for some hosts: whether senders require TLS is unknown.
      const what = `whether DANE protects ${tlsa.unknownHosts.join(', ')} (no MTA-STS record)`;
      findings.push(...uncheckedFinding('transport', domain, domain, what, ['transport.none'], rec.failed()));
    } else {
      findings.push(
        makeFinding('transport.none', domain, domain, `${domain} publishes neither an MTA-STS record nor DNSSEC-validated TLSA records: senders fall back to opportunistic TLS`, { asked: rec.about(...names) }),
      );
    }
  }
  return findings;
}
