// DKIM key material: each key type's files, read back to the same public key; openssl as the
// oracle for the RSA public part; the selector scheme.

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileDkimPublicKey } from '../../../src/mail/dkim/record.js';
import { DKIM_KEY_TYPES, generateDkimKey, privateKeyKind, publicPemOfPrivateKey } from '../../../src/mail/dkim/key-material.js';
import { nextSelector, selectorMonth } from '../../../src/mail/dkim/selector-scheme.js';
import { sh } from '../../build/fixtures.js';

describe('generateDkimKey', () => {
  it.each(DKIM_KEY_TYPES)('%s: the private file reads back to the public key it came with', (type) => {
    const key = generateDkimKey(type);
    expect(publicPemOfPrivateKey(key.privateText)).toBe(key.publicPem);
    const pub = compileDkimPublicKey(key.publicPem);
    expect(pub.ok).toBe(true);
    if (type === 'ed25519') {
      // rspamd 3.4 reads Ed25519 only as the base64 of the 32-byte seed.
      expect(key.privateText).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
      expect(pub).toMatchObject({ k: 'ed25519' });
      expect(privateKeyKind(key.privateText)).toBe('ed25519');
    } else {
      expect(key.privateText).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(pub).toMatchObject({ k: 'rsa', bits: type === 'rsa3072' ? 3072 : 2048 });
      // openssl derives the same SubjectPublicKeyInfo from the private key file.
      const der = sh('openssl pkey -pubout -outform DER', key.privateText).toString('base64');
      expect(pub.ok && pub.p).toBe(der);
    }
  });

  it('reads an Ed25519 private key as rspamadm writes it (seed and public key, 64 octets) and refuses a wrong second half', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32);
    const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
    const expected = String(publicKey.export({ type: 'spki', format: 'pem' }));
    expect(publicPemOfPrivateKey(Buffer.concat([seed, raw]).toString('base64'))).toBe(expected);
    expect(publicPemOfPrivateKey(Buffer.concat([seed, Buffer.alloc(32)]).toString('base64'))).toBeUndefined();
    // And as a PKCS#8 PEM (what openssl genpkey writes).
    expect(publicPemOfPrivateKey(String(privateKey.export({ type: 'pkcs8', format: 'pem' })))).toBe(expected);
  });

  it('gives nothing for what is not a private key', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    for (const text of ['', 'hello', 'AAAA', String(publicKey.export({ type: 'spki', format: 'pem' })), String(ec), '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n']) {
      expect(publicPemOfPrivateKey(text), text.slice(0, 30)).toBeUndefined();
    }
  });
});

describe('selector scheme <yyyy><mm><letter>', () => {
  const may = new Date('2026-05-31T23:59:59Z');
  it('takes the first unused letter of the month (UTC)', () => {
    expect(nextSelector(may, new Set())).toBe('202605a');
    expect(nextSelector(may, new Set(['202605a', '202605b', '202604c']))).toBe('202605c');
    expect(nextSelector(new Date('2026-12-31T23:30:00-02:00'), new Set())).toBe('202701a');
  });

  it('gives up after z', () => {
    const all = new Set(Array.from({ length: 26 }, (_, i) => `202605${String.fromCharCode(97 + i)}`));
    expect(nextSelector(may, all)).toBeUndefined();
  });

  it('dates a scheme selector to its month, and no other selector', () => {
    expect(selectorMonth('202605b')).toBe(Date.UTC(2026, 4, 1));
    for (const other of ['2026a', '202613a', '202605', 's1', '202605aa']) expect(selectorMonth(other), other).toBeUndefined();
  });
});
