// MTA-STS policy indicator TXT at _mta-sts.<domain> (RFC 8461 §3.1). Fetching the policy
// over HTTPS is not this module's job.

import type { Resolver } from '../../dns/resolver.js';
import { parseTagListStrict } from '../../mail/tag-list.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { txtTexts } from '../../dns/answers.js';
import { makeFinding, type Finding } from '../../base/finding.js';

export interface MtaStsAnalysis {
  findings: Finding[];
  /** One well-formed v=STSv1 record is published. */
  present: boolean;
}

export async function checkMtaSts(domain: string, resolver: Resolver): Promise<Finding[]> {
  return (await analyzeMtaSts(domain, resolver)).findings;
}

/** The syntax problem of an STS TXT record, or undefined when it is well formed. */
export function mtaStsProblem(text: string): string | undefined {
  const list = parseTagListStrict(text);
  if (!list.ok) return list.error;
  const [first, ...rest] = list.tags;
  if (!first || first.name !== 'v' || first.value !== 'STSv1') return 'the first field is not v=STSv1';
  const id = rest.find((t) => t.name === 'id');
  if (!id) return 'no id= field';
  // sts-id = 1*32( ALPHA / DIGIT )
  if (!/^[A-Za-z0-9]{1,32}$/.test(id.value)) return `id=${id.value} is not 1-32 letters or digits`;
  for (const t of rest) {
    if (t.name === 'id') continue;
    // sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(t.name)) return `extension field "${t.name}" is malformed`;
  }
  return undefined;
}

export async function analyzeMtaSts(domain: string, resolver: Resolver): Promise<MtaStsAnalysis> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const name = `_mta-sts.${domain}`;
  const answer = await rec.resolve(name, 'TXT');
  // §3.1: records that do not begin with "v=STSv1;" are discarded.
  const records = txtTexts(answer).filter((t) => /^v=STSv1(;|$)/.test(t.trimStart()));
  let present = false;
  if (records.length > 1) {
    findings.push(makeFinding('mta-sts.multiple', domain, name, `${records.length} v=STSv1 records at ${name}: senders treat the domain as having no policy`, evidenceFor(rec, [name], records)));
  } else if (records.length === 1) {
    const problem = mtaStsProblem(records[0]!);
    if (problem) findings.push(makeFinding('mta-sts.syntax', domain, name, `MTA-STS record at ${name}: ${problem}`, evidenceFor(rec, [name], records)));
    else present = true;
  }
  findings.push(...unknownFinding('transport', domain, rec.failed()));
  return { findings, present };
}
