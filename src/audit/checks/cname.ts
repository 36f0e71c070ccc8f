// A name that holds a CNAME holds nothing else (RFC 1034 §3.6.2, RFC 2181 §10.1).
// Seen through a resolver this shows only when an answer for the name carries records
// owned by the name itself beside its CNAME (an authoritative server, or a provider that
// lets both be published).

import type { Resolver } from '../../dns/resolver.js';
import type { RRType } from '../../dns-types/rr.js';
import { evidenceFor, RecordingResolver } from '../evidence.js';
import { recordsOf } from '../../dns/answers.js';
import { findingOf, type Finding } from '../../base/finding.js';
import { cnameConflictProblem } from '../../dns-types/rules.js';

export interface CnameCheckOptions {
  /** Names to check; default the mail names of the domain. */
  names?: string[];
}

const OTHER_TYPES: RRType[] = ['TXT', 'MX', 'A', 'AAAA'];

export function mailNames(domain: string): string[] {
  return [domain, `_dmarc.${domain}`, `_mta-sts.${domain}`, `_smtp._tls.${domain}`];
}

export async function checkCname(domain: string, resolver: Resolver, opts: CnameCheckOptions = {}): Promise<Finding[]> {
  const rec = new RecordingResolver(resolver);
  const findings: Finding[] = [];
  for (const name of [...new Set(opts.names ?? mailNames(domain))].sort()) {
    const cname = recordsOf(await rec.resolve(name, 'CNAME'), 'CNAME').find((r) => r.name === name);
    if (!cname) continue;
    const others: string[] = [];
    // The zone apex always holds SOA and NS, so a CNAME there is a conflict by itself.
    for (const type of name === domain ? (['SOA', 'NS', ...OTHER_TYPES] as RRType[]) : OTHER_TYPES) {
      const answer = await rec.resolve(name, type);
      if (answer.status !== 'ok') continue;
      if (answer.records.some((r) => r.name === name && r.type === type)) others.push(type);
    }
    if (others.length > 0) {
      findings.push(findingOf(cnameConflictProblem(name, cname.target, others), domain, evidenceFor(rec, [name], [`CNAME ${cname.target}`])));
    }
  }
  // A failed lookup here is not reported: each of these names belongs to a family check
  // (SPF/MX at the apex, DMARC, MTA-STS, TLS-RPT) that asks it too and reports it unknown.
  return findings;
}
