// Test harness: a throwaway validating unbound on 127.0.0.1 and a free high port, stubbing test zones to local servers with their keys as trust anchors, so that the AD bit is real.
//
// Tests fail, never skip, when unbound is missing:
// `apt-get install -y --no-install-recommends unbound` (.ci/run installs it).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, freePort } from '../../harness/processes.js';

export interface UnboundStub {
  /** Zone apex, without the trailing dot. */
  zone: string;
  /** The authoritative server (the test BIND). */
  port: number;
  address?: string;
  /** DNSKEY records (presentation form, "name. TTL IN DNSKEY 257 3 13 ...") made trust anchors: the zone validates as secure. None: insecure. */
  trustAnchors?: string[];
}

export interface UnboundServer {
  port: number;
  address: '127.0.0.1';
  dir: string;
  logs(): string;
  stop(): Promise<void>;
}

function findUnbound(): string {
  return findTool('unbound', 'the probe tests need a validating resolver (apt-get install -y --no-install-recommends unbound)');
}

/** DNSKEY lines from dig output that are key- or combined-signing keys (flags 257), as trust anchors. */
export function trustAnchorsFromDig(digOutput: string): string[] {
  return digOutput
    .split('\n')
    .filter((line) => /\sIN\s+DNSKEY\s+257\s/.test(line))
    .map((line) => {
      const [owner, , , , ...rest] = line.trim().split(/\s+/);
      return `${owner} DNSKEY ${rest.join(' ')}`;
    });
}

function config(dir: string, port: number, stubs: UnboundStub[]): string {
  const lines = [
    'server:',
    '  interface: 127.0.0.1',
    `  port: ${port}`,
    '  do-ip6: no',
    '  do-daemonize: no',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${join(dir, 'unbound.pid')}"`,
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 1',
    '  val-log-level: 2',
    '  num-threads: 1',
    '  so-reuseport: no',
    '  access-control: 127.0.0.0/8 allow',
    // The stubs live on loopback, which unbound refuses to query by default.
    '  do-not-query-localhost: no',
    '  module-config: "validator iterator"',
    '  qname-minimisation: no',
    '  harden-referral-path: no',
    '  cache-max-ttl: 1',
    '  cache-max-negative-ttl: 1',
    // "test." is one of unbound's default local zones (RFC 6761): let the stubs answer.
    '  local-zone: "test." nodefault',
    ...stubs.flatMap((s) => (s.trustAnchors ?? []).map((ta) => `  trust-anchor: "${ta}"`)),
    ...stubs.flatMap((s) => (s.trustAnchors && s.trustAnchors.length > 0 ? [] : [`  domain-insecure: "${s.zone}"`])),
    'remote-control:',
    '  control-enable: no',
    ...stubs.flatMap((s) => ['stub-zone:', `  name: "${s.zone}"`, `  stub-addr: ${s.address ?? '127.0.0.1'}@${s.port}`]),
    '',
  ];
  return lines.join('\n');
}

function dig(port: number, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('dig', ['@127.0.0.1', '-p', String(port), '+time=1', '+tries=1', ...args], { timeout: 5000 }, (_error, stdout) => resolve(String(stdout)));
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts unbound; ready once it answers the first stub zone's SOA (with AD when anchored). */
export async function startUnbound(stubs: UnboundStub[]): Promise<UnboundServer> {
  const binary = findUnbound();
  const dir = await mkdtemp(join(tmpdir(), 'mailrec-unbound-'));
  let lastLogs = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    await writeFile(join(dir, 'unbound.conf'), config(dir, port, stubs));
    const child = spawn(binary, ['-d', '-c', join(dir, 'unbound.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    let logs = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      logs += chunk;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const isDead = (): boolean => child.exitCode !== null || child.signalCode !== null;
    const stop = async (): Promise<void> => {
      if (!isDead()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      await rm(dir, { recursive: true, force: true });
    };
    const first = stubs[0];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !isDead()) {
      if (!first) break;
      // dig prints errors on stdout: match a real answer line.
      const out = await dig(port, ['+dnssec', first.zone, 'SOA']);
      const answered = /status: NOERROR/.test(out) && out.split('\n').some((l) => l.startsWith(`${first.zone}.`) && /\sSOA\s/.test(l));
      const anchored = (first.trustAnchors ?? []).length > 0;
      if (answered && (!anchored || /flags:[^;]*\bad\b/.test(out))) {
        return { port, address: '127.0.0.1', dir, logs: () => logs, stop };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    lastLogs = logs;
    if (!isDead()) child.kill('SIGKILL');
    await exited;
    live.delete(child);
    if (!/bind: address already in use|could not open ports/i.test(logs)) break;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`unbound did not start or did not validate:\n${lastLogs.split('\n').slice(-20).join('\n')}`);
}
