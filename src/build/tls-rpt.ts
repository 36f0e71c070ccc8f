// TLS-RPT (RFC 8460): the "_smtp._tls.<domain>" record naming where TLS failure reports go.

import type { DomainPolicy } from '../policy/model.js';
import { type BuildResult, type Notice, makeNotice } from './notice.js';
import { txtRecord } from '../dns-types/rr.js';

/** Add "mailto:" to a bare address and lowercase the scheme; commas and semicolons are percent-encoded (RFC 8460 §3). */
export function normalizeTlsRptUri(uri: string): string {
  const trimmed = uri.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  const out = scheme ? `${scheme[1]!.toLowerCase()}:${trimmed.slice(scheme[0].length)}` : `mailto:${trimmed}`;
  return out.replace(/,/g, '%2C').replace(/;/g, '%3B');
}

/** The TLS-RPT record of one domain: "v=TLSRPTv1; rua=<uri>,<uri>". */
export function buildTlsRpt(domain: DomainPolicy): BuildResult {
  const rpt = domain.tlsRpt;
  const notices: Notice[] = [];
  if (!rpt) return { records: [], files: [], notices };
  const name = `_smtp._tls.${domain.name}`;
  const rua = [...new Set(rpt.rua.map(normalizeTlsRptUri))];
  // RFC 8460 §3: rua is one or more mailto: or https: URIs.
  const bad = rua.filter((uri) => !uri.startsWith('mailto:') && !uri.startsWith('https:'));
  if (rua.length === 0 || bad.length > 0) {
    const why = rua.length === 0 ? 'no report destination' : `unsupported URI ${bad.join(', ')}`;
    notices.push(makeNotice('error', 'tls-rpt.invalid-rua', name, `TLS-RPT rua: ${why}; use mailto: or https: URIs`, { position: rpt.position, rfc: 'RFC 8460 §3' }));
    return { records: [], files: [], notices };
  }
  return { records: [txtRecord(name, domain.ttl, `v=TLSRPTv1; rua=${rua.join(',')}`)], files: [], notices };
}
