// Running a measured child: node with the RSS probe preloaded (rss-probe.ts), wall time, peak
// RSS and CPU time as the child itself saw them. Shared by the audit, plan and fetch benchmarks.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROBE = pathToFileURL(join(HERE, 'rss-probe.js')).href;

export interface ChildRun {
  code: number;
  wallMs: number;
  maxRssMiB: number;
  cpuS: number;
  stderr: string;
}

/** Run node with the probe preloaded; stdout to a file (or nowhere). */
export function runMeasured(args: string[], stdoutFile: string | undefined, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  const probeFile = join(tmpdir(), `mailrec-bench-probe-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', PROBE, ...args], {
    cwd,
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, ...env, BENCH_PROBE_FILE: probeFile, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (c: string) => {
    stderr = (stderr + c).slice(-4000);
  });
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', async (code) => {
      const wallMs = performance.now() - started;
      if (typeof out === 'number') closeSync(out);
      let probe = { maxRssKiB: 0, userUs: 0, systemUs: 0 };
      try {
        probe = JSON.parse(await readFile(probeFile, 'utf8')) as typeof probe;
        await rm(probeFile, { force: true });
      } catch {
        // the child died before its exit hook ran
      }
      resolvePromise({ code: code ?? 1, wallMs, maxRssMiB: probe.maxRssKiB / 1024, cpuS: (probe.userUs + probe.systemUs) / 1e6, stderr });
    });
  });
}
