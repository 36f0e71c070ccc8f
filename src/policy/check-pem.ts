// Checks that a file the policy names holds what its key says: a DKIM key, a certificate
// or a public key in PEM. Pure (parsing only); the loader reads the file.

import { createPublicKey, X509Certificate } from 'node:crypto';
import { DKIM_RSA_MIN_BITS } from '../mail/dkim/limits.js';
import { publicKeyPemDer, readSpki } from '../mail/dkim/spki.js';
import type { FileRef } from './drafts.js';
import type { Check } from './values.js';

export function checkPem(kind: FileRef['kind'], path: string, text: string): Check<string> {
  if (!text.includes('-----BEGIN ')) {
    return { ok: false, message: `${path} holds no PEM block`, hint: 'expected a file starting with -----BEGIN ...-----' };
  }
  if (kind === 'tlsa-cert') {
    try {
      new X509Certificate(text);
      return { ok: true, value: text };
    } catch {
      return { ok: false, message: `${path} holds no readable certificate`, hint: 'cert: takes a PEM X.509 certificate; use pubkey: for a key' };
    }
  }
  // A plain public key PEM of the usual shapes is read without OpenSSL's decoder (mail/dkim/spki.ts).
  const der = publicKeyPemDer(text);
  const fast = der ? readSpki(der) : undefined;
  if (fast && kind === 'tlsa-pubkey') return { ok: true, value: text };
  if (fast?.type === 'ed25519') return { ok: true, value: text };
  if (fast?.type === 'rsa' && fast.bits >= DKIM_RSA_MIN_BITS) return { ok: true, value: text };
  let key;
  try {
    key = createPublicKey(text);
  } catch {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
      return { ok: false, message: `${path} is an encrypted private key`, hint: 'publish its public part instead: openssl pkey -in key.pem -pubout' };
    }
    return {
      ok: false,
      message: `${path} holds no readable key`,
      hint: 'a PEM public key, or an unencrypted private key (only its public part is published): openssl pkey -in key.pem -pubout',
    };
  }
  if (kind === 'tlsa-pubkey') {
    // The next key of a TLSA rollover may exist only as the private key file (RFC 7671 §8.1):
    // keep only its public part in the Policy, so that no private material travels further.
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      return { ok: true, value: String(key.export({ type: 'spki', format: 'pem' })) };
    }
    return { ok: true, value: text };
  }
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < DKIM_RSA_MIN_BITS) {
      return { ok: false, message: `${path} is a ${bits}-bit RSA key; DKIM needs at least ${DKIM_RSA_MIN_BITS}`, hint: 'RFC 8301 §3.2; generate 2048 bits' };
    }
    return { ok: true, value: text };
  }
  if (type === 'ed25519') return { ok: true, value: text };
  return {
    ok: false,
    message: `${path} holds a key of type ${type ?? 'unknown'}; DKIM keys are RSA (RFC 6376) or Ed25519 (RFC 8463)`,
  };
}
