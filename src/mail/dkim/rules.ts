// DKIM rules (RFC 6376, RFC 8301, RFC 8463): what one key record says to a verifier, as
// the one code and the words that plan, audit and import all report it with.

import type { Problem } from '../../base/finding.js';
import { DKIM_RSA_MIN_BITS, DKIM_RSA_RECOMMENDED_BITS } from './limits.js';
import { parseDkimKey } from './record.js';

/** The selector's state in the policy: active, published ahead of a rotation, retired (p= empty) or removed. */
export type SelectorState = 'active' | 'published' | 'retired' | 'removed';

/** RFC 6376 §3.6.2.2: one key record per selector. */
export function checkDkimMultiple(name: string, texts: readonly string[]): Problem {
  return { code: 'dkim.multiple', name, message: `${texts.length} TXT records at ${name}` };
}

/** RFC 8301 §3.2: verifiers MUST NOT accept RSA keys under 1024 bits; signers SHOULD use 2048. */
export function checkRsaKeySize(name: string, bits: number): Problem | null {
  if (bits < DKIM_RSA_MIN_BITS) return { code: 'dkim.rsa-too-short', name, message: `the RSA key at ${name} has ${bits} bits` };
  if (bits < DKIM_RSA_RECOMMENDED_BITS) return { code: 'dkim.rsa-weak', name, message: `the RSA key at ${name} has ${bits} bits` };
  return null;
}

/**
 * The problems of the key record `text` at `name`, for a selector in `state` (undefined when
 * the policy does not say): syntax and v=, revocation against the state, what p= holds, RSA
 * size (RFC 8301 §3.2), hash algorithms (§3.1), service type and testing flag.
 */
export function checkDkimKeyRecord(name: string, text: string, state?: SelectorState): Problem[] {
  const problems: Problem[] = [];
  const add = (code: Problem['code'], message: string): void => void problems.push({ code, name, message });
  const parsed = parseDkimKey(text);
  if (!parsed.ok) {
    add(parsed.version ? 'dkim.version-invalid' : 'dkim.syntax', `key record at ${name}: ${parsed.error}`);
    return problems;
  }
  const key = parsed.record;
  if (key.revoked) {
    // §3.6.1: an empty p= means the key has been revoked.
    if (state === 'active' || state === 'published') add('dkim.active-revoked', `the key at ${name} is revoked (empty p=) but the policy says ${state}`);
    else add('dkim.revoked', `the key at ${name} is revoked (empty p=)`);
    return problems;
  }
  if (state === 'retired' || state === 'removed') add('dkim.retired-not-revoked', `the ${state} selector ${name.slice(0, name.indexOf('._domainkey.'))} still publishes a key`);
  if (key.keyProblem) {
    const kind = key.keyProblem.kind;
    add(kind === 'mismatch' ? 'dkim.key-type-mismatch' : kind === 'unknown-type' ? 'dkim.key-type-unknown' : 'dkim.key-invalid', `key at ${name}: ${key.keyProblem.message}`);
  }
  const size = key.key?.type === 'rsa' ? checkRsaKeySize(name, key.key.bits) : null;
  if (size) problems.push(size);
  // RFC 8301 §3.1: rsa-sha1 is no longer accepted, so h= without sha256 leaves no usable hash.
  if (key.hashes && !key.hashes.includes('sha256')) add('dkim.sha1-only', `h=${key.hashes.join(':')} at ${name} excludes sha256`);
  if (key.services && !key.services.includes('*') && !key.services.includes('email')) add('dkim.service-type', `s=${key.services.join(':')} at ${name} does not include email`);
  if (key.flags.includes('y')) add('dkim.testing', `t=y at ${name}: the domain is testing DKIM`);
  return problems;
}
