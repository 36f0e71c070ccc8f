// TLS-RPT (RFC 8460): the "_smtp._tls.<domain>" record naming where TLS failure reports go.

import type { DomainPolicy } from '../policy/model.js';
import { normalizeTlsRptUri } from '../mail/tls-rpt/record.js';
import { checkTlsRptRecord, checkTlsRptUris } from '../mail/tls-rpt/rules.js';
import { type BuildResult, type Notice, hasErrors, planNotices } from './notice.js';
import { txtRecord } from '../dns-types/rr.js';

/** The TLS-RPT record of one domain: "v=TLSRPTv1; rua=<uri>,<uri>". */
export function buildTlsRpt(domain: DomainPolicy): BuildResult {
  const rpt = domain.tlsRpt;
  const notices: Notice[] = [];
  if (!rpt) return { records: [], files: [], notices };
  const name = `_smtp._tls.${domain.name}`;
  const rua = [...new Set(rpt.rua.map(normalizeTlsRptUri))];
  const text = `v=TLSRPTv1; rua=${rua.join(',')}`;
  // RFC 8460 §3: rua is one or more mailto: or https: URIs; the record's rules judge it.
  const syntax = checkTlsRptRecord(name, text);
  notices.push(...planNotices(syntax ? [syntax] : checkTlsRptUris(name, text), rpt.position));
  if (hasErrors(notices)) return { records: [], files: [], notices };
  return { records: [txtRecord(name, domain.ttl, text)], files: [], notices };
}
