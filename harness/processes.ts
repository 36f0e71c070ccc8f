// What the tests and the benchmark share to run real servers: finding a tool in the
// sbin directories, running it, a loopback port free for both TCP and UDP, and a
// daemon in its own process group, waited for and stopped as a group.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
export function runTool(file: string, args: string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<ToolRun> {
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

/**
 * A server started in its own process group (Dovecot and rspamd fork workers): its
 * stdout and stderr collected, stopped by signalling the whole group.
 */
export interface Daemon {
  pid: number;
  /** Everything the server wrote to stdout and stderr so far. */
  logs(): string;
  /** Wait until the logs match (servers log some lines just after answering); returns the logs, matched or not. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The leader (the process started) has exited and been reaped. */
  exited(): boolean;
  /** Resolves when the leader has exited. */
  whenExited(): Promise<void>;
  /**
   * SIGTERM to the group, wait for the leader, then for every other member of the group;
   * SIGKILL to the group after `timeoutMs`. A member that is a zombie counts as gone: a
   * child that outlives the leader is reparented to PID 1, which reaps it when it likes.
   */
  stop(timeoutMs?: number): Promise<void>;
}

const liveGroups = new Set<number>();
const killLiveGroups = (): void => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
};
process.once('exit', killLiveGroups);
// A test runner ends its workers with SIGTERM, which skips 'exit': end the daemons a failed
// test left running, then die of the signal as before (unless someone else handles it).
process.once('SIGTERM', () => {
  killLiveGroups();
  if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
});

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is empty already.
  }
}

/** PIDs of the group's members that are not zombies, read from /proc/PID/stat. */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
  }
  return members;
}

export function spawnDaemon(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Daemon {
  const child: ChildProcess = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${file} could not be started`);
  liveGroups.add(pid);
  let logs = '';
  const collect = (chunk: string): void => {
    logs += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const stop = async (timeoutMs = 5000): Promise<void> => {
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    const killer = setTimeout(() => signalGroup(pid, 'SIGKILL'), timeoutMs);
    await exitedPromise;
    clearTimeout(killer);
    while (liveGroupMembers(pid).length > 0) {
      if (Date.now() > deadline) signalGroup(pid, 'SIGKILL');
      await sleep(10);
    }
    liveGroups.delete(pid);
  };
  const waitForLog = async (pattern: RegExp, timeoutMs = 3000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(logs) && Date.now() < deadline) await sleep(10);
    return logs;
  };
  return { pid, logs: () => logs, waitForLog, exited, whenExited: () => exitedPromise, stop };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Poll `ready` until it returns true. Throws, with the daemon's last log lines, when
 * the daemon exits first or `timeoutMs` passes.
 */
export async function waitUntilReady(what: string, daemon: Daemon, ready: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !daemon.exited()) {
    if (await ready()) return;
    await sleep(20);
  }
  const tail = daemon.logs().trimEnd().split('\n').slice(-25).join('\n');
  throw new Error(`${what} ${daemon.exited() ? 'exited' : `was not ready after ${timeoutMs} ms`}:\n${tail}`);
}

export interface DaemonLaunch {
  /** Names the server in errors. */
  what: string;
  /** Loopback ports the server needs. */
  ports: number;
  /** Write the configuration for these ports; returns the command that starts the server. */
  configure(ports: number[]): Promise<{ file: string; args: string[] }>;
  /** True once the server on these ports serves. */
  ready(ports: number[]): Promise<boolean>;
  timeoutMs?: number;
}

/**
 * Start a daemon on free loopback ports and wait until it is ready; while it fails because
 * a port was taken meanwhile ("address already in use" in its logs), start it again on new
 * ports. A daemon that does not become ready is stopped, and the error carries its logs.
 */
export async function startDaemon(launch: DaemonLaunch): Promise<{ daemon: Daemon; ports: number[] }> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    while (ports.length < launch.ports) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const { file, args } = await launch.configure(ports);
    const daemon = spawnDaemon(file, args);
    try {
      await waitUntilReady(launch.what, daemon, () => launch.ready(ports), launch.timeoutMs);
      return { daemon, ports };
    } catch (error) {
      await daemon.stop();
      if (attempt >= 5 || !/address already in use/i.test(daemon.logs())) throw error;
    }
  }
}
