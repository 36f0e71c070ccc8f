// SMTP TLS reporting TXT at _smtp._tls.<domain> (RFC 8460 §3).

import type { Resolver } from '../../dns/resolver.js';
import { parseTagListStrict } from '../../mail/tag-list.js';
import { evidenceFor, RecordingResolver, unknownFinding } from '../evidence.js';
import { txtTexts } from '../../dns/answers.js';
import { makeFinding, type Finding } from '../../base/finding.js';

export interface TlsRptCheckOptions {
  /** The domain receives mail: a missing record is then worth a warning. */
  receivesMail?: boolean;
}

/** The syntax problem of a TLS-RPT record, or undefined when it is well formed. */
export function tlsRptProblem(text: string): string | undefined {
  const list = parseTagListStrict(text);
  if (!list.ok) return list.error;
  const [first, ...rest] = list.tags;
  if (!first || first.name !== 'v' || first.value !== 'TLSRPTv1') return 'the first field is not v=TLSRPTv1';
  const rua = rest.find((t) => t.name === 'rua');
  if (!rua) return 'no rua= field';
  // tlsrpt-rua = tlsrpt-uri *("," tlsrpt-uri); only mailto: and https: are defined.
  const uris = rua.value.split(',').map((u) => u.trim());
  for (const uri of uris) {
    if (/^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(uri)) continue;
    if (/^https:\/\/[^\s/]+/i.test(uri)) continue;
    return `rua entry "${uri}" is not a mailto: or https: URI`;
  }
  return undefined;
}

export async function checkTlsRpt(domain: string, resolver: Resolver, opts: TlsRptCheckOptions = {}): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  const name = `_smtp._tls.${domain}`;
  const answer = await rec.resolve(name, 'TXT');
  // §3: records that do not begin with "v=TLSRPTv1" are ignored.
  const records = txtTexts(answer).filter((t) => /^v=TLSRPTv1(;|$)/.test(t.trimStart()));
  if (answer.status !== 'error' && records.length === 0 && opts.receivesMail) {
    findings.push(makeFinding('tls-rpt.missing', domain, name, `no TLS-RPT record at ${name}: TLS failures of senders go unreported`, evidenceFor(rec, [name])));
  } else if (records.length > 1) {
    findings.push(makeFinding('tls-rpt.multiple', domain, name, `${records.length} v=TLSRPTv1 records at ${name}`, evidenceFor(rec, [name], records)));
  } else if (records.length === 1) {
    const problem = tlsRptProblem(records[0]!);
    if (problem) findings.push(makeFinding('tls-rpt.syntax', domain, name, `TLS-RPT record at ${name}: ${problem}`, evidenceFor(rec, [name], records)));
  }
  findings.push(...unknownFinding('transport', domain, rec.failed()));
  return findings;
}
