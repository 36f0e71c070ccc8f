// DKIM signing keys as the signers read them: generated with node:crypto, written in the
// one private-key format rspamd, OpenDKIM and dkimpy all load, and read back to their public
// part. Pure (no file IO); nothing here returns or prints private material except
// `generateDkimKey`, whose private text goes straight to a 0600 file.
//
// Formats (measured with rspamd 3.4, dkimpy 1.1, OpenDKIM 2.11, shared/notes/real-servers.md):
// - RSA: PKCS#8 PEM ("BEGIN PRIVATE KEY"): all three load it.
// - Ed25519 (RFC 8463): the base64 of the 32-byte seed (RFC 8032 §5.1.5 private key) and a
//   newline. rspamd 3.4 rejects an Ed25519 PKCS#8 PEM and then signs nothing, telling only its
//   log; dkimpy reads the seed too.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const DKIM_KEY_TYPES = ['ed25519', 'rsa2048', 'rsa3072'] as const;
export type DkimKeyType = (typeof DKIM_KEY_TYPES)[number];

/** RSA 2048: RFC 8301 §3.2 says signers SHOULD use at least 2048 bits, and every verifier reads it. */
export const DEFAULT_DKIM_KEY_TYPE: DkimKeyType = 'rsa2048';

export interface GeneratedDkimKey {
  /** The private key file's text, in the signers' format (see above). Never logged. */
  privateText: string;
  /** The public key as an SPKI PEM: what the policy's `key:` file holds. */
  publicPem: string;
}

/** RFC 8410 §7: PKCS#8 for Ed25519 is this 16-octet prefix, then the 32-octet seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function generateDkimKey(type: DkimKeyType): GeneratedDkimKey {
  if (type === 'ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    const seed = der.subarray(der.length - 32);
    return { privateText: `${seed.toString('base64')}\n`, publicPem: String(publicKey.export({ type: 'spki', format: 'pem' })) };
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: type === 'rsa3072' ? 3072 : 2048, publicExponent: 0x10001 });
  return {
    privateText: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
    publicPem: String(publicKey.export({ type: 'spki', format: 'pem' })),
  };
}

/**
 * A private key file's key: any PEM private key, or Ed25519 as base64 of the 32-byte seed
 * (or of seed and public key, 64 octets, as `rspamadm dkim_keygen` writes it). Undefined when
 * the text is none of these; the reason is never derived from the text.
 */
function readPrivateKey(text: string): KeyObject | undefined {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN ')) {
    try {
      return createPrivateKey(trimmed);
    } catch {
      return undefined;
    }
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.length !== 32 && raw.length !== 64) return undefined;
  try {
    const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    // 64 octets: the second half must be the seed's public key, or this is not such a file.
    if (raw.length === 64 && !publicRaw(createPublicKey(key)).equals(raw.subarray(32))) return undefined;
    return key;
  } catch {
    return undefined;
  }
}

function publicRaw(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(String(jwk.x ?? ''), 'base64url');
}

/** The public key (SPKI PEM) of a private key file, or undefined when it holds no usable RSA or Ed25519 key. */
export function publicPemOfPrivateKey(text: string): string | undefined {
  const key = readPrivateKey(text);
  if (!key || (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ed25519')) return undefined;
  return String(createPublicKey(key).export({ type: 'spki', format: 'pem' }));
}

/** The type a private key file holds, as keygen names it ("rsa" for any RSA size). */
export function privateKeyKind(text: string): 'rsa' | 'ed25519' | undefined {
  const type = readPrivateKey(text)?.asymmetricKeyType;
  return type === 'rsa' || type === 'ed25519' ? type : undefined;
}

/**
 * The private key's file name: "<domain>.<selector>.key", rspamd's own default path template
 * ($domain.$selector.key), so that a key directory reads the same to both.
 */
export function privateKeyFileName(domain: string, selector: string): string {
  return `${domain}.${selector}.key`;
}

/** The public key's file name beside the policy's other keys: "<domain>.<selector>.pub". */
export function publicKeyFileName(domain: string, selector: string): string {
  return `${domain}.${selector}.pub`;
}
