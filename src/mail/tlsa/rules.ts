// DANE rules (RFC 6698, RFC 7671, RFC 7672): the TLSA records at one name, as the one code
// and the words that plan, audit and import all report a problem with.

import type { Problem } from '../../base/finding.js';
import { isUsableForSmtp, tlsaProblem, type TlsaData } from './record.js';

/**
 * Each record at `name` (`_<port>._tcp.<host>`): malformed (RFC 6698 §2.1), or, for SMTP on
 * port 25, a usage SMTP clients treat as unusable (RFC 7672 §3.1.3).
 */
export function checkTlsaRecords(name: string, records: readonly TlsaData[]): Problem[] {
  const smtp = name.startsWith('_25._tcp.');
  const problems: Problem[] = [];
  for (const r of records) {
    const problem = tlsaProblem(r);
    if (problem) problems.push({ code: 'tlsa.invalid', name, message: `TLSA ${r.usage} ${r.selector} ${r.matchingType} at ${name}: ${problem}` });
    else if (smtp && !isUsableForSmtp(r)) problems.push({ code: 'tlsa.bad-usage', name, message: `TLSA usage ${r.usage} at ${name}: SMTP uses only DANE-TA(2) and DANE-EE(3)` });
  }
  return problems;
}
