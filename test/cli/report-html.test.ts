// `mailrec report html` on the command line: what it refuses (no runs, a link as or inside the
// output directory), a broken run left out with a warning, and nothing written outside --out.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSyntheticHistory } from '../../harness/site-history.js';
import { copyExample, runCli, snapshotTree } from '../helpers/cli.js';
import { domainPageName } from '../../src/report/html/file-names.js';
import { validateHtmlFile } from '../helpers/html-validate.js';

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
    expect(JSON.parse(json.stdout)).toEqual({ out: 'public/site', pages: 4, stalePagesRemoved: 0, runs: 4, skippedRuns: 0, domains: 3, dmarcReports: 0, tlsReports: 0 });
  });

  it('removes the pages of domains no longer audited, and nothing else', async () => {
    expect((await runCli(['report', 'html', '--history', 'history', '--out', 'site'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'site', 'domains', 'gone.example-0123456789.html'), 'an old page');
    writeFileSync(join(dir, 'site', 'domains', 'notes.txt'), 'mine');
    const run = await runCli(['report', 'html', '--history', 'history', '--out', 'site'], { cwd: dir });
    expect(run.stdout).toBe('wrote 4 pages to site (3 domains, 4 runs); removed 1 page of domains no longer audited\n');
    expect(readdirSync(join(dir, 'site', 'domains')).sort()).toEqual(['d00000.example-', 'd00001.example-', 'd00002.example-', 'notes.txt'].map((p, i) => (i < 3 ? expect.stringMatching(new RegExp(`^${p.replace('.', '\\.')}[0-9a-f]{10}\\.html$`)) : p)) as unknown as string[]);
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

  it('builds from the runs `audit --history` stores: a record changed between two audits shows on the estate and on its domain page', async () => {
    const repo = copyExample(join(dir, 'repo'));
    const audit = (now: string) => runCli(['audit', '--zones', 'zones', '--no-probe', '--history', 'history', '--format', 'json'], { cwd: repo, env: { MAILREC_NOW: now } });
    expect((await audit('2026-12-06T06:00:00Z')).code).toBe(0);
    const zone = join(repo, 'zones', 'example.org.mail.zone');
    writeFileSync(zone, readFileSync(zone, 'utf8').replace('p=none; sp=none', 'p=quarantine; sp=none'));
    expect((await audit('2026-12-07T06:00:00Z')).code).not.toBe(1);
    const run = await runCli(['report', 'html', '--history', 'history', '--out', 'site'], { cwd: repo });
    expect(run).toEqual({ code: 0, stdout: 'wrote 5 pages to site (4 domains, 2 runs)\n', stderr: '' });
    const estate = readFileSync(join(repo, 'site', 'index.html'), 'utf8');
    expect(estate).toContain('<td>_dmarc.example.org</td><td>TXT</td><td><span class="record">&quot;v=DMARC1; p=none; sp=none; rua=mailto:dmarc-reports@example.org&quot;</span></td><td><span class="record">&quot;v=DMARC1; p=quarantine; sp=none; rua=mailto:dmarc-reports@example.org&quot;</span></td>');
    const page = join(repo, 'site', domainPageName('example.org'));
    expect(readFileSync(page, 'utf8')).toContain('record _dmarc.example.org TXT changed');
    expect(await validateHtmlFile(page)).toEqual([]);
    expect(await validateHtmlFile(join(repo, 'site', 'index.html'))).toEqual([]);
  });
});
