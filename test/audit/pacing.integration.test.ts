// Adaptive concurrency, --max-qps and --jobs end to end: the real CLI against the test BIND
// serving the bench's estate, through delaying proxies on loopback started here
// (harness/dns-proxy.ts) that also inject SERVFAIL and silence. Correctness only: no speed
// is asserted (figures are in `npm run bench`).

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsProxy, type DnsProxy } from '../../harness/dns-proxy.js';
import { seededRandom } from '../../harness/processes.js';
import { customerZoneHeader, domainName, domainRecords, makeDkimKeys, PROVIDER_ZONE, providerZoneText, SELECTOR } from '../../bench/estate.js';
import { startBind, type BindServer } from '../helpers/bind.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const N = 400;
let bind: BindServer;
let dir: string;
const proxies: DnsProxy[] = [];

beforeAll(async () => {
  const keys = makeDkimKeys();
  const customers = customerZoneHeader() + Array.from({ length: N }, (_, i) => domainRecords(i, keys)).join('');
  bind = await startBind({ zones: [{ name: PROVIDER_ZONE, text: providerZoneText() }, { name: 'test', text: customers }] });
  dir = mkdtempSync(join(tmpdir(), 'mailrec-pacing-'));
  writeFileSync(join(dir, 'domains.txt'), Array.from({ length: N }, (_, i) => `${domainName(i)}\n`).join(''));
});

afterAll(async () => {
  for (const p of proxies) await p.stop();
  await bind?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const auditArgs = (...extra: string[]): string[] => ['audit', '--domains-file', 'domains.txt', '--format', 'ndjson', '--no-probe', '--selector', SELECTOR, ...extra];

/** The domain lines of an NDJSON audit, by domain, and the summary line. */
function parse(stdout: string): { domains: Map<string, string>; summary: { unknown: string[]; uncovered: string[] } } {
  const domains = new Map<string, string>();
  let summary: { unknown: string[]; uncovered: string[] } | undefined;
  for (const line of stdout.trimEnd().split('\n')) {
    const v = JSON.parse(line) as { type: string; domain?: string; unknown?: string[]; uncovered?: string[] };
    if (v.type === 'domain') domains.set(v.domain!, line);
    else summary = v as { unknown: string[]; uncovered: string[] };
  }
  return { domains, summary: summary! };
}

describe('adaptive concurrency against BIND behind a 10 ms link', () => {
  it('grows beyond the old fixed caps, backs off on SERVFAIL and timeout bursts, and loses no answer', async () => {
    const reference = await runCli(auditArgs('--resolver', `127.0.0.1:${bind.port}`, '--concurrency', '1'), { cwd: dir });
    expect(reference.code, reference.stderr).toBe(0);
    const expected = parse(reference.stdout);
    expect(expected.domains.size).toBe(N);

    // Proxy A (asked first) answers SERVFAIL to a run of queries and stays silent for
    // another; proxy B, asked next, answers them all. Both hold every answer back 10 ms.
    const a = await startDnsProxy({
      upstreamPort: bind.port,
      delayMs: 10,
      action: (n) => (n >= 1500 && n < 2300 ? 'servfail' : n >= 3500 && n < 3800 ? 'drop' : 'forward'),
    });
    const b = await startDnsProxy({ upstreamPort: bind.port, delayMs: 10 });
    proxies.push(a, b);
    const run = await runCli(auditArgs('--resolver', `127.0.0.1:${a.port}`, '--resolver', `127.0.0.1:${b.port}`, '--timeout', '400', '--verbose'), { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const stats = /adaptive concurrency: 8 domains in flight at the start, (\d+) at most, \d+ at the end \(rounds: ([^)]*)\)/.exec(run.stderr);
    expect(stats, run.stderr).not.toBeNull();
    // More domains in flight than the old --concurrency 8, and more questions at the server
    // than the client's old cap of 64.
    expect(Number(stats![1])).toBeGreaterThan(8);
    expect(a.peakInFlight()).toBeGreaterThan(64);
    // The injected bursts were seen as such.
    expect(stats![2]).toMatch(/error-burst [1-9]/);
    expect(a.dropped()).toBe(300);
    expect(b.received.length).toBeGreaterThanOrEqual(1100);

    // No answer lost: every domain line as at --concurrency 1 straight to BIND, except for
    // the resolver's address, and the same domains unknown (none).
    const got = parse(run.stdout);
    expect(got.summary.unknown).toEqual(expected.summary.unknown);
    expect([...got.domains.keys()]).toEqual([...expected.domains.keys()]);
    for (const [domain, line] of expected.domains) expect(got.domains.get(domain), domain).toBe(line);
  }, 180_000);

  it('over a link that loses 5 % of the answers at random: grows, and a failed lookup stays unknown', async () => {
    const reference = await runCli(auditArgs('--resolver', `127.0.0.1:${bind.port}`, '--concurrency', '1'), { cwd: dir });
    expect(reference.code, reference.stderr).toBe(0);
    const expected = parse(reference.stdout);
    const lossy = await startDnsProxy({ upstreamPort: bind.port, delayMs: 10, lossRate: 0.05, random: seededRandom(18) });
    proxies.push(lossy);
    const run = await runCli(auditArgs('--resolver', `127.0.0.1:${lossy.port}`, '--verbose'), { cwd: dir });
    expect([0, 2], run.stderr).toContain(run.code);
    expect(lossy.dropped()).toBeGreaterThan(100);
    const stats = /adaptive concurrency: 8 domains in flight at the start, (\d+) at most, \d+ at the end \(rounds: ([^)]*)\)/.exec(run.stderr);
    expect(stats, run.stderr).not.toBeNull();
    expect(Number(stats![1])).toBeGreaterThan(8);
    // (How often it was cut is not asserted here: on a loaded machine a starved process times
    // out for real. test/base/aimd.test.ts shows on a simulated link that a steady loss is not
    // a burst.)
    // Every domain is as straight from BIND, or reported with an unknown: never a pass. (How many
    // end unknown is not asserted: one run here had 0, another 23 on a loaded machine, where
    // a starved process times out for real; test/dns/client.test.ts shows the third try.)
    const got = parse(run.stdout);
    expect([...got.domains.keys()]).toEqual([...expected.domains.keys()]);
    for (const [domain, line] of expected.domains) {
      const mine = got.domains.get(domain)!;
      if (mine === line) continue;
      // An unknown category (summary `unknown`) or an unknown check (`uncovered`: scored on
      // less than its full weight); or else only a lookup no check depended on (the CNAME
      // question beside an answered TXT), listed with status "error", never as absent.
      if ([...got.summary.unknown, ...got.summary.uncovered].includes(domain)) continue;
      type Line = { records: { name: string; type: string; status: string }[] } & Record<string, unknown>;
      const [a, b] = [JSON.parse(line) as Line, JSON.parse(mine) as Line];
      expect({ ...b, records: undefined }, domain).toEqual({ ...a, records: undefined });
      expect(b.records.length, domain).toBe(a.records.length);
      b.records.forEach((r, i) => {
        if (JSON.stringify(r) !== JSON.stringify(a.records[i])) expect({ name: r.name, type: r.type, status: r.status }, domain).toEqual({ name: a.records[i]!.name, type: a.records[i]!.type, status: 'error' });
      });
    }
  }, 180_000);

  it('a pinned --concurrency does not adapt', async () => {
    const run = await runCli(auditArgs('--resolver', `127.0.0.1:${bind.port}`, '--concurrency', '3', '--verbose'), { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/note: concurrency fixed at 3 domains in flight, no --max-qps limit/);
  });
});

describe('--max-qps', () => {
  it('keeps the DNS messages a second under the limit (counted at the server side of a proxy)', async () => {
    const proxy = await startDnsProxy({ upstreamPort: bind.port });
    proxies.push(proxy);
    writeFileSync(join(dir, 'few.txt'), Array.from({ length: 60 }, (_, i) => `${domainName(i)}\n`).join(''));
    const limit = 300;
    const run = await runCli(['audit', '--domains-file', 'few.txt', '--format', 'ndjson', '--no-probe', '--selector', SELECTOR, '--resolver', `127.0.0.1:${proxy.port}`, '--max-qps', String(limit), '--verbose'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/at most 300 DNS messages a second/);
    const times = proxy.received;
    expect(times.length).toBeGreaterThan(600);
    // Generous bounds (a loaded machine delays sends, never hastens them): in any one
    // second at most the rate, the bucket (a tenth of a second's worth) and a 20 % margin.
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[j]! < times[i]! - 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(limit * 1.2 + limit / 10);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((times.length - limit / 10) / limit) * 1000 * 0.8);
  }, 60_000);

  it('refuses a limit that is not a whole number', async () => {
    const run = await runCli(auditArgs('--resolver', `127.0.0.1:${bind.port}`, '--max-qps', 'fast'), { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--max-qps: "fast" is not a whole number/);
  });
});

/** The built CLI (worker threads run the built worker module). */
function mailrec(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin', 'mailrec'), ...args], { cwd: dir, maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('--jobs', () => {
  for (const format of ['json', 'ndjson']) {
    it(`--jobs 2 writes byte for byte what --jobs 1 writes (${format})`, async () => {
      // A long timeout: on a loaded machine a lost answer would make a domain unknown in one run only.
      const args = ['audit', '--domains-file', 'domains.txt', '--format', format, '--no-probe', '--selector', SELECTOR, '--resolver', `127.0.0.1:${bind.port}`, '--timeout', '10000', '--verbose'];
      const one = await mailrec([...args, '--jobs', '1']);
      const two = await mailrec([...args, '--jobs', '2']);
      expect(one.code, one.stderr).toBe(0);
      expect(two.code, two.stderr).toBe(0);
      expect(two.stderr).toMatch(/note: job 1\/2: /);
      expect(two.stderr).toMatch(/note: job 2\/2: /);
      expect(one.stderr).not.toMatch(/note: job/);
      expect(two.stdout.length).toBeGreaterThan(N * 100);
      expect(two.stdout).toBe(one.stdout);
    }, 120_000);
  }
});
