// MX rules (RFC 5321 §5.1, RFC 7505, RFC 2181 §10.3): the MX RRset of a domain, as the one
// code and the words that plan, audit and import all report a problem with.

import type { Problem } from '../../base/finding.js';
import { isIpLiteral } from '../../dns-types/ip.js';

/** One MX record: the exchange "" is the null MX's ".". */
export interface MxData {
  preference: number;
  exchange: string;
}

/**
 * The RRset's own problems: a null MX beside other records (RFC 7505 §3: it "MUST NOT" be
 * published with any other MX record) and targets that are addresses, not host names
 * (RFC 5321 §5.1), one problem per target.
 */
export function checkMxRecords(domain: string, records: readonly MxData[]): Problem[] {
  const problems: Problem[] = [];
  if (records.length > 1 && records.some((m) => m.exchange === '')) {
    problems.push({ code: 'mx.null-not-alone', name: domain, message: `the null MX at ${domain} stands beside ${records.length - 1} other MX record(s)` });
  }
  for (const target of [...new Set(records.map((m) => m.exchange).filter((e) => e !== ''))].sort()) {
    if (isIpLiteral(target)) problems.push({ code: 'mx.target-ip-literal', name: target, message: `the MX target "${target}" is an IP address, not a host name` });
  }
  return problems;
}

/** RFC 2181 §10.3: an MX exchange must not be an alias. */
export function mxTargetCnameProblem(target: string, alias: string): Problem {
  return { code: 'mx.target-cname', name: target, message: `the MX target ${target} is a CNAME for ${alias}` };
}
