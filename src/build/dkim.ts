// DKIM (RFC 6376, RFC 8463): policy keys -> "<selector>._domainkey.<domain>" key records.
//
// The published text is "v=DKIM1; k=rsa; p=<base64 SPKI DER>" for RSA and
// "v=DKIM1; k=ed25519; p=<base64 raw 32-byte key>" for Ed25519; a retired key is
// published revoked as "v=DKIM1; p=". A private key PEM is accepted and only its
// public part is used: no private material reaches a record or a notice.

import { type KeyObject, createPublicKey } from 'node:crypto';
import type { DkimKey, DomainPolicy } from '../policy/model.js';
import { type BuildResult, type Notice, makeNotice } from './notice.js';
import { type RR, txtRecord } from '../dns-types/rr.js';
import { publicKeyPemDer, readSpki } from '../mail/dkim/spki.js';

/** RFC 8301 §3.2: verifiers MUST accept at least 1024 bits; signers SHOULD use 2048. */
export const DKIM_RSA_MIN_BITS = 1024;
export const DKIM_RSA_RECOMMENDED_BITS = 2048;

export type DkimPublicKey =
  | { ok: true; k: 'rsa' | 'ed25519'; p: string; bits?: number }
  | { ok: false; code: 'dkim.key-unreadable' | 'dkim.unsupported-key'; reason: string };

function toPublic(pem: string): KeyObject | undefined {
  try {
    // createPublicKey derives the public key from a private key PEM as well.
    return createPublicKey(pem);
  } catch {
    // The library's message is dropped on purpose: it might echo input.
    return undefined;
  }
}

/** A PEM public or private key -> the k= and p= values of its DKIM key record. */
export function compileDkimPublicKey(pem: string): DkimPublicKey {
  if (pem.trim() === '') return { ok: false, code: 'dkim.key-unreadable', reason: 'the key file is empty' };
  // A plain public key PEM of the usual shapes is read without OpenSSL's decoder (spki.ts).
  const der = publicKeyPemDer(pem);
  const fast = der ? readSpki(der) : undefined;
  if (fast?.type === 'rsa') return { ok: true, k: 'rsa', p: der!.toString('base64'), bits: fast.bits };
  if (fast?.type === 'ed25519') return { ok: true, k: 'ed25519', p: fast.raw.toString('base64') };
  const key = toPublic(pem);
  if (!key) return { ok: false, code: 'dkim.key-unreadable', reason: 'the key file is not a readable PEM public or private key (an encrypted private key needs decrypting first)' };
  if (key.asymmetricKeyType === 'rsa') {
    // RFC 6376 §3.6.1: p= is the base64 DER SubjectPublicKeyInfo.
    const der = key.export({ type: 'spki', format: 'der' });
    return { ok: true, k: 'rsa', p: der.toString('base64'), bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  }
  if (key.asymmetricKeyType === 'ed25519') {
    // RFC 8463 §4.2: p= is the raw 32-octet public key, not an SPKI.
    const jwk = key.export({ format: 'jwk' });
    if (typeof jwk.x !== 'string') return { ok: false, code: 'dkim.key-unreadable', reason: 'cannot export the Ed25519 public key' };
    return { ok: true, k: 'ed25519', p: Buffer.from(jwk.x, 'base64url').toString('base64') };
  }
  return { ok: false, code: 'dkim.unsupported-key', reason: `DKIM supports RSA and Ed25519 keys, not ${key.asymmetricKeyType ?? 'this key type'}` };
}

/** The key record's text for one policy key, or notices saying why there is none. */
export function compileDkimText(key: DkimKey, owner: string): { text?: string; notices: Notice[] } {
  const position = key.position;
  // RFC 6376 §3.6.1: an empty p= means the key has been revoked.
  if (key.state === 'retired') return { text: 'v=DKIM1; p=', notices: [] };
  const pub = compileDkimPublicKey(key.keyPem);
  if (!pub.ok) {
    return {
      notices: [makeNotice('error', pub.code, owner, `DKIM key ${key.keyPath}: ${pub.reason}`, { position, rfc: 'RFC 6376 §3.6.1' })],
    };
  }
  const notices: Notice[] = [];
  if (pub.k === 'rsa') {
    const bits = pub.bits ?? 0;
    if (bits < DKIM_RSA_MIN_BITS) {
      notices.push(
        makeNotice('error', 'dkim.key-too-small', owner, `DKIM key ${key.keyPath} is RSA ${bits} bits; at least ${DKIM_RSA_MIN_BITS} are required, ${DKIM_RSA_RECOMMENDED_BITS} recommended`, {
          position,
          rfc: 'RFC 8301 §3.2',
        }),
      );
      return { notices };
    }
    if (bits < DKIM_RSA_RECOMMENDED_BITS) {
      notices.push(
        makeNotice('warning', 'dkim.key-small', owner, `DKIM key ${key.keyPath} is RSA ${bits} bits; ${DKIM_RSA_RECOMMENDED_BITS} bits are recommended`, {
          position,
          rfc: 'RFC 8301 §3.2',
        }),
      );
    }
  }
  return { text: `v=DKIM1; k=${pub.k}; p=${pub.p}`, notices };
}

/** The DKIM key records of one domain, sorted by selector; TXT strings split at 255 octets. */
export function buildDkim(domain: DomainPolicy): BuildResult {
  const records: RR[] = [];
  const notices: Notice[] = [];
  const seen = new Set<string>();
  const keys = domain.dkim.map((key) => ({ key, selector: key.selector.toLowerCase() }));
  keys.sort((a, b) => (a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0));
  for (const { key, selector } of keys) {
    // A removed key publishes nothing; its entry only keeps the selector from being reused.
    if (key.state === 'removed') continue;
    // RFC 6376 §3.6.2.1: the key lives at <selector>._domainkey.<domain>.
    const owner = `${selector}._domainkey.${domain.name}`;
    if (seen.has(selector)) {
      notices.push(
        makeNotice('error', 'dkim.duplicate-selector', owner, `DKIM selector "${selector}" is declared twice for ${domain.name}`, {
          position: key.position,
          rfc: 'RFC 6376 §3.6.2.1',
        }),
      );
      continue;
    }
    seen.add(selector);
    const compiled = compileDkimText(key, owner);
    notices.push(...compiled.notices);
    if (compiled.text !== undefined) records.push(txtRecord(owner, domain.ttl, compiled.text));
  }
  return { records, files: [], notices };
}
