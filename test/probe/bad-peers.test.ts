// probeMx against peers that misbehave: every one ends in bounded time with a reason, never a hang and never unbounded memory.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDane } from '../../src/audit/probe/dane.js';
import { probeMx, type SmtpProbeResult } from '../../src/audit/probe/smtp-tls.js';
import type { Resolver } from '../../src/dns/resolver.js';
import { caAndLeaf, selfSigned, type TestCert } from './certs.js';
import {
  refusedPort,
  startClosingMidHandshake,
  startEndlessLine,
  startEndlessMultiline,
  startGarbageTls,
  startHugeChain,
  startScripted,
  startSilent,
  startSmtp,
  type Peer,
} from './peers.js';

let dir = '';
let leaf: TestCert;
let ca: TestCert;
const peers: Peer[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-badpeers-'));
  leaf = selfSigned(dir, 'leaf', ['mx.bad.test']);
  ({ ca } = caAndLeaf(dir, 'chain', ['mx.bad.test']));
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function peer(start: Promise<Peer>): Promise<Peer> {
  const p = await start;
  peers.push(p);
  return p;
}

async function timed(port: number, options: Parameters<typeof probeMx>[1] = {}): Promise<{ result: SmtpProbeResult; ms: number }> {
  const t0 = Date.now();
  const result = await probeMx('mx.bad.test', { port, address: '127.0.0.1', timeoutMs: 600, totalTimeoutMs: 3000, ...options });
  return { result, ms: Date.now() - t0 };
}

describe('probeMx against bad peers', () => {
  it('a peer that never answers: timeout at the banner, after one step timeout', async () => {
    const p = await peer(startSilent());
    const { result, ms } = await timed(p.port);
    expect(result.outcome).toBe('failed');
    expect(result.failure).toMatchObject({ stage: 'banner', kind: 'timeout' });
    expect(result.failure?.reason).toBe('no answer within 600 ms at banner');
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(1500);
  });

  it('a refused connection: refused at connect, at once', async () => {
    const { result, ms } = await timed(await refusedPort());
    expect(result.failure).toMatchObject({ stage: 'connect', kind: 'refused' });
    expect(result.failure?.reason).toMatch(/^ECONNREFUSED/);
    expect(ms).toBeLessThan(1500);
  });

  it('a peer that closes when the TLS handshake starts: closed at tls', async () => {
    const p = await peer(startClosingMidHandshake());
    const { result, ms } = await timed(p.port);
    expect(result.starttls).toBe(true);
    expect(result.failure).toMatchObject({ stage: 'tls', kind: 'closed' });
    expect(ms).toBeLessThan(1500);
  });

  it('a peer that answers the ClientHello with garbage and then stays silent: tls error or timeout, bounded', async () => {
    const p = await peer(startGarbageTls());
    const { result, ms } = await timed(p.port);
    expect(result.outcome).toBe('failed');
    expect(result.failure?.stage).toBe('tls');
    expect(['tls', 'timeout']).toContain(result.failure?.kind);
    expect(ms).toBeLessThan(1500);
  });

  it('an endless banner line: stopped at the line limit, having read at most a few chunks', async () => {
    const p = await peer(startEndlessLine());
    const { result, ms } = await timed(p.port, { maxLineOctets: 4096 });
    expect(result.failure).toMatchObject({ stage: 'banner', kind: 'limit' });
    expect(result.failure?.reason).toMatch(/longer than 4096 octets/);
    // The peer keeps writing; the probe kept at most one line and one socket chunk.
    expect(p.written()).toBeGreaterThan(4096);
    expect(ms).toBeLessThan(1500);
  });

  it('an endless multi-line banner: stopped at the line-count limit', async () => {
    const p = await peer(startEndlessMultiline());
    const { result, ms } = await timed(p.port, { maxReplyLines: 64 });
    expect(result.failure).toMatchObject({ stage: 'banner', kind: 'limit' });
    expect(result.failure?.reason).toBe('a reply of more than 64 lines');
    expect(ms).toBeLessThan(1500);
  });

  it('a huge chain (~1 MB of certificates): refused by the TLS layer as too large, bounded', async () => {
    const p = await peer(startHugeChain(leaf.key, leaf.cert, ca.cert, 2000));
    const { result, ms } = await timed(p.port, { timeoutMs: 2000, totalTimeoutMs: 5000 });
    expect(result.outcome).toBe('failed');
    expect(result.failure).toMatchObject({ stage: 'tls', kind: 'limit' });
    expect(result.failure?.reason).toMatch(/excessive message size/i);
    expect(ms).toBeLessThan(3000);
  });

  it('a chain over the certificate-count limit: a limit failure, not a silent truncation', async () => {
    const { ca: ca2, leaf: leaf2 } = caAndLeaf(dir, 'count', ['mx.bad.test']);
    const p = await peer(startSmtp({ key: leaf2.key, chain: leaf2.chain }));
    const ok = await timed(p.port);
    expect(ok.result.outcome).toBe('tls');
    expect(ok.result.chain).toHaveLength(2);
    const { result } = await timed(p.port, { maxChainCertificates: 1 });
    expect(result.failure).toMatchObject({ stage: 'tls', kind: 'limit', reason: 'the served chain has more than 1 certificates' });
    expect(ca2.cert).toContain('BEGIN CERTIFICATE');
  });

  it('the whole-probe limit holds even when every step is within its own', async () => {
    const p = await peer(startSilent());
    const { result, ms } = await timed(p.port, { timeoutMs: 5000, totalTimeoutMs: 400 });
    expect(result.failure?.kind).toBe('timeout');
    expect(result.failure?.reason).toMatch(/longer than 400 ms/);
    expect(ms).toBeLessThan(1500);
  });
});

describe('checkDane with a hanging peer', () => {
  it('gives transport.probe-failed with the reason, within the probe timeout', async () => {
    const p = await peer(startSilent());
    const resolver: Resolver = {
      resolve: async (name, type) =>
        type === 'TLSA'
          ? { status: 'ok', authenticated: true, records: [{ name, ttl: 300, type: 'TLSA', usage: 3, selector: 1, matchingType: 1, certificate: 'ab'.repeat(32) }] }
          : { status: 'ok', authenticated: true, records: [] },
    };
    const t0 = Date.now();
    const findings = await checkDane('bad.test', ['mx.bad.test'], resolver, (host) =>
      probeMx(host, { port: p.port, address: '127.0.0.1', timeoutMs: 500 }),
    );
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(findings.map((f) => [f.code, f.severity, f.name])).toEqual([['transport.probe-failed', 'warning', 'mx.bad.test']]);
    expect(findings[0]?.message).toContain('probe failed at banner (timeout): no answer within 500 ms at banner');
  });
});

describe('probeMx on refusals and protocol errors', () => {
  it.each([
    ['554 5.7.1 no service for you\r\n', 'banner', 'refused', /the greeting is 554 5\.7\.1 no service for you, not 220: the server refuses this client/],
    ['220 ok\r\n', 'ehlo', 'protocol', /^EHLO answered 502/],
    ['hello there\r\n', 'banner', 'protocol', /^not an SMTP reply line: "hello there"/],
  ])('greeting %j -> %s %s', async (greeting, stage, kind, reason) => {
    const p = await peer(startScripted(greeting, '502 5.5.1 no EHLO here\r\n'));
    const { result } = await timed(p.port);
    expect(result.failure).toMatchObject({ stage, kind });
    expect(result.failure?.reason).toMatch(reason);
  });
});
