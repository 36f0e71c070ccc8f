// What the tests and the benchmark share to run real servers: finding a tool in the
// sbin directories, running it, and a loopback port free for both TCP and UDP.

import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const SEARCH_PATH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin', '/usr/local/bin'];

/** The tool's path, also looked for in the sbin directories (named, unbound); `missing` says what to install. */
export function findTool(tool: string, missing: string): string {
  for (const dir of SEARCH_PATH) if (dir && existsSync(join(dir, tool))) return join(dir, tool);
  throw new Error(`${tool} not found: ${missing}`);
}

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a tool to completion (bounded by `timeoutMs`), feeding `input` on stdin; never rejects. */
export function runTool(file: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: options.timeoutMs ?? 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A port above 1024 free for both TCP and UDP on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (port > 1024 && udpFree) return port;
  }
  throw new Error('no free loopback port for TCP and UDP');
}

/**
 * The `options { }` clause of a throwaway named.conf: everything named writes points into
 * `dir` (or it reaches for /etc/bind), it listens on 127.0.0.1:port only, and it neither
 * recurses, validates nor notifies. `extra` lines go inside the clause.
 */
export function namedOptions(dir: string, port: number, extra: readonly string[] = []): string[] {
  return [
    'options {',
    `\tdirectory "${dir}";`,
    `\tpid-file "${join(dir, 'named.pid')}";`,
    `\tlock-file "${join(dir, 'named.lock')}";`,
    `\tsession-keyfile "${join(dir, 'session.key')}";`,
    `\tmanaged-keys-directory "${dir}";`,
    '\tbindkeys-file "/dev/null";',
    `\tlisten-on port ${port} { 127.0.0.1; };`,
    '\tlisten-on-v6 { none; };',
    '\trecursion no;',
    '\tdnssec-validation no;',
    '\tnotify no;',
    ...extra,
    '};',
  ];
}

/** mulberry32: a small seeded PRNG, so that generated data is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
