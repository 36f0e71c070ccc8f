// One measured `mailrec audit` over the bench estate through a given server (BIND itself or a
// latency proxy in front of it), streamed as NDJSON and read back: domains/s, CPU, peak RSS,
// planted defects found and domains left with an unknown verdict. Used by the latency-model
// and --jobs sections (bench/latency.ts, bench/jobs.ts).

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { DomainJson } from '../src/audit/summary.js';
import { EXPECTED_CODE, profileOf, SELECTOR } from './estate.js';
import { runMeasured } from './measure.js';

export interface AuditPass {
  n: number;
  wallMs: number;
  domainsPerS: number;
  cpuS: number;
  maxRssMiB: number;
  found: number;
  planted: number;
  /** Domains with a category left unknown (a failed lookup). */
  unknown: number;
  stderr: string;
}

export async function auditPass(mailrec: string, port: number, listFile: string, n: number, dir: string, extra: string[], outName: string): Promise<AuditPass> {
  const outFile = join(dir, outName);
  const args = [mailrec, 'audit', '--resolver', `127.0.0.1:${port}`, '--domains-file', listFile, '--format', 'ndjson', '--no-probe', '--selector', SELECTOR, ...extra];
  const run = await runMeasured(args, outFile, dir);
  if (run.code !== 0 && run.code !== 2) throw new Error(`mailrec audit ${extra.join(' ')} exited ${run.code}:\n${run.stderr}`);
  let found = 0;
  let planted = 0;
  let unknown = -1;
  const lines = createInterface({ input: createReadStream(outFile, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const v = JSON.parse(line) as { type?: string; unknown?: string[] } & DomainJson;
    if (v.type === 'summary') unknown = v.unknown?.length ?? 0;
    if (v.type !== 'domain') continue;
    const expected = EXPECTED_CODE[profileOf(Number(/^d(\d+)\./.exec(v.domain)?.[1]))];
    if (!expected) continue;
    planted++;
    if (v.findings.some((f) => f.code === expected)) found++;
  }
  if (unknown < 0) throw new Error(`${outFile}: no summary line: the audit did not finish`);
  return { n, wallMs: run.wallMs, domainsPerS: (n / run.wallMs) * 1000, cpuS: run.cpuS, maxRssMiB: run.maxRssMiB, found, planted, unknown, stderr: run.stderr };
}
