// MTA-STS rules (RFC 8461): the policy indicator record and the MX hosts a policy covers,
// as the one code and the words that plan, audit and import all report a problem with.

import type { Problem } from '../../base/finding.js';
import { mtaStsProblem, type MtaStsMode } from './record.js';

/** §3.1: more than one v=STSv1 record leaves the domain without a policy. */
export function checkMtaStsMultiple(name: string, records: readonly string[]): Problem {
  return { code: 'mta-sts.multiple', name, message: `${records.length} v=STSv1 records at ${name}: senders treat the domain as having no policy` };
}

/** §3.1: the record's syntax; `null` when it is well formed. */
export function checkMtaStsRecord(name: string, text: string): Problem | null {
  const problem = mtaStsProblem(text);
  return problem ? { code: 'mta-sts.syntax', name, message: `MTA-STS record at ${name}: ${problem}` } : null;
}

/**
 * §4.1: an MX host that no mx pattern of the policy at `where` matches: enforcing senders
 * do not deliver to it; in mode testing they only report it. `null` in mode none.
 */
export function uncoveredMxProblem(name: string, host: string, where: string, patterns: readonly string[], mode: MtaStsMode): Problem | null {
  const listed = `MX ${host} matches no mx pattern of the policy at ${where} (${patterns.join(', ') || 'none'})`;
  if (mode === 'enforce') return { code: 'mta-sts.mx-not-covered', name, message: `${listed}: senders enforcing MTA-STS will not deliver to it` };
  if (mode === 'testing') return { code: 'mta-sts.mx-not-covered-testing', name, message: `${listed}: in mode testing senders only report it` };
  return null;
}
