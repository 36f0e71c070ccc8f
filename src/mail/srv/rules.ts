// SRV rules for mail (RFC 6186, RFC 8314): the one code and the words that plan, audit and
// import report a problem with.

import type { Problem } from '../../base/finding.js';

/**
 * RFC 8314 §3.3: port 465 is implicit TLS, published as _submissions._tcp; _submission._tcp
 * is STARTTLS on 587, and a client there would not start TLS. `null` when the record is fine.
 */
export function checkSubmissionPort(owner: string, port: number, target: string): Problem | null {
  if (!owner.startsWith('_submission._tcp.') || port !== 465 || target === '') return null;
  return { code: 'srv.submission-465', name: owner, message: `${owner} points at port 465 (implicit TLS); clients will speak STARTTLS to it` };
}
