// MTA-STS (RFC 8461): the "_mta-sts" TXT record's syntax, and the policy file mailrec
// writes: its place, text, id and the mx pattern match (the file's reading is policy.ts).

import { createHash } from 'node:crypto';
import { parseVersionedTagList, startsWithVersion } from '../tag-list.js';

/** RFC 8461 §5: what a sender does when a policy fails. */
export type MtaStsMode = 'enforce' | 'testing' | 'none';

/** The policy URL (RFC 8461 §3.3). */
export function mtaStsPolicyUrl(domain: string): string {
  return `https://mta-sts.${domain.replace(/\.$/, '')}/.well-known/mta-sts.txt`;
}

/** Where the policy file is written, relative to the repo root. */
export function mtaStsPolicyPath(domain: string): string {
  return `mta-sts/${domain}/.well-known/mta-sts.txt`;
}

/** The policy file's text (RFC 8461 §3.2), CRLF line endings. */
export function renderMtaStsPolicy(mode: MtaStsMode, mx: readonly string[], maxAge: number): string {
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

/** §3.1: senders discard TXT records at _mta-sts that do not begin with "v=STSv1". */
export function isMtaStsRecord(text: string): boolean {
  return startsWithVersion(text, 'STSv1');
}

/** The syntax problem of an STS TXT record, or undefined when it is well formed. */
export function mtaStsProblem(text: string): string | undefined {
  const list = parseVersionedTagList(text, 'STSv1', 'id');
  if (!list.ok) return list.error;
  // sts-id = 1*32( ALPHA / DIGIT )
  if (!/^[A-Za-z0-9]{1,32}$/.test(list.value)) return `id=${list.value} is not 1-32 letters or digits`;
  for (const t of list.tags) {
    if (t.name === 'id') continue;
    // sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(t.name)) return `extension field "${t.name}" is malformed`;
  }
  return undefined;
}
