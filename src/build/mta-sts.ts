// MTA-STS (RFC 8461): the policy file and its "_mta-sts.<domain>" TXT record, whose id follows the file.
//
// The policy file is written with CRLF line endings, the form RFC 8461 §3.2 gives
// ("CRLF-separated key/value pairs"; receivers also accept LF), in the order
// version, mode, mx (one line per pattern, sorted), max_age, ending with CRLF.
// It is returned as a GeneratedFile at the relative path
// "mta-sts/<domain>/.well-known/mta-sts.txt": the document root of the
// https://mta-sts.<domain>/ web server lies under "mta-sts/<domain>/".

import { createHash } from 'node:crypto';
import type { DomainPolicy, MtaStsPolicy } from '../policy/model.js';
import { type BuildResult, type GeneratedFile, type Notice, makeNotice } from './notice.js';
import { normalizeName, txtRecord } from '../dns-types/rr.js';

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
export const MTA_STS_MAX_AGE_LIMIT = 31_557_600;

/** Where the policy file is written, relative to the repo root. */
export function mtaStsPolicyPath(domain: string): string {
  return `mta-sts/${domain}/.well-known/mta-sts.txt`;
}

/** The policy file's text (RFC 8461 §3.2), CRLF line endings. */
export function renderMtaStsPolicy(mode: MtaStsPolicy['mode'], mx: readonly string[], maxAge: number): string {
  const lines = ['version: STSv1', `mode: ${mode}`, ...mx.map((pattern) => `mx: ${pattern}`), `max_age: ${maxAge}`];
  return lines.map((line) => `${line}\r\n`).join('');
}

/**
 * The policy id (RFC 8461 §3.1: 1 to 32 letters and digits): the first 32 hex
 * digits of the SHA-256 of the policy text, so it changes exactly when the text does.
 */
export function compileMtaStsId(policyText: string): string {
  return createHash('sha256').update(policyText, 'utf8').digest('hex').slice(0, 32);
}

/** RFC 8461 §4.1: a "*." pattern matches exactly one leftmost label. */
export function matchesMxPattern(host: string, pattern: string): boolean {
  if (!pattern.startsWith('*.')) return host === pattern;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
}

/** The MTA-STS TXT record and policy file of one domain. */
export function buildMtaSts(domain: DomainPolicy): BuildResult {
  const sts = domain.mtaSts;
  const notices: Notice[] = [];
  if (!sts) return { records: [], files: [], notices };
  const name = `_mta-sts.${domain.name}`;
  const position = sts.position;

  if (!Number.isInteger(sts.maxAge) || sts.maxAge < 0 || sts.maxAge > MTA_STS_MAX_AGE_LIMIT) {
    notices.push(
      makeNotice('error', 'mta-sts.invalid-max-age', name, `max_age ${sts.maxAge} must be an integer from 0 to ${MTA_STS_MAX_AGE_LIMIT}`, { position, rfc: 'RFC 8461 §3.2' }),
    );
    return { records: [], files: [], notices };
  }
  const mxHosts = Array.isArray(domain.mx) && !domain.noMail ? domain.mx.map((m) => normalizeName(m.host)) : [];
  const patterns = [...new Set((sts.mx ?? mxHosts).map((p) => normalizeName(p.trim())))].filter((p) => p !== '').sort();
  if (patterns.length === 0 && sts.mode !== 'none') {
    notices.push(
      makeNotice('error', 'mta-sts.no-mx', name, `MTA-STS mode ${sts.mode} needs mx patterns: declare MX hosts or mta_sts.mx`, { position, rfc: 'RFC 8461 §3.2' }),
    );
    return { records: [], files: [], notices };
  }
  if (sts.mode === 'enforce') {
    // RFC 8461 §4.1: under enforce, mail to an MX no pattern matches is not delivered.
    for (const host of mxHosts) {
      if (!patterns.some((p) => matchesMxPattern(host, p))) {
        notices.push(
          makeNotice('warning', 'mta-sts.mx-not-covered', name, `MX host ${host} matches no mx pattern of the MTA-STS policy: senders enforcing it will not deliver there`, {
            position,
            rfc: 'RFC 8461 §4.1',
          }),
        );
      }
    }
  }
  const content = renderMtaStsPolicy(sts.mode, patterns, sts.maxAge);
  const file: GeneratedFile = { path: mtaStsPolicyPath(domain.name), content };
  const record = txtRecord(name, domain.ttl, `v=STSv1; id=${compileMtaStsId(content)}`);
  return { records: [record], files: [file], notices };
}
