// MTA-STS policy indicator TXT at _mta-sts.<domain> (RFC 8461 §3.1). Fetching the policy
// over HTTPS is not this module's job.

import type { Resolver } from '../../dns/resolver.js';
import { isMtaStsRecord } from '../../mail/mta-sts/record.js';
import { checkMtaStsMultiple, checkMtaStsRecord } from '../../mail/mta-sts/rules.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { txtTexts } from '../../dns/answers.js';
import { findingOf, type Finding } from '../../base/finding.js';

export interface MtaStsAnalysis {
  findings: Finding[];
  /** One well-formed v=STSv1 record is published. */
  present: boolean;
}

export async function checkMtaSts(domain: string, resolver: Resolver): Promise<Finding[]> {
  return (await analyzeMtaSts(domain, resolver)).findings;
}

export async function analyzeMtaSts(domain: string, resolver: Resolver): Promise<MtaStsAnalysis> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const name = `_mta-sts.${domain}`;
  const answer = await rec.resolve(name, 'TXT');
  // §3.1: records that do not begin with "v=STSv1;" are discarded.
  const records = txtTexts(answer).filter(isMtaStsRecord);
  let present = false;
  if (records.length > 1) {
    findings.push(findingOf(checkMtaStsMultiple(name, records), domain, evidenceFor(rec, [name], records)));
  } else if (records.length === 1) {
    const problem = checkMtaStsRecord(name, records[0]!);
    if (problem) findings.push(findingOf(problem, domain, evidenceFor(rec, [name], records)));
    else present = true;
  }
  findings.push(...unknownFinding('transport', domain, rec.failed()));
  return { findings, present };
}
