// `npm run screenshot`: the README's picture of the estate page (docs/report-html.png), made
// the way a user makes the site: synthetic history and report archive (harness/site-history.ts),
// `mailrec report html`, then Debian's Chromium headless takes the top of the estate page.
// The PNG is documentation and is committed; rerun this after changing the pages.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { domainName, writeSyntheticArchive, writeSyntheticHistory } from './site-history.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const OUT = join(ROOT, 'docs', 'report-html.png');

if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y --no-install-recommends chromium`);
const dir = mkdtempSync(join(tmpdir(), 'mailrec-screenshot-'));
try {
  writeSyntheticHistory(join(dir, 'history'), { domains: 240, runs: 30, seed: 7 });
  await writeSyntheticArchive(dir, join(dir, 'reports'), { domains: [0, 1, 2, 3, 4, 5].map((i) => domainName(i)), days: 30 });
  const build = spawnSync(process.execPath, [join(ROOT, 'bin', 'mailrec'), 'report', 'html', '--history', 'history', '--reports', 'reports', '--out', 'site'], {
    cwd: dir,
    env: { ...process.env, MAILREC_NOW: '2026-12-07T07:00:00Z' },
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`mailrec report html exited ${build.status}: ${build.stderr}`);
  process.stdout.write(build.stdout);
  // The browser's own screenshot flag: no driver needed. No network: the page loads nothing.
  const shot = spawnSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--screenshot=${OUT}`, '--window-size=1100,1300', pathToFileURL(join(dir, 'site', 'index.html')).href],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (shot.status !== 0 || !existsSync(OUT)) throw new Error(`chromium exited ${shot.status}: ${shot.stderr}`);
  process.stdout.write(`wrote ${OUT} (${Math.round(statSync(OUT).size / 1024)} KiB)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
