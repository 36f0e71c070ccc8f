// MTA-STS (RFC 8461): the policy file and its "_mta-sts.<domain>" TXT record, whose id follows the file.
//
// The policy file is written with CRLF line endings, the form RFC 8461 §3.2 gives
// ("CRLF-separated key/value pairs"; receivers also accept LF), in the order
// version, mode, mx (one line per pattern, sorted), max_age, ending with CRLF.
// It is returned as a GeneratedFile at the relative path
// "mta-sts/<domain>/.well-known/mta-sts.txt": the document root of the
// https://mta-sts.<domain>/ web server lies under "mta-sts/<domain>/".

import type { DomainPolicy, MtaStsPolicy } from '../policy/model.js';
import { type BuildResult, type GeneratedFile, type Notice, hasErrors, makeNotice, planNotices } from './notice.js';
import { normalizeName, txtRecord } from '../dns-types/rr.js';
import { MTA_STS_MAX_AGE_LIMIT } from '../mail/mta-sts/limits.js';
import { compileMtaStsId, matchesMxPattern, mtaStsPolicyPath, mtaStsPolicyUrl, renderMtaStsPolicy } from '../mail/mta-sts/record.js';
import { uncoveredMxProblem } from '../mail/mta-sts/rules.js';

/** The MTA-STS TXT record and policy file of one domain. */
export function buildMtaSts(domain: DomainPolicy): BuildResult {
  const sts = domain.mtaSts;
  const notices: Notice[] = [];
  if (!sts) return { records: [], files: [], notices };
  const name = `_mta-sts.${domain.name}`;
  const position = sts.position;

  if (!Number.isInteger(sts.maxAge) || sts.maxAge < 0 || sts.maxAge > MTA_STS_MAX_AGE_LIMIT) {
    notices.push(makeNotice('mta-sts.invalid-max-age', name, `max_age ${sts.maxAge} must be an integer from 0 to ${MTA_STS_MAX_AGE_LIMIT}`, position));
    return { records: [], files: [], notices };
  }
  const mxHosts = Array.isArray(domain.mx) && !domain.noMail ? domain.mx.map((m) => normalizeName(m.host)) : [];
  const patterns = [...new Set((sts.mx ?? mxHosts).map((p) => normalizeName(p.trim())))].filter((p) => p !== '').sort();
  if (patterns.length === 0 && sts.mode !== 'none') {
    notices.push(makeNotice('mta-sts.no-mx', name, `MTA-STS mode ${sts.mode} needs mx patterns: declare MX hosts or mta_sts.mx`, position));
    return { records: [], files: [], notices };
  }
  // RFC 8461 §4.1: under enforce, mail to an MX no pattern matches is not delivered.
  const uncovered = mxHosts.filter((host) => !patterns.some((p) => matchesMxPattern(host, p)));
  notices.push(...planNotices(uncovered.flatMap((host) => uncoveredMxProblem(name, host, mtaStsPolicyUrl(domain.name), patterns, sts.mode) ?? []), position));
  if (hasErrors(notices)) return { records: [], files: [], notices };
  const content = renderMtaStsPolicy(sts.mode, patterns, sts.maxAge);
  const file: GeneratedFile = { path: mtaStsPolicyPath(domain.name), content };
  const record = txtRecord(name, domain.ttl, `v=STSv1; id=${compileMtaStsId(content)}`);
  return { records: [record], files: [file], notices };
}
