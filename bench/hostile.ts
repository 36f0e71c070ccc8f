// `npm run bench -- --hostile`: `mailrec plan` on zone repos that hold special or huge files
// (docs/security.md), against the same plan on the bundled example in the same run: each ends
// in one line, in about the time and memory of the baseline (special files are refused before a
// byte is read; an oversized file by its size; a file at its cap is the true upper bound).

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_CAPS } from '../src/base/repo-files.js';
import { runMeasured, type ChildRun } from './measure.js';

interface Case {
  label: string;
  /** Turn a copy of the bundled example into the hostile repo; returns extra arguments. */
  make(repo: string): string[];
}

const ZONE = 'zones/example.org.zone';

function replaceZoneFile(repo: string, by: (file: string) => void): void {
  rmSync(join(repo, ZONE));
  by(join(repo, ZONE));
}

const CASES: Case[] = [
  { label: 'baseline: the bundled example', make: () => [] },
  { label: 'zone file linked to /dev/zero (--allow-outside /dev)', make: (r) => (replaceZoneFile(r, (f) => symlinkSync('/dev/zero', f)), ['--allow-outside', '/dev']) },
  { label: '$INCLUDE /dev/zero (outside: not read)', make: (r) => (writeFileSync(join(r, ZONE), `${readFileSync(join(r, ZONE), 'utf8')}$INCLUDE /dev/zero\n`), []) },
  { label: 'zone file a FIFO, no writer', make: (r) => (replaceZoneFile(r, (f) => execFileSync('mkfifo', [f])), []) },
  { label: 'policy a FIFO, no writer', make: (r) => (rmSync(join(r, 'policies/mail.yaml')), execFileSync('mkfifo', [join(r, 'policies/mail.yaml')]), []) },
  { label: 'zone file 1 GiB (sparse), over the cap', make: (r) => (truncateSync(join(r, ZONE), 1024 ** 3), []) },
  {
    label: `zone file of comments at the cap (${FILE_CAPS.zone / 1024 / 1024} MiB)`,
    make: (r) => {
      const line = `;${'x'.repeat(1022)}\n`;
      const text = readFileSync(join(r, ZONE), 'utf8');
      writeFileSync(join(r, ZONE), text + line.repeat(Math.floor((FILE_CAPS.zone - text.length) / line.length)));
      return [];
    },
  },
];

function copyExample(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailrec-bench-hostile-'));
  for (const sub of ['policies', 'zones', 'keys', 'certs', 'mta-sts']) cpSync(join(root, sub), join(dir, sub), { recursive: true });
  return dir;
}

export async function runHostileBench(mailrec: string, root: string): Promise<void> {
  console.log('\nhostile files: mailrec plan, best of 3 (wall time, peak RSS), against the bundled example');
  console.log('| case | exit | wall ms | peak RSS MiB | first line on stderr |');
  console.log('|---|---|---|---|---|');
  for (const c of CASES) {
    const repo = copyExample(root);
    try {
      const extra = c.make(repo);
      const runs: ChildRun[] = [];
      for (let i = 0; i < 3; i++) runs.push(await runMeasured([mailrec, 'plan', ...extra], undefined, repo));
      const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
      const peak = Math.max(...runs.map((r) => r.maxRssMiB));
      const line = best.stderr.split('\n')[0]!.replace(/\/tmp\/mailrec-bench-hostile-\w+/g, '<repo>').slice(0, 110);
      console.log(`| ${c.label} | ${best.code} | ${best.wallMs.toFixed(0)} | ${peak.toFixed(0)} | ${line || '(none)'} |`);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  }
}
