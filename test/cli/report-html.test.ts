// `mailrec report html` on the command line: what it refuses (no runs, a link as or inside the
// output directory), a broken run left out with a warning, and nothing written outside --out.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSyntheticHistory } from '../../harness/site-history.js';
import { runCli, snapshotTree } from '../helpers/cli.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-report-html-'));
  writeSyntheticHistory(join(dir, 'history'), { domains: 3, runs: 4 });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('mailrec report html', () => {
  it('builds the site from the history alone, and says what it wrote (json too)', async () => {
    const run = await runCli(['report', 'html', '--history', 'history', '--out', 'public/site'], { cwd: dir });
    expect(run).toEqual({ code: 0, stdout: 'wrote 4 pages to public/site (3 domains, 4 runs)\n', stderr: '' });
    expect(readdirSync(join(dir, 'public', 'site', 'domains'))).toHaveLength(3);
    const json = await runCli(['report', 'html', '--history', 'history', '--out', 'public/site', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toEqual({ out: 'public/site', pages: 4, runs: 4, skippedRuns: 0, domains: 3, dmarcReports: 0, tlsReports: 0 });
  });

  it('refuses a history without runs', async () => {
    mkdirSync(join(dir, 'empty'));
    const run = await runCli(['report', 'html', '--history', 'empty', '--out', 'site'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: empty: no audit runs (audit-<time>.json.gz)\nhint: store runs with mailrec audit --history DIR\n');
    expect(existsSync(join(dir, 'site'))).toBe(false);
  });

  it('leaves a broken run out with a warning and builds the rest', async () => {
    writeFileSync(join(dir, 'history', 'audit-20261207T120000Z.json.gz'), 'not gzip, not json');
    const run = await runCli(['report', 'html', '--history', 'history', '--out', 'site'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: audit-20261207T120000Z\.json\.gz: .*; left out\n$/);
    expect(run.stdout).toBe('wrote 4 pages to site (3 domains, 4 runs, 1 unreadable left out)\n');
  });

  it('refuses an output directory that is a link, and a link inside it, writing nothing through either', async () => {
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'site'));
    const linked = await runCli(['report', 'html', '--history', 'history', '--out', 'site'], { cwd: dir });
    expect(linked.code).toBe(1);
    expect(linked.stderr).toContain('site: is a symbolic link; the site is not written through links');
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);

    // A link planted where a page goes, and a directory link where the domain pages go.
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'victim.txt'), 'keep me');
    symlinkSync(join(dir, 'victim.txt'), join(dir, 'out', 'index.html'));
    const before = snapshotTree(join(dir, 'elsewhere'));
    const planted = await runCli(['report', 'html', '--history', 'history', '--out', 'out'], { cwd: dir });
    expect(planted.code).toBe(1);
    expect(planted.stderr).toContain('index.html: is a symbolic link; not written through');
    expect(readFileSync(join(dir, 'victim.txt'), 'utf8')).toBe('keep me');

    rmSync(join(dir, 'out', 'index.html'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'out', 'domains'));
    const dirLink = await runCli(['report', 'html', '--history', 'history', '--out', 'out'], { cwd: dir });
    expect(dirLink.code).toBe(1);
    expect(dirLink.stderr).toMatch(/domains.*(symbolic link|outside)/);
    expect(snapshotTree(join(dir, 'elsewhere'))).toEqual(before);
  });
});
