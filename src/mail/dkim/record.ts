// DKIM key records (RFC 6376 §3.6.1, RFC 8463 §4.2, RFC 8301): tags, and the key in p=
// read for what it is — an RSA SubjectPublicKeyInfo or a raw 32-byte Ed25519 key.

import { createPublicKey } from 'node:crypto';
import { readSpki } from './spki.js';
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
  if (!record.revoked) readKey(record, p.replace(/\s+/g, ''));
  return { ok: true, record };
}

function readKey(record: DkimKeyRecord, b64: string): void {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    record.keyProblem = { kind: 'invalid', message: 'p= is not valid base64' };
    return;
  }
  const der = Buffer.from(b64, 'base64');
  const spki = importKey(der);
  if (record.k === 'rsa') {
    if (spki?.type === 'rsa') record.key = { type: 'rsa', bits: spki.bits };
    else if (spki?.type === 'ed25519' || der.length === 32) {
      record.keyProblem = { kind: 'mismatch', message: 'k=rsa but p= holds an Ed25519 key' };
    } else record.keyProblem = { kind: 'invalid', message: 'p= is not an RSA public key' };
    return;
  }
  if (record.k === 'ed25519') {
    // RFC 8463 §4.2: the raw 32-byte public key, not a SubjectPublicKeyInfo.
    if (der.length === 32) record.key = { type: 'ed25519' };
    else if (spki?.type === 'rsa') record.keyProblem = { kind: 'mismatch', message: `k=ed25519 but p= holds an RSA key (${spki.bits} bits)` };
    else if (spki?.type === 'ed25519') {
      record.keyProblem = { kind: 'invalid', message: 'p= holds an Ed25519 SubjectPublicKeyInfo; RFC 8463 publishes the raw 32-byte key' };
    } else record.keyProblem = { kind: 'invalid', message: `p= is ${der.length} bytes, not a 32-byte Ed25519 key` };
    return;
  }
  record.keyProblem = { kind: 'unknown-type', message: `k=${record.k} is not rsa or ed25519` };
}

function importKey(der: Buffer): { type: 'rsa'; bits: number } | { type: 'ed25519' } | undefined {
  // The usual shapes without OpenSSL's decoder (spki.ts); the rest below.
  const fast = readSpki(der);
  if (fast) return fast.type === 'rsa' ? fast : { type: 'ed25519' };
  // p= for RSA is a SubjectPublicKeyInfo in practice; a bare RSAPublicKey (PKCS#1) is
  // also found in the wild and read by common verifiers.
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType === 'rsa') return { type: 'rsa', bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
      if (key.asymmetricKeyType === 'ed25519') return { type: 'ed25519' };
      return undefined;
    } catch {
      // try the next form
    }
  }
  return undefined;
}
