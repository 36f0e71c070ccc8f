// DKIM key records (RFC 6376 §3.6.1, RFC 8463 §4.2, RFC 8301): tags, and the key in p=
// read for what it is — an RSA SubjectPublicKeyInfo or a raw 32-byte Ed25519 key.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { ED25519_SPKI_PREFIX, publicKeyPemDer, readSpki } from './spki.js';
import { parseTagListStrict } from '../tag-list.js';

export interface DkimKeyRecord {
  text: string;
  version?: string;
  /** k= as published, lowercased; "rsa" when absent (§3.6.1 default). */
  k: string;
  hashes?: string[];
  services?: string[];
  flags: string[];
  /** Empty p=: the key is revoked. */
  revoked: boolean;
  /** What p= actually holds. */
  key?: { type: 'rsa'; bits: number } | { type: 'ed25519' };
  /** Why p= is unusable, when it is. */
  keyProblem?: { kind: 'invalid' | 'mismatch' | 'unknown-type'; message: string };
}

export type DkimKeyParse = { ok: true; record: DkimKeyRecord } | { ok: false; error: string; version?: boolean };

export function parseDkimKey(text: string): DkimKeyParse {
  // §3.2: tag names are case-sensitive in DKIM.
  const list = parseTagListStrict(text);
  if (!list.ok) return { ok: false, error: list.error };
  const tags = list.tags;
  const v = tags.findIndex((t) => t.name === 'v');
  // §3.6.1: v= is optional, but when present it MUST be first and MUST be "DKIM1".
  if (v > 0) return { ok: false, error: 'v= is present but not the first tag', version: true };
  if (v === 0 && tags[0]!.value !== 'DKIM1') return { ok: false, error: `v=${tags[0]!.value} is not DKIM1`, version: true };
  const get = (name: string): string | undefined => tags.find((t) => t.name === name)?.value;
  const p = get('p');
  if (p === undefined) return { ok: false, error: 'no p= tag (it is required)' };
  const list2 = (value: string | undefined): string[] | undefined =>
    value === undefined ? undefined : value.split(':').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  const record: DkimKeyRecord = {
    text,
    ...(v === 0 ? { version: 'DKIM1' } : {}),
    k: (get('k') ?? 'rsa').toLowerCase(),
    flags: list2(get('t')) ?? [],
    revoked: p.replace(/\s+/g, '') === '',
  };
  const hashes = list2(get('h'));
  if (hashes) record.hashes = hashes;
  const services = list2(get('s'));
  if (services) record.services = services;
  if (!record.revoked) readKey(record, p);
  return { ok: true, record };
}

function readKey(record: DkimKeyRecord, p: string): void {
  const decoded = decodeDkimKey(record.k, p);
  if (!decoded.ok) record.keyProblem = { kind: decoded.kind, message: decoded.message };
  else record.key = decoded.key.type === 'rsa' ? { type: 'rsa', bits: decoded.key.bits } : { type: 'ed25519' };
}

/** What p= holds: an RSA key (as published: SubjectPublicKeyInfo or bare PKCS#1) or the raw Ed25519 key. */
export type DkimKeyData = { type: 'rsa'; bits: number; der: Buffer; form: 'spki' | 'pkcs1' } | { type: 'ed25519'; raw: Buffer };

export type DkimKeyDecode = { ok: true; key: DkimKeyData } | { ok: false; kind: 'invalid' | 'mismatch' | 'unknown-type'; message: string };

/**
 * The one DKIM key decoder: p= read for what it is under k= (RFC 6376 §3.6.1: an RSA
 * SubjectPublicKeyInfo; RFC 8463 §4.2: the raw 32-byte Ed25519 key). Whitespace in p= is
 * folding and ignored.
 */
export function decodeDkimKey(k: string, p: string): DkimKeyDecode {
  const b64 = p.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return { ok: false, kind: 'invalid', message: 'p= is not valid base64' };
  const der = Buffer.from(b64, 'base64');
  if (k === 'ed25519' && der.length === 32) return { ok: true, key: { type: 'ed25519', raw: der } };
  const spki = importKey(der);
  if (k === 'rsa') {
    if (spki?.type === 'rsa') return { ok: true, key: { type: 'rsa', bits: spki.bits, der, form: spki.form } };
    if (spki?.type === 'ed25519' || der.length === 32) return { ok: false, kind: 'mismatch', message: 'k=rsa but p= holds an Ed25519 key' };
    return { ok: false, kind: 'invalid', message: 'p= is not an RSA public key' };
  }
  if (k === 'ed25519') {
    // RFC 8463 §4.2: the raw 32-byte public key (taken above), not a SubjectPublicKeyInfo.
    if (spki?.type === 'rsa') return { ok: false, kind: 'mismatch', message: `k=ed25519 but p= holds an RSA key (${spki.bits} bits)` };
    if (spki?.type === 'ed25519') return { ok: false, kind: 'invalid', message: 'p= holds an Ed25519 SubjectPublicKeyInfo; RFC 8463 publishes the raw 32-byte key' };
    return { ok: false, kind: 'invalid', message: `p= is ${der.length} bytes, not a 32-byte Ed25519 key` };
  }
  return { ok: false, kind: 'unknown-type', message: `k=${k} is not rsa or ed25519` };
}

/** The key as a SubjectPublicKeyInfo PEM, the form a policy's key: file holds (RFC 7468 §13). */
export function dkimKeyPem(key: DkimKeyData): string {
  const der = key.type === 'ed25519' ? Buffer.concat([ED25519_SPKI_PREFIX, key.raw]) : key.form === 'spki' ? key.der : createPublicKey({ key: key.der, format: 'der', type: 'pkcs1' }).export({ type: 'spki', format: 'der' });
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

function importKey(der: Buffer): { type: 'rsa'; bits: number; form: 'spki' | 'pkcs1' } | { type: 'ed25519' } | undefined {
  // The usual shapes without OpenSSL's decoder (spki.ts); the rest below.
  const fast = readSpki(der);
  if (fast) return fast.type === 'rsa' ? { ...fast, form: 'spki' } : { type: 'ed25519' };
  // p= for RSA is a SubjectPublicKeyInfo in practice; a bare RSAPublicKey (PKCS#1) is
  // also found in the wild and read by common verifiers.
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType === 'rsa') return { type: 'rsa', bits: key.asymmetricKeyDetails?.modulusLength ?? 0, form: type };
      if (key.asymmetricKeyType === 'ed25519') return { type: 'ed25519' };
      return undefined;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

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
