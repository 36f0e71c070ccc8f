// SMTP TLS reporting TXT at _smtp._tls.<domain> (RFC 8460 §3).

import type { Resolver } from '../../dns/resolver.js';
import { isTlsRptRecord } from '../../mail/tls-rpt/record.js';
import { checkTlsRptMultiple, checkTlsRptRecord } from '../../mail/tls-rpt/rules.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { txtTexts } from '../../dns/answers.js';
import { findingOf, makeFinding, type Finding } from '../../base/finding.js';

export interface TlsRptCheckOptions {
  /** The domain receives mail: a missing record is then worth a warning. */
  receivesMail?: boolean;
}

export async function checkTlsRpt(domain: string, resolver: Resolver, opts: TlsRptCheckOptions = {}): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const name = `_smtp._tls.${domain}`;
  const answer = await rec.resolve(name, 'TXT');
  // §3: records that do not begin with "v=TLSRPTv1" are ignored.
  const records = txtTexts(answer).filter(isTlsRptRecord);
  if (answer.status !== 'error' && records.length === 0 && opts.receivesMail) {
    findings.push(makeFinding('tls-rpt.missing', domain, name, `no TLS-RPT record at ${name}: TLS failures of senders go unreported`, evidenceFor(rec, [name])));
  } else if (records.length > 1) {
    findings.push(findingOf(checkTlsRptMultiple(name, records), domain, evidenceFor(rec, [name], records)));
  } else if (records.length === 1) {
    const problem = checkTlsRptRecord(name, records[0]!);
    if (problem) findings.push(findingOf(problem, domain, evidenceFor(rec, [name], records)));
  }
  findings.push(...unknownFinding('transport', domain, rec.failed()));
  return findings;
}
