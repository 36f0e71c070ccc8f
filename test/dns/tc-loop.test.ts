// A server on loopback that sets TC=1 over UDP and again over TCP, with an empty NOERROR:
// a truncated answer over TCP is no answer at all, so every lookup fails, and the audit
// scores nothing as missing (RFC 7766 §6.2.1; an unknown is never a pass nor a fail).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDnsClient } from '../../src/dns/client.js';
import { FLAG } from '../../src/dns/message.js';
import type { DomainJson } from '../../src/audit/summary.js';
import { runCli } from '../helpers/cli.js';
import { answer, frame, startFake, type FakeServer } from './fake-server.js';

const servers: FakeServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** TC=1 over UDP; over TCP too, NOERROR and no answers. */
async function tcLoop(): Promise<FakeServer> {
  const fake = await startFake(
    (q, reply) => reply(answer(q, [], { flags: FLAG.TC })),
    (q, socket) => void socket.write(frame(answer(q, [], { flags: FLAG.TC }))),
  );
  servers.push(fake);
  return fake;
}

describe('TC=1 over TCP', () => {
  it('is a failed lookup, never NODATA', async () => {
    const fake = await tcLoop();
    const client = createDnsClient({ servers: [fake.server], timeoutMs: 1000, attempts: 1, cache: false });
    const result = await client.resolve('example.org', 'TXT');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.reason).toMatch(/truncated answer \(TC=1\) over TCP from 127\.0\.0\.1:\d+ for example\.org; no answer/);
    expect(fake.queries.length).toBeGreaterThan(0);
    expect(fake.tcpQueries.length).toBeGreaterThan(0);
  });

  it('audit: nothing scored as missing; the categories are unknown', async () => {
    const fake = await tcLoop();
    const cwd = mkdtempSync(join(tmpdir(), 'mailrec-tc-'));
    const run = await runCli(['audit', 'example.org', '--resolver', `127.0.0.1:${fake.port}`, '--no-probe', '--timeout', '1000', '--format', 'json'], { cwd });
    expect(run.code).not.toBe(1);
    const [domain] = JSON.parse(run.stdout).domains as DomainJson[];
    const codes = domain!.findings.map((f) => f.code);
    for (const missing of ['spf.missing', 'dmarc.missing', 'mx.none-declared']) expect(codes).not.toContain(missing);
    expect(codes).toEqual(expect.arrayContaining(['spf.unknown', 'dmarc.unknown', 'mx.unknown']));
    // Nothing could be scored: no score at all, rather than a low one (the issue saw 11).
    expect(domain!.score).toBeNull();
    expect(domain!.categories.filter((c) => c.status === 'unknown').map((c) => c.category)).toEqual(['spf', 'dmarc', 'mx', 'transport']);
  });
});
