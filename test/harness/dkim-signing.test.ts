// The rspamd and DKIM-verifier harnesses end to end: rspamd signs with an RSA key and an Ed25519 seed key, a test BIND serves the public keys, dkimpy and mailauth verify; a reload switches the selector; a revoked key (p=) fails.

import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkTxt } from '../../src/dns-types/rr.js';
import { nsupdate, startBind, type BindServer } from '../helpers/bind.js';
import { isRevokedKeyRecord, verifyWithDkimpy, verifyWithMailauth, type DkimVerdict } from '../helpers/dkim-verify.js';
import { startRspamd, type RspamdServer } from '../helpers/rspamd.js';

interface TestKey {
  /** What rspamd reads: RSA as PKCS#8 PEM, Ed25519 as the base64 32-byte seed. */
  privateKey: string;
  /** The DKIM key record (RFC 6376 §3.6.1; Ed25519: RFC 8463 §4.2). */
  record: string;
}

function rsaKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), record: `v=DKIM1; k=rsa; p=${p}` };
}

function ed25519Key(): TestKey & { pkcs8Pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32).toString('base64');
  const p = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
  return { privateKey: `${seed}\n`, record: `v=DKIM1; k=ed25519; p=${p}`, pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

const txt = (record: string): string => chunkTxt(record).map((s) => `"${s}"`).join(' ');

/** A local.d/dkim_signing.conf as the rspamd documentation writes one: selectors per domain. */
function dkimSigningConf(domain: string, selectors: { selector: string; path: string }[]): string {
  return [
    'allow_username_mismatch = true;',
    'sign_local = true;',
    'sign_authenticated = true;',
    'use_esld = false;',
    'domain {',
    `  ${domain} {`,
    '    selectors [',
    ...selectors.map((s) => `      { path = "${s.path}"; selector = "${s.selector}"; },`),
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');
}

const MESSAGE = [
  'From: Someone <someone@example.org>',
  'To: friend@example.net',
  'Subject: quarterly figures',
  'Date: Mon, 02 Nov 2026 09:00:00 +0000',
  'Message-ID: <q3@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'The figures are attached in spirit.',
  '',
].join('\r\n');

const rsa = rsaKey();
const ed = ed25519Key();
const next = rsaKey();
let bind: BindServer;
let rspamd: RspamdServer;

beforeAll(async () => {
  bind = await startBind({
    zones: [{
      name: 'example.org',
      dynamic: true,
      text: [
        '@ IN SOA ns1 hostmaster 1 3600 600 86400 60',
        '@ IN NS ns1',
        'ns1 IN A 127.0.0.1',
        `s1._domainkey IN TXT ${txt(rsa.record)}`,
        `s2._domainkey IN TXT ${txt(ed.record)}`,
        `s3._domainkey IN TXT ${txt(next.record)}`,
      ].join('\n'),
    }],
  });
  rspamd = await startRspamd({ dns: { port: bind.port } });
  const s1 = await rspamd.writeKey('s1.pem', rsa.privateKey);
  const s2 = await rspamd.writeKey('s2.seed', ed.privateKey);
  await writeFile(rspamd.dkimSigningPath, dkimSigningConf('example.org', [{ selector: 's1', path: s1 }, { selector: 's2', path: s2 }]));
  await rspamd.reload({ from: 'someone@example.org', selector: 's2' });
});

afterAll(async () => {
  await rspamd?.stop();
  await bind?.stop();
});

const dns = (): { port: number } => ({ port: bind.port });
const brief = (v: DkimVerdict): string => `${v.verifier} ${v.selector} ${v.algorithm} ${v.ok ? 'ok' : `fail: ${v.reason}`}`;

describe('rspamd signs an authenticated local submission', () => {
  it('with RSA and Ed25519, and both verifiers accept both signatures from the test BIND', async () => {
    const signed = await rspamd.sign(MESSAGE);
    expect(signed.signatures.map((s) => `${s.domain} ${s.selector} ${s.algorithm}`)).toEqual(['example.org s1 rsa-sha256', 'example.org s2 ed25519-sha256']);
    expect(signed.problems).toEqual([]);
    expect(signed.message.endsWith(MESSAGE)).toBe(true);
    const verdicts = await Promise.all([0, 1].flatMap((i) => [verifyWithDkimpy(signed.message, dns(), i), verifyWithMailauth(signed.message, dns(), i)]));
    expect(verdicts.map(brief)).toEqual([
      'dkimpy s1 rsa-sha256 ok',
      'mailauth s1 rsa-sha256 ok',
      'dkimpy s2 ed25519-sha256 ok',
      'mailauth s2 ed25519-sha256 ok',
    ]);
  });

  it('a changed body fails with both verifiers; a missing index is "no signature"', async () => {
    const signed = await rspamd.sign(MESSAGE);
    const tampered = signed.message.replace('in spirit', 'in person');
    const verdicts = await Promise.all([verifyWithDkimpy(tampered, dns(), 0), verifyWithMailauth(tampered, dns(), 1)]);
    expect(verdicts.map(brief)).toEqual(['dkimpy s1 rsa-sha256 fail: body hash mismatch', 'mailauth s2 ed25519-sha256 fail: body hash mismatch']);
    expect((await verifyWithDkimpy(signed.message, dns(), 2)).reason).toBe('no signature');
    expect((await verifyWithMailauth(MESSAGE, dns(), 0)).reason).toBe('no signature');
  });

  it('does not sign a message from a non-local address without an authenticated user', async () => {
    const signed = await rspamd.sign(MESSAGE, { user: null, ip: '192.0.2.1' });
    expect(signed.signatures).toEqual([]);
    expect(signed.message).toBe(MESSAGE);
  });
});

describe('rspamd reload', () => {
  it('signs with the new selector after SIGHUP, and names a key it cannot use', async () => {
    const s3 = await rspamd.writeKey('s3.pem', next.privateKey);
    // An Ed25519 key as PKCS#8 PEM: rspamd 3.4 rejects it and signs without it, telling only its log.
    const s4 = await rspamd.writeKey('s4.pem', ed.pkcs8Pem);
    await writeFile(rspamd.dkimSigningPath, dkimSigningConf('example.org', [{ selector: 's3', path: s3 }, { selector: 's4', path: s4 }]));
    const pid = rspamd.pid;
    await rspamd.reload({ from: 'someone@example.org', selector: 's3' });
    expect(rspamd.pid).toBe(pid);
    const signed = await rspamd.sign(MESSAGE);
    expect(signed.signatures.map((s) => s.selector)).toEqual(['s3']);
    expect(signed.problems.join('\n')).toMatch(/cannot load dkim key .*s4\.pem/);
    expect((await Promise.all([verifyWithDkimpy(signed.message, dns(), 0), verifyWithMailauth(signed.message, dns(), 0)])).map(brief)).toEqual([
      'dkimpy s3 rsa-sha256 ok',
      'mailauth s3 rsa-sha256 ok',
    ]);
  });
});

describe('a revoked key', () => {
  it('after the record becomes p= (RFC 6376 §3.6.1), a message signed with it fails as "key revoked"', async () => {
    // Signed while s1 was still in the signer's config: re-sign through a fresh config.
    const s1 = await rspamd.writeKey('s1.pem', rsa.privateKey);
    await writeFile(rspamd.dkimSigningPath, dkimSigningConf('example.org', [{ selector: 's1', path: s1 }]));
    await rspamd.reload({ from: 'someone@example.org', selector: 's1' });
    const signed = await rspamd.sign(MESSAGE);
    expect((await verifyWithDkimpy(signed.message, dns(), 0)).ok).toBe(true);

    const revoke = await nsupdate(
      ['-y', `${bind.key.algorithm}:${bind.key.name}:${bind.key.secret}`],
      `server 127.0.0.1 ${bind.port}\nzone example.org\nupdate delete s1._domainkey.example.org TXT\nupdate add s1._domainkey.example.org 60 TXT "v=DKIM1; k=rsa; p="\nsend\n`,
    );
    expect(revoke.code).toBe(0);
    const dkimpy = await verifyWithDkimpy(signed.message, dns(), 0);
    expect(brief(dkimpy)).toBe('dkimpy s1 rsa-sha256 fail: key revoked');
    // dkimpy's own words: it cannot use the empty key.
    expect(dkimpy.detail).toMatch(/could not parse RSA public key/);
    expect(brief(await verifyWithMailauth(signed.message, dns(), 0))).toBe('mailauth s1 rsa-sha256 fail: key revoked');
  });

  it('the revoked-record rule reads p= as RFC 6376 writes it', () => {
    expect(isRevokedKeyRecord('v=DKIM1; k=rsa; p=')).toBe(true);
    expect(isRevokedKeyRecord('v=DKIM1; p= ; k=rsa')).toBe(true);
    expect(isRevokedKeyRecord('v=DKIM1; k=rsa; p=MIIB')).toBe(false);
    expect(isRevokedKeyRecord('v=DKIM1; k=rsa')).toBe(false);
  });
});
