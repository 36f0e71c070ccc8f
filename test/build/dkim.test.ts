import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DkimKey } from '../../src/policy/model.js';
import { buildDkim } from '../../src/build/dkim.js';
import { compileDkimPublicKey } from '../../src/mail/dkim/record.js';
import { txtText } from '../../src/dns-types/rr.js';
import { makeDomain, pos, sh } from './fixtures.js';

function rsa(bits: number): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function ed25519(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The oracle: openssl's DER SubjectPublicKeyInfo of a PEM key (public or private). */
function opensslSpki(pem: string): Buffer {
  const pubin = pem.includes('PRIVATE KEY') ? '' : '-pubin';
  return sh(`openssl pkey ${pubin} -pubout -outform der`, pem);
}

function key(selector: string, pem: string, state: DkimKey['state'] = 'active'): DkimKey {
  return { selector, keyPath: `keys/${selector}.pem`, keyPem: pem, state, position: pos };
}

function publishedText(keys: DkimKey[]): string[] {
  return buildDkim(makeDomain('example.org', { dkim: keys })).records.map((rr) => (rr.type === 'TXT' ? txtText(rr) : ''));
}

const rsa1024 = rsa(1024);
const rsa2048 = rsa(2048);
const rsa512 = rsa(512);
const ed = ed25519();

describe('buildDkim', () => {
  it.each([
    ['RSA 2048 public key', rsa2048.publicPem, rsa2048.publicPem],
    ['RSA 2048 private key', rsa2048.privatePem, rsa2048.privatePem],
    ['RSA 1024 public key', rsa1024.publicPem, rsa1024.publicPem],
  ])('%s: p= is the base64 SPKI DER openssl computes', (_label, pem, oraclePem) => {
    const expected = opensslSpki(oraclePem).toString('base64');
    expect(publishedText([key('s1', pem)])).toEqual([`v=DKIM1; k=rsa; p=${expected}`]);
  });

  it.each([
    ['public', ed.publicPem],
    ['private', ed.privatePem],
  ])('Ed25519 %s key: p= is the raw 32-byte key (the last 32 octets of the SPKI), not the SPKI', (_label, pem) => {
    const spki = opensslSpki(ed.privatePem);
    const raw = spki.subarray(spki.length - 32);
    const [text] = publishedText([key('ed', pem)]);
    expect(text).toBe(`v=DKIM1; k=ed25519; p=${raw.toString('base64')}`);
    expect(Buffer.from(text!.split('p=')[1]!, 'base64')).toHaveLength(32);
  });

  it('owner is <selector>._domainkey.<domain>, lowercase, sorted by selector, TTL from the domain', () => {
    const built = buildDkim(makeDomain('example.org', { ttl: 900, dkim: [key('Zeta', ed.publicPem), key('2026a', rsa2048.publicPem)] }));
    expect(built.records.map((rr) => [rr.name, rr.ttl])).toEqual([
      ['2026a._domainkey.example.org', 900],
      ['zeta._domainkey.example.org', 900],
    ]);
  });

  it('a 2048-bit key is split into strings of at most 255 octets', () => {
    const rr = buildDkim(makeDomain('example.org', { dkim: [key('s', rsa2048.publicPem)] })).records[0]!;
    if (rr.type !== 'TXT') throw new Error('not TXT');
    expect(rr.strings.length).toBeGreaterThan(1);
    for (const s of rr.strings) expect(Buffer.byteLength(s)).toBeLessThanOrEqual(255);
    expect(rr.strings.join('')).toBe(`v=DKIM1; k=rsa; p=${opensslSpki(rsa2048.publicPem).toString('base64')}`);
  });

  it('published (pre-rotation) keys are published like active ones', () => {
    expect(publishedText([key('next', ed.publicPem, 'published')])).toEqual(publishedText([key('next', ed.publicPem, 'active')]));
  });

  it('a retired key is published revoked, with an empty p=, even without a readable key', () => {
    expect(publishedText([key('old', rsa2048.publicPem, 'retired')])).toEqual(['v=DKIM1; p=']);
    expect(publishedText([key('old', '', 'retired')])).toEqual(['v=DKIM1; p=']);
  });

  it('RSA 1024: published with a warning; RSA 512: refused', () => {
    const small = buildDkim(makeDomain('example.org', { dkim: [key('s', rsa1024.publicPem)] }));
    expect(small.records).toHaveLength(1);
    expect(small.notices.map((n) => [n.severity, n.code])).toEqual([['warning', 'dkim.rsa-weak']]);
    const tiny = buildDkim(makeDomain('example.org', { dkim: [key('s', rsa512.publicPem)] }));
    expect(tiny.records).toEqual([]);
    expect(tiny.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['error', 'dkim.rsa-too-short', 's._domainkey.example.org']]);
    expect(tiny.notices[0]!.message).toContain('512');
    expect(buildDkim(makeDomain('example.org', { dkim: [key('s', rsa2048.publicPem)] })).notices).toEqual([]);
  });

  it.each([
    ['garbage', 'not a key', 'dkim.key-unreadable'],
    ['empty', '', 'dkim.key-unreadable'],
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'dkim.unsupported-key'],
  ])('refuses %s', (_label, pem, code) => {
    const built = buildDkim(makeDomain('example.org', { dkim: [key('s', pem)] }));
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => [n.severity, n.code])).toEqual([['error', code]]);
  });

  it('refuses a selector declared twice', () => {
    const built = buildDkim(makeDomain('example.org', { dkim: [key('s', ed.publicPem), key('S', rsa2048.publicPem)] }));
    expect(built.records).toHaveLength(1);
    expect(built.notices.map((n) => n.code)).toEqual(['dkim.duplicate-selector']);
  });

  it('never lets private material into records or notices', () => {
    for (const pem of [rsa2048.privatePem, ed.privatePem, rsa512.privatePem, rsa1024.privatePem]) {
      const built = buildDkim(makeDomain('example.org', { dkim: [key('s', pem)] }));
      const out = JSON.stringify(built);
      expect(out).not.toContain('PRIVATE');
      // No line of the private key's base64 body, nor the DER of the private key, appears anywhere.
      const body = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
      for (const line of body) expect(out).not.toContain(line);
      const der = Buffer.from(body.join(''), 'base64').toString('base64');
      expect(out).not.toContain(der.slice(0, 60));
    }
    const broken = buildDkim(makeDomain('example.org', { dkim: [key('s', rsa2048.privatePem.replace('MII', 'XXX'))] }));
    expect(JSON.stringify(broken)).not.toContain(rsa2048.privatePem.split('\n')[2]!);
  });

  it('compileDkimPublicKey reports the RSA size', () => {
    expect(compileDkimPublicKey(rsa1024.privatePem)).toMatchObject({ ok: true, k: 'rsa', bits: 1024 });
  });
});
