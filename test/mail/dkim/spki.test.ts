// The fast SPKI reader agrees with node:crypto on every key it accepts, and hands
// everything unusual back (undefined) instead of judging it.

import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyPemDer, readSpki } from '../../../src/mail/dkim/spki.js';

const rsa = (bits: number, publicExponent = 65537) =>
  generateKeyPairSync('rsa', { modulusLength: bits, publicExponent }).publicKey.export({ type: 'spki', format: 'der' });

/** What node:crypto says about a DER SPKI. */
function oracle(der: Buffer): { type: string; bits?: number; raw?: string } | 'invalid' {
  try {
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'rsa') return { type: 'rsa', bits: key.asymmetricKeyDetails!.modulusLength! };
    if (key.asymmetricKeyType === 'ed25519') return { type: 'ed25519', raw: Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('hex') };
    return { type: key.asymmetricKeyType ?? 'unknown' };
  } catch {
    return 'invalid';
  }
}

const view = (info: ReturnType<typeof readSpki>) =>
  info === undefined ? undefined : info.type === 'rsa' ? { type: 'rsa', bits: info.bits } : { type: 'ed25519', raw: info.raw.toString('hex') };

describe('readSpki', () => {
  const keys: [string, Buffer][] = [
    ...[1024, 1025, 1536, 2048, 3072, 4096].map((b): [string, Buffer] => [`RSA ${b}`, rsa(b)]),
    ['RSA 2048 e=3', rsa(2048, 3)],
    ['Ed25519', generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' })],
  ];

  it.each(keys)('%s: the same type, size and key as node:crypto', (_name, der) => {
    const fast = readSpki(der);
    expect(fast).toBeDefined();
    expect(view(fast)).toEqual(oracle(der));
  });

  it('leaves other algorithms and exponents to node:crypto', () => {
    expect(readSpki(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }))).toBeUndefined();
    expect(readSpki(rsa(1024, 17))).toBeUndefined();
    expect(readSpki(generateKeyPairSync('ed448').publicKey.export({ type: 'spki', format: 'der' }))).toBeUndefined();
  });

  it('never accepts what node:crypto refuses: truncations, extensions and single-octet changes', () => {
    const der = rsa(1024);
    const variants: Buffer[] = [Buffer.alloc(0), Buffer.concat([der, Buffer.from([0])])];
    for (let n = 1; n < der.length; n += 7) variants.push(der.subarray(0, n));
    for (let i = 0; i < 40; i++) {
      for (const delta of [1, 0x7f, 0x80]) {
        const v = Buffer.from(der);
        v[i] = (v[i]! + delta) & 0xff;
        variants.push(v);
      }
    }
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    for (let i = 0; i < 12; i++) {
      const v = Buffer.from(ed);
      v[i] = (v[i]! + 1) & 0xff;
      variants.push(v);
    }
    for (const v of variants) {
      const fast = readSpki(v);
      if (fast !== undefined) expect(view(fast), v.toString('hex')).toEqual(oracle(v));
    }
  });

  it('a 2048-bit modulus whose top bit is clear counts its bits as OpenSSL does', () => {
    // Build an SPKI by hand: a modulus of 256 octets with first octet 0x01 is 2041 bits.
    const modulus = Buffer.concat([Buffer.from([0x01]), Buffer.alloc(255, 0xab)]);
    const int = (b: Buffer) => Buffer.concat([Buffer.from([0x02, 0x82, b.length >> 8, b.length & 0xff]), b]);
    const n = int(modulus);
    const e = Buffer.from([0x02, 0x03, 0x01, 0x00, 0x01]);
    const rsaKey = Buffer.concat([Buffer.from([0x30, 0x82, 0, 0]), n, e]);
    rsaKey.writeUInt16BE(rsaKey.length - 4, 2);
    const bitString = Buffer.concat([Buffer.from([0x03, 0x82, 0, 0, 0x00]), rsaKey]);
    bitString.writeUInt16BE(bitString.length - 4, 2);
    const alg = Buffer.from('300d06092a864886f70d0101010500', 'hex');
    const spki = Buffer.concat([Buffer.from([0x30, 0x82, 0, 0]), alg, bitString]);
    spki.writeUInt16BE(spki.length - 4, 2);
    expect(view(readSpki(spki))).toEqual(oracle(spki));
    expect(readSpki(spki)).toEqual({ type: 'rsa', bits: 2041 });
  });
});

describe('publicKeyPemDer', () => {
  it('reads one PUBLIC KEY block, and nothing else', () => {
    const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(publicKeyPemDer(pem)).toEqual(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
    expect(publicKeyPemDer(pem.replace(/\n/g, '\r\n'))).toBeDefined();
    expect(publicKeyPemDer(`# comment\n${pem}`)).toBeUndefined();
    expect(publicKeyPemDer(pem.replace('PUBLIC KEY', 'RSA PUBLIC KEY'))).toBeUndefined();
    expect(publicKeyPemDer(`${pem}${pem}`)).toBeUndefined();
  });
});

describe('compileDkimPublicKey through the fast path', () => {
  it('gives the record node:crypto gives, for RSA and Ed25519 public keys', async () => {
    const { compileDkimPublicKey } = await import('../../../src/mail/dkim/record.js');
    for (const key of [generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, generateKeyPairSync('ed25519').publicKey]) {
      const pem = key.export({ type: 'spki', format: 'pem' }).toString();
      const expected =
        key.asymmetricKeyType === 'rsa'
          ? { ok: true, k: 'rsa', p: key.export({ type: 'spki', format: 'der' }).toString('base64'), bits: 2048 }
          : { ok: true, k: 'ed25519', p: Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('base64') };
      expect(compileDkimPublicKey(pem)).toEqual(expected);
    }
  });
});
