import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsaRecord } from '../../src/policy/model.js';
import { buildTlsa } from '../../src/build/tlsa.js';
import { makeDomain, pos, sh } from './fixtures.js';

let dir = '';
let certPem = '';
let keyPem = '';
let certPath = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mailrec-tlsa-'));
  certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  sh(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '${keyPath}' -out '${certPath}' -subj /CN=mx-01.example.org -days 30`);
  certPem = readFileSync(certPath, 'utf8');
  keyPem = readFileSync(keyPath, 'utf8');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The oracles: openssl pipelines, as the DANE documentation writes them. */
const spkiDer = (): string => `openssl x509 -in '${certPath}' -pubkey -noout | openssl pkey -pubin -outform der`;
const certDer = (): string => `openssl x509 -in '${certPath}' -outform der`;
const oracle = (cmd: string): string => sh(cmd).toString().split(' ')[0]!.trim();

function tlsa(source: TlsaRecord['source'], usage = 3, selector = 1, matchingType = 1, overrides: Partial<TlsaRecord> = {}): TlsaRecord {
  return { port: 25, protocol: 'tcp', host: 'mx-01.example.org', usage, selector, matchingType, source, position: pos, ...overrides };
}

function build(...records: TlsaRecord[]) {
  return buildTlsa(makeDomain('example.org', { tlsa: records, ttl: 3600 }));
}

function data(result: ReturnType<typeof build>): string[] {
  return result.records.map((r) => (r.type === 'TLSA' ? `${r.usage} ${r.selector} ${r.matchingType} ${r.certificate}` : ''));
}

describe('buildTlsa from a certificate', () => {
  it('3 1 1: SHA-256 of the SPKI, as openssl computes it', () => {
    const built = build(tlsa({ kind: 'cert', path: 'certs/mx.pem', pem: certPem }));
    expect(built.notices).toEqual([]);
    expect(built.records).toEqual([
      { name: '_25._tcp.mx-01.example.org', ttl: 3600, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: oracle(`${spkiDer()} | sha256sum`) },
    ]);
  });

  it.each([
    [3, 0, 1, () => `${certDer()} | sha256sum`],
    [3, 1, 2, () => `${spkiDer()} | sha512sum`],
    [3, 0, 2, () => `${certDer()} | sha512sum`],
    [3, 1, 0, () => `${spkiDer()} | od -An -v -tx1 | tr -d ' \\n'`],
    [2, 0, 0, () => `${certDer()} | od -An -v -tx1 | tr -d ' \\n'`],
  ])('%s %s %s matches openssl', (usage, selector, matchingType, command) => {
    const built = build(tlsa({ kind: 'cert', path: 'certs/mx.pem', pem: certPem }, usage, selector, matchingType));
    expect(data(built)).toEqual([`${usage} ${selector} ${matchingType} ${oracle(command())}`]);
  });

  it('refuses an unreadable certificate', () => {
    const built = build(tlsa({ kind: 'cert', path: 'certs/bad.pem', pem: 'nope' }));
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => [n.severity, n.code, n.name])).toEqual([['error', 'tlsa.cert-unreadable', '_25._tcp.mx-01.example.org']]);
  });
});

describe('buildTlsa from a key', () => {
  it('selector 1 from the key (public, or private with only its public part used) equals selector 1 from the certificate', () => {
    const publicPem = sh(`openssl pkey -pubout`, keyPem).toString();
    const expected = `3 1 1 ${oracle(`${spkiDer()} | sha256sum`)}`;
    expect(data(build(tlsa({ kind: 'pubkey', path: 'keys/mx.pub', pem: publicPem })))).toEqual([expected]);
    const fromPrivate = build(tlsa({ kind: 'pubkey', path: 'keys/mx.key', pem: keyPem }));
    expect(data(fromPrivate)).toEqual([expected]);
    expect(JSON.stringify(fromPrivate)).not.toContain(keyPem.split('\n')[1]!);
  });

  it('refuses selector 0 with a bare key', () => {
    const built = build(tlsa({ kind: 'pubkey', path: 'keys/mx.pub', pem: keyPem }, 3, 0, 1));
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => n.code)).toEqual(['tlsa.selector-needs-cert']);
  });
});

describe('buildTlsa from explicit data', () => {
  const sha256 = 'AB'.repeat(32);
  it.each([
    [1, sha256, 'ab'.repeat(32)],
    [2, 'cd'.repeat(64), 'cd'.repeat(64)],
    [0, '3082 01 0a', '3082010a'],
  ])('matching type %s: %s accepted, lowercased', (matchingType, hex, want) => {
    expect(data(build(tlsa({ kind: 'data', hex }, 3, 1, matchingType)))).toEqual([`3 1 ${matchingType} ${want}`]);
  });

  it.each([
    [1, 'ab'.repeat(31)],
    [1, 'ab'.repeat(64)],
    [2, 'ab'.repeat(32)],
    [1, 'zz'.repeat(32)],
    [0, 'abc'],
    [0, ''],
  ])('matching type %s: %s refused', (matchingType, hex) => {
    const built = build(tlsa({ kind: 'data', hex }, 3, 1, matchingType));
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => n.code)).toEqual(['tlsa.invalid']);
  });

  it.each([
    [4, 1, 1],
    [3, 2, 1],
    [3, 1, 3],
  ])('refuses parameters %s %s %s', (usage, selector, matchingType) => {
    expect(build(tlsa({ kind: 'data', hex: sha256 }, usage, selector, matchingType)).notices.map((n) => n.code)).toEqual(['tlsa.invalid']);
  });
});

describe('buildTlsa rules', () => {
  it.each([
    [25, 2],
    [25, 3],
    [443, 1],
  ])('port %s usage %s is published', (port, usage) => {
    const built = build(tlsa({ kind: 'data', hex: 'ab'.repeat(32) }, usage, 1, 1, { port }));
    expect(built.records).toHaveLength(1);
    expect(built.notices).toEqual([]);
  });

  it.each([[0], [1]])('port 25 usage %s is refused: SMTP clients cannot use it (RFC 7672 §3.1.3), as the audit rates it', (usage) => {
    const built = build(tlsa({ kind: 'data', hex: 'ab'.repeat(32) }, usage, 1, 1, { port: 25 }));
    expect(built.records).toEqual([]);
    expect(built.notices.map((n) => [n.severity, n.code, n.message])).toEqual([
      ['error', 'tlsa.bad-usage', `TLSA usage ${usage} at _25._tcp.mx-01.example.org: SMTP uses only DANE-TA(2) and DANE-EE(3)`],
    ]);
  });

  it('keeps several records per owner (rollover), sorted, duplicates dropped; owner per port and host', () => {
    const next = 'ff'.repeat(32);
    const current = '01'.repeat(32);
    const built = build(
      tlsa({ kind: 'data', hex: next }),
      tlsa({ kind: 'data', hex: current }),
      tlsa({ kind: 'data', hex: current }),
      tlsa({ kind: 'data', hex: current }, 2, 0, 1),
      tlsa({ kind: 'data', hex: current }, 3, 1, 1, { port: 465, host: 'Submission.example.org' }),
    );
    expect(built.records.map((r) => (r.type === 'TLSA' ? `${r.name} ${r.usage} ${r.selector} ${r.matchingType} ${r.certificate.slice(0, 2)}` : ''))).toEqual([
      '_25._tcp.mx-01.example.org 2 0 1 01',
      '_25._tcp.mx-01.example.org 3 1 1 01',
      '_25._tcp.mx-01.example.org 3 1 1 ff',
      '_465._tcp.submission.example.org 3 1 1 01',
    ]);
  });
});
