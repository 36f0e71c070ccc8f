// Test harness: a throwaway BIND 9 `named` on 127.0.0.1 and a free high port, with zones, a TSIG key and optional DNSSEC.
//
// Tests fail, never skip, when BIND is missing: `apt-get install -y --no-install-recommends
// bind9 bind9-utils dnsutils`. See shared/notes/real-servers.md for how BIND behaves here.

import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findTool as findToolIn, freePort, namedOptions, runTool } from '../../harness/processes.js';

export interface BindZone {
  /** Zone apex, with or without the trailing dot. */
  name: string;
  /** Master-file text; relative names are relative to the apex ($ORIGIN is set). */
  text: string;
  /** Accept RFC 2136 updates signed with the harness key. */
  dynamic?: boolean;
  /** Who may AXFR the zone (default: any). */
  allowTransfer?: 'any' | 'key' | 'none';
}

export interface BindOptions {
  zones: BindZone[];
  tsig?: { name: string; algorithm: string };
  /** Sign every zone with `dnssec-policy default` (ECDSA P-256). */
  dnssec?: boolean;
}

export interface BindKey {
  name: string;
  algorithm: string;
  secret: string;
}

export interface DigResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface BindServer {
  port: number;
  address: '127.0.0.1';
  key: BindKey;
  dir: string;
  /** SIGTERM, wait for the exit (the child is reaped), remove the directory. */
  stop(): Promise<void>;
  /** Everything named wrote to stderr so far (`-g` sends all logs there). */
  logs(): string;
  /** Run `dig @127.0.0.1 -p PORT ARGS...`. */
  dig(args: string[]): Promise<DigResult>;
  /** Wait until the logs match (named writes some lines just after answering). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGHUP: named rereads its config and every zone whose file (or $INCLUDEd file) changed. */
  reload(): Promise<void>;
}

const BIND_MISSING = 'BIND 9 is required for the integration tests (apt-get install -y --no-install-recommends bind9 bind9-utils dnsutils)';

/** The path of a BIND tool (named, dig, tsig-keygen, nsupdate), also looked for in the sbin directories. */
export function findTool(tool: string): string {
  return findToolIn(tool, BIND_MISSING);
}

function run(file: string, args: string[], input?: string): Promise<DigResult> {
  return runTool(file, args, input === undefined ? {} : { input });
}

/** Run nsupdate against a server (used to cross-check update behaviour). */
export function nsupdate(args: string[], script: string): Promise<DigResult> {
  return run(findTool('nsupdate'), args, script);
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function zoneFile(zone: BindZone): string {
  const apex = zone.name.endsWith('.') ? zone.name : `${zone.name}.`;
  return `$ORIGIN ${apex}\n$TTL 300\n${zone.text}\n`;
}

function keyClause(name: string, algorithm: string, secret: string): string {
  return `key "${name}" {\n\talgorithm ${algorithm};\n\tsecret "${secret}";\n};\n`;
}

async function makeKey(name: string, algorithm: string): Promise<BindKey> {
  const out = await run(findTool('tsig-keygen'), ['-a', algorithm, name]);
  const secret = /secret\s+"([^"]+)"/.exec(out.stdout)?.[1];
  if (out.code !== 0 || !secret) throw new Error(`tsig-keygen failed: ${out.stderr.trim()}`);
  return { name, algorithm, secret };
}

function namedConf(dir: string, port: number, key: BindKey, options: BindOptions): string {
  const zones = options.zones.map((zone) => {
    const apex = zone.name.replace(/\.$/, '');
    const transfer = zone.allowTransfer ?? 'any';
    const lines = [
      `zone "${apex}" {`,
      '\ttype primary;',
      `\tfile "${join(dir, `${apex || 'root'}.zone`)}";`,
      `\tallow-transfer { ${transfer === 'key' ? `key "${key.name}";` : transfer === 'any' ? 'any;' : 'none;'} };`,
    ];
    if (zone.dynamic) lines.push(`\tallow-update { key "${key.name}"; };`);
    if (options.dnssec) {
      lines.push('\tdnssec-policy default;');
      if (!zone.dynamic) lines.push('\tinline-signing yes;');
    }
    lines.push('};');
    return lines.join('\n');
  });
  return [
    ...namedOptions(dir, port, [`\tkey-directory "${dir}";`]),
    'controls { };',
    `include "${join(dir, 'tsig.key')}";`,
    ...zones,
    '',
  ].join('\n');
}

/** True once the server answers SOA NOERROR for the zone, read from dig's header and answer lines. */
async function answersSoa(dig: (args: string[]) => Promise<DigResult>, zone: string): Promise<boolean> {
  const out = await dig(['+norec', '+time=1', '+tries=1', zone, 'SOA']);
  const apex = zone.endsWith('.') ? zone : `${zone}.`;
  return (
    out.code === 0 &&
    /status: NOERROR/.test(out.stdout) &&
    out.stdout.split('\n').some((line) => line.startsWith(apex) && /\sIN\s+SOA\s/.test(line))
  );
}

/**
 * The newest modification time of a zone's file and of the files it $INCLUDEs: what named
 * compares on SIGHUP to decide which zones to load again.
 */
async function zoneStamp(file: string): Promise<number> {
  const text = await readFile(file, 'utf8');
  const includes = [...text.matchAll(/^\$INCLUDE\s+"?([^\s"]+)"?/gm)].map((m) => resolve(dirname(file), m[1]!)); // relative to named's directory, the zone files' own
  let stamp = 0;
  for (const path of [file, ...includes]) {
    try {
      stamp = Math.max(stamp, statSync(path).mtimeMs);
    } catch {
      stamp = Math.max(stamp, -1); // a missing include: named fails the load and logs it
    }
  }
  return stamp;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function startBind(options: BindOptions): Promise<BindServer> {
  const named = findTool('named');
  const digPath = findTool('dig');
  const dir = await mkdtemp(join(tmpdir(), 'mailrec-bind-'));
  const tsig = options.tsig ?? { name: 'mailrec-test', algorithm: 'hmac-sha256' };
  const key = await makeKey(tsig.name, tsig.algorithm);
  await writeFile(join(dir, 'tsig.key'), keyClause(key.name, key.algorithm, key.secret), { mode: 0o600 });
  for (const zone of options.zones) {
    const apex = zone.name.replace(/\.$/, '');
    await writeFile(join(dir, `${apex || 'root'}.zone`), zoneFile(zone));
  }
  let lastLogs = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    await writeFile(join(dir, 'named.conf'), namedConf(dir, port, key, options));
    const child = spawn(named, ['-g', '-n', '1', '-c', join(dir, 'named.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    let logs = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      logs += chunk;
    });
    const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const dig = (args: string[]) => run(digPath, [`@127.0.0.1`, '-p', String(port), ...args]);
    const stop = async (): Promise<void> => {
      if (!exited(child)) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitedPromise;
        clearTimeout(timer);
      }
      live.delete(child);
      if (!process.env.MAILREC_KEEP_BIND) await rm(dir, { recursive: true, force: true });
    };
    const firstZone = options.zones[0]?.name ?? '.';
    const deadline = Date.now() + 15_000;
    let ready = false;
    while (Date.now() < deadline && !exited(child)) {
      // A zone that fails to load never answers: say so at once, with BIND's reason.
      if (/not loaded due to errors|loading configuration: failure/.test(logs)) break;
      if (await answersSoa(dig, firstZone)) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    if (ready) {
      // With DNSSEC, wait until the zone is signed (an RRSIG on the SOA).
      while (options.dnssec && Date.now() < deadline) {
        const out = await dig(['+norec', '+dnssec', firstZone, 'SOA']);
        if (/\sRRSIG\s+SOA\s/.test(out.stdout)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const waitForLog = async (pattern: RegExp, timeoutMs = 3000): Promise<string> => {
        const until = Date.now() + timeoutMs;
        while (!pattern.test(logs) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        return logs;
      };
      // Zones named loads again on SIGHUP: those whose file or $INCLUDEd file changed since the
      // last load. Dynamic zones are kept from their journal, not reloaded from the file.
      const zoneFiles = options.zones
        .filter((zone) => !zone.dynamic)
        .map((zone) => {
          const apex = zone.name.replace(/\.$/, '');
          return { apex: apex || '.', file: join(dir, `${apex || 'root'}.zone`) };
        });
      const stamps = new Map<string, number>();
      for (const { apex, file } of zoneFiles) stamps.set(apex, await zoneStamp(file));
      const reload = async (): Promise<void> => {
        const changed: string[] = [];
        for (const { apex, file } of zoneFiles) {
          const stamp = await zoneStamp(file);
          if (stamp !== stamps.get(apex)) changed.push(apex);
          stamps.set(apex, stamp);
        }
        const from = logs.length;
        child.kill('SIGHUP');
        // named logs "reloading zones succeeded" (and even "all zones loaded") before the changed
        // zones are loaded again in the background: wait for each one's own "loaded serial" line,
        // or a question asked now can still get the old zone.
        const pending = (): string[] => {
          const since = logs.slice(from);
          if (!since.includes('reloading zones succeeded')) return ['(the reload)'];
          return changed.filter((apex) => !new RegExp(`zone ${escapeRegExp(apex)}/IN(?: \\(unsigned\\))?: loaded serial`).test(since));
        };
        const until = Date.now() + 10_000;
        while (pending().length > 0 && Date.now() < until && !exited(child)) {
          if (/not loaded due to errors|reloading zones failed/.test(logs.slice(from))) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        const left = pending();
        if (left.length > 0) throw new Error(`named did not reload ${left.join(', ')}:\n${logs.split('\n').slice(-10).join('\n')}`);
      };
      return { port, address: '127.0.0.1', key, dir, stop, logs: () => logs, dig, waitForLog, reload };
    }
    lastLogs = logs;
    if (!exited(child)) child.kill('SIGKILL');
    await exitedPromise;
    live.delete(child);
    // A port clash shows as "address in use"; anything else will not get better.
    if (!/address in use/i.test(logs)) break;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`named did not start:\n${lastLogs.split('\n').slice(-20).join('\n')}`);
}
