// A rule of the DNS data model itself, for every record family: a name that holds a CNAME
// holds nothing else (RFC 1034 §3.6.2, RFC 2181 §10.1).

import type { Problem } from '../base/finding.js';

/** A CNAME beside other data at `name`; `others` are the other types found there. */
export function cnameConflictProblem(name: string, target: string, others: readonly string[]): Problem {
  return { code: 'dns.cname-and-other-data', name, message: `${name} holds a CNAME (to ${target}) and ${others.join(', ')}` };
}
