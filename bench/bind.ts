// The benchmark's own BIND 9: a throwaway named on 127.0.0.1 and free high ports, serving
// the generated zone files, with a statistics channel (query counts) and an rndc control
// channel (query logging, read from named's stderr, switched on for the census run only). Loopback traffic only.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { findTool as findToolIn, freePort, namedOptions, runTool, type ToolRun } from '../harness/processes.js';

export interface BenchBind {
  port: number;
  /** Queries the server has received so far (UDP and TCP, from its statistics channel). */
  queries(): Promise<number>;
  /** Turn the query log on; returns a function that turns it off and returns the (name, type) of every query logged meanwhile. */
  startQueryLog(): Promise<() => Promise<{ name: string; type: string }[]>>;
  /** Resident memory of named now, in MiB (from /proc). */
  rssMiB(): Promise<number>;
  /** CPU seconds named has used so far (user + system, from /proc). */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

const BIND_MISSING = 'the benchmark needs BIND 9 (apt-get install -y --no-install-recommends bind9 bind9-utils dnsutils)';

export function findTool(tool: string): string {
  return findToolIn(tool, BIND_MISSING);
}

function run(file: string, args: string[]): Promise<ToolRun> {
  return runTool(file, args, { timeoutMs: 30_000 });
}


function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('statistics channel timeout')));
    req.end();
  });
}

/** USER_HZ: the unit of /proc/PID/stat times, 100 on Linux. */
const CLOCK_TICKS = 100;

export interface BenchZone {
  /** Apex without the trailing dot. */
  name: string;
  /** Absolute path of the master file. */
  file: string;
}

/** Start named on the zone files; resolves once every zone answers its SOA. */
export async function startBenchBind(dir: string, zones: BenchZone[], threads = 1): Promise<BenchBind> {
  const named = findTool('named');
  const rndc = findTool('rndc');
  const keygen = await run(findTool('tsig-keygen'), ['-a', 'hmac-sha256', 'bench-rndc']);
  if (keygen.code !== 0) throw new Error(`tsig-keygen failed: ${keygen.stderr.trim()}`);
  const keyFile = join(dir, 'rndc.key');
  await writeFile(keyFile, keygen.stdout, { mode: 0o600 });

  let lastLogs = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const [port, statsPort, controlPort] = [await freePort(), await freePort(), await freePort()];
    const conf = [
      // No rate-limit clause: response rate limiting is off unless configured, and even a
      // "responses-per-second 0" clause keeps its table of responses, which made named
      // slower with every query of a long run (20 µs a query at first, 100 µs after 2 million).
      ...namedOptions(dir, port, ['\tquerylog no;']),
      `include "${keyFile}";`,
      `controls { inet 127.0.0.1 port ${controlPort} allow { 127.0.0.1; } keys { "bench-rndc"; }; };`,
      `statistics-channels { inet 127.0.0.1 port ${statsPort} allow { 127.0.0.1; }; };`,
      ...zones.map((z) => `zone "${z.name}" { type primary; file "${z.file}"; };`),
      '',
    ].join('\n');
    await writeFile(join(dir, 'named.conf'), conf);
    const child: ChildProcess = spawn(named, ['-g', '-n', String(threads), '-c', join(dir, 'named.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    // `-g` sends every log, the query log included, to stderr: the census reads it here.
    let census: { rest: string; logged: { name: string; type: string }[] } | undefined;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      logs = (logs + chunk).slice(-20_000);
      if (!census) return;
      const text = census.rest + chunk;
      const end = text.lastIndexOf('\n');
      census.rest = text.slice(end + 1);
      // "client @0x... 127.0.0.1#40000 (name): query: name IN TYPE +E(0)K (127.0.0.1)"
      for (const m of text.slice(0, end + 1).matchAll(/query: (\S+) IN (\S+) /g)) census.logged.push({ name: m[1]!.toLowerCase(), type: m[2]! });
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const dead = (): boolean => child.exitCode !== null || child.signalCode !== null;
    const rndcRun = (...args: string[]) => run(rndc, ['-k', keyFile, '-s', '127.0.0.1', '-p', String(controlPort), ...args]);

    const deadline = Date.now() + 600_000;
    let ready = false;
    while (Date.now() < deadline && !dead()) {
      if (/not loaded due to errors|loading configuration: failure|address in use/i.test(logs)) break;
      if (/all zones loaded/.test(logs) && /running/.test(logs)) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (ready) {
      const server: BenchBind = {
        port,
        async queries() {
          const stats = JSON.parse(await httpGet(statsPort, '/json/v1/server')) as { opcodes?: Record<string, number> };
          return stats.opcodes?.QUERY ?? 0;
        },
        async startQueryLog() {
          const on = await rndcRun('querylog', 'on');
          if (on.code !== 0) throw new Error(`rndc querylog on: ${on.stderr.trim() || on.stdout.trim()}`);
          census = { rest: '', logged: [] };
          return async () => {
            const off = await rndcRun('querylog', 'off');
            if (off.code !== 0) throw new Error(`rndc querylog off: ${off.stderr.trim() || off.stdout.trim()}`);
            // Let the last lines through the pipe.
            await new Promise((r) => setTimeout(r, 200));
            const logged = census?.logged ?? [];
            census = undefined;
            return logged;
          };
        },
        async rssMiB() {
          const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
          const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
          return Math.round(kb / 1024);
        },
        async cpuSeconds() {
          const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => '');
          // Fields after the command name: utime and stime are the 12th and 13th (proc(5)).
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / CLOCK_TICKS;
        },
        async stop() {
          if (!dead()) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(timer);
          }
        },
      };
      return server;
    }
    lastLogs = logs;
    if (!dead()) child.kill('SIGKILL');
    await exited;
    if (!/address in use/i.test(logs)) break;
  }
  throw new Error(`named did not start:\n${lastLogs.split('\n').slice(-20).join('\n')}`);
}
