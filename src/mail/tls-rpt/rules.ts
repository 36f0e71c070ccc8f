// TLS-RPT rules (RFC 8460 §3): the reporting record, as the one code and the words that
// plan, audit and import all report a problem with.

import type { Problem } from '../../base/finding.js';
import { tlsRptProblem, tlsRptUriProblem } from './record.js';

/** §3: one v=TLSRPTv1 record per name. */
export function checkTlsRptMultiple(name: string, records: readonly string[]): Problem {
  return { code: 'tls-rpt.multiple', name, message: `${records.length} v=TLSRPTv1 records at ${name}` };
}

/** The record's syntax (v= first, a rua= of mailto: or https: URIs); `null` when it is well formed. */
export function checkTlsRptRecord(name: string, text: string): Problem | null {
  const problem = tlsRptProblem(text);
  return problem ? { code: 'tls-rpt.syntax', name, message: `TLS-RPT record at ${name}: ${problem}` } : null;
}

/**
 * Each rua URI of a well-formed record looked at closely: a mailto: with one address, an
 * https: URL with a host. A record with a syntax error gets that finding alone.
 */
export function checkTlsRptUris(name: string, text: string): Problem[] {
  if (tlsRptProblem(text) !== undefined) return [];
  const rua = /(?:^|;)\s*rua\s*=\s*([^;]*)/.exec(text)?.[1] ?? '';
  return rua
    .split(',')
    .map((u) => u.trim())
    .flatMap((uri) => {
      const problem = tlsRptUriProblem(uri);
      return problem ? [{ code: 'tls-rpt.rua-invalid' as const, name, message: `TLS-RPT rua at ${name}: ${problem}` }] : [];
    });
}
