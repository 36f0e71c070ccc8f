// `mailrec report html` end to end: a history of 30 runs (written with the history's own
// writer) and a report archive (stored with the archive's own writer) in, a site out; then
// Debian's Chromium opens every page from file:// (no console error, no failed request, no
// request off the machine, with and without JavaScript), every link between pages resolves,
// html-validate finds no error, and hostile texts from DNS and reports stay text.
// Screenshots of the estate page and of one domain page are kept in .tmp/artifacts/report-html/
// (test artifacts, not compared). A missing Chromium fails these tests.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../../src/audit/history/compare.js';
import { listRuns, readRun } from '../../../src/audit/history/store.js';
import { RepoFiles } from '../../../src/base/repo-files.js';
import { domainPageName } from '../../../src/report/html/file-names.js';
import { domainName, HOSTILE, writeSyntheticArchive, writeSyntheticHistory } from '../../../harness/site-history.js';
import { startChromium, type ChromiumHarness } from '../../helpers/chromium.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { validateHtmlFile } from '../../helpers/html-validate.js';

const ARTIFACTS = join(REPO_ROOT, '.tmp', 'artifacts', 'report-html');
const NOW = '2026-12-07T07:00:00Z';
const DOMAINS = 12;
const RUNS = 30;

let dir: string;
let chromium: ChromiumHarness;

function pagesOf(site: string): string[] {
  return [join(site, 'index.html'), ...readdirSync(join(site, 'domains')).sort().map((f) => join(site, 'domains', f))];
}

async function buildSite(name: string, hostile: boolean): Promise<{ site: string; stdout: string }> {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  writeSyntheticHistory(join(root, 'history'), { domains: DOMAINS, runs: RUNS, hostile });
  await writeSyntheticArchive(root, join(root, 'reports'), { domains: [domainName(0), domainName(3), domainName(4)], days: 30, hostile });
  const run = await runCli(['report', 'html', '--history', 'history', '--reports', 'reports', '--out', 'site'], { cwd: root, env: { MAILREC_NOW: NOW } });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return { site: join(root, 'site'), stdout: run.stdout };
}

let plain: { site: string; stdout: string };
let hostile: { site: string; stdout: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-site-'));
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  plain = await buildSite('plain', false);
  hostile = await buildSite('hostile', true);
  chromium = await startChromium();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('report html: the site', () => {
  it('has the estate page and one page per domain, and says so', () => {
    const pages = pagesOf(plain.site);
    expect(pages).toHaveLength(1 + DOMAINS);
    // 3 domains with reports over 30 days: 3 receivers a day, one of them silent every fifth day (6 days); one TLS report a day.
    expect(plain.stdout).toBe(`wrote ${1 + DOMAINS} pages to site (${DOMAINS} domains, ${RUNS} runs, 252 DMARC and 90 TLS reports)\n`);
    for (let i = 0; i < DOMAINS; i++) expect(existsSync(join(plain.site, domainPageName(domainName(i))))).toBe(true);
  });

  it('shows what changed since the previous run as compareRuns says', () => {
    const files = new RepoFiles(join(dir, 'plain'));
    const runs = listRuns(files, 'history');
    const c = compareRuns(readRun(files, runs.at(-2)!.file), readRun(files, runs.at(-1)!.file));
    const estate = readFileSync(join(plain.site, 'index.html'), 'utf8');
    expect(estate).toContain(`<li><strong>${c.new.length}</strong>new findings`);
    expect(estate).toContain(`<li><strong>${c.resolved.length}</strong>resolved`);
    expect(estate).toContain(`<li><strong>${c.counts.open}</strong>still open`);
    expect(estate).toContain(`<li><strong>${c.records.length}</strong>records changed in DNS`);
  });

  it("draws each domain's score at every run, with the numbers as a table", () => {
    const files = new RepoFiles(join(dir, 'plain'));
    const scores = listRuns(files, 'history').map((r) => readRun(files, r.file).domains.find((d) => d.domain === domainName(5))!.score);
    const page = readFileSync(join(plain.site, domainPageName(domainName(5))), 'utf8');
    const table = /<caption>|<figure>\n<svg[\s\S]*?<tbody>\n([\s\S]*?)\n<\/tbody>/.exec(page)![1]!;
    expect([...table.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => (m[1] === '–' ? null : Number(m[1])))).toEqual(scores);
    expect(page).toContain('<title id="c-trend-t">Score of d00005.example per run</title>');
  });

  it('shows the reports: sources, aligned share, the next policy step, TLS per MX', () => {
    const page = readFileSync(join(plain.site, domainPageName(domainName(0))), 'utf8');
    expect(page).toContain('<h2 id="dmarc">DMARC reports</h2>');
    expect(page).toContain('Share of messages aligned per day');
    // The synthetic domain 0 publishes p=none: the next step is quarantine.
    expect(page).toContain('Next step: <code>v=DMARC1; p=quarantine</code>');
    expect(page).toContain('<h2 id="tls">TLS reports (RFC 8460)</h2>');
    expect(page).toContain('mx1.d00000.example');
    // A domain without reports has no such section.
    expect(readFileSync(join(plain.site, domainPageName(domainName(1))), 'utf8')).not.toContain('id="dmarc"');
  });

  it('passes html-validate on every page', async () => {
    for (const page of [...pagesOf(plain.site), ...pagesOf(hostile.site)]) expect({ page, errors: await validateHtmlFile(page) }).toEqual({ page, errors: [] });
  });

  it('loads every page in Chromium from file:// without a problem, and every link between pages resolves', async () => {
    const pages = pagesOf(plain.site);
    const estate = await chromium.open(pages[0]!, { screenshot: join(ARTIFACTS, 'estate.png') });
    const domain = await chromium.open(join(plain.site, domainPageName(domainName(0))), { screenshot: join(ARTIFACTS, 'domain.png') });
    expect(estate.problems).toEqual([]);
    expect(domain.problems).toEqual([]);
    for (const shot of ['estate.png', 'domain.png']) expect(statSync(join(ARTIFACTS, shot)).size).toBeGreaterThan(10_000);
    const links = new Set<string>();
    for (const page of pages) {
      const report = await chromium.open(page);
      expect({ page, problems: report.problems }).toEqual({ page, problems: [] });
      for (const link of report.links) links.add(link);
    }
    // Every page is reached from the estate page, and every link leads to a page and an anchor that exist.
    expect(estate.links.filter((l) => l.includes('/domains/')).map((l) => fileURLToPath(l)).sort()).toEqual(expect.arrayContaining(pages.slice(1)));
    for (const link of links) {
      const url = new URL(link);
      expect(url.protocol).toBe('file:');
      const file = fileURLToPath(url);
      expect({ link, exists: existsSync(file) }).toEqual({ link, exists: true });
      if (url.hash) expect(readFileSync(file, 'utf8')).toContain(`id="${decodeURIComponent(url.hash.slice(1))}"`);
    }
  });

  it('reads the same without JavaScript', async () => {
    for (const page of [join(plain.site, 'index.html'), join(plain.site, domainPageName(domainName(0)))]) {
      const report = await chromium.open(page, { javaScript: false });
      expect(report.problems).toEqual([]);
      expect(report.links.length).toBeGreaterThan(5);
    }
  });

  it('sorts a table and shows the filter box only with JavaScript (progressive)', async () => {
    const page = await chromium.browser.newPage();
    try {
      await page.goto(`file://${join(plain.site, 'index.html')}`);
      const visible = await page.$eval('input[data-filter]', (i) => !(i as unknown as { closest(s: string): unknown }).closest('[hidden]'));
      expect(visible).toBe(true);
      const names = () => page.$$eval('#all-domains tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
      const before = await names();
      await page.click('#all-domains thead th:first-child button');
      const ascending = await names();
      await page.click('#all-domains thead th:first-child button');
      expect(await names()).toEqual([...ascending].reverse());
      expect([...before].sort()).toEqual([...ascending].sort());
    } finally {
      await page.close();
    }
  });
});

describe('report html: hostile texts from DNS and reports', () => {
  it('come out as text on every page: no injected element, the script never runs', async () => {
    const pages = pagesOf(hostile.site);
    // The hostile domain has its page, under a safe name.
    expect(pages).toContain(join(hostile.site, domainPageName(domainName(1, true))));
    for (const file of pages) {
      const page = await chromium.browser.newPage();
      try {
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`file://${file}`, { waitUntil: 'load' });
        // An injected script would set the title to exactly this; the hostile domain's own title only contains it as text.
        expect(await page.title()).not.toBe('pwned');
        expect(await page.$$eval('img', (n) => n.length)).toBe(0);
        // Only the page's own script.
        expect(await page.$$eval('script', (n) => n.length)).toBe(1);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }
    // The markup is there, as text: on the estate page (the domain name) and on the pages that show records, receivers and MX names.
    const text = (f: string) => readFileSync(f, 'utf8');
    expect(text(pages[0]!)).toContain('x&lt;img src=x onerror=&quot;document.title=&apos;pwned&apos;&quot;&gt;');
    const reported = text(join(hostile.site, domainPageName(domainName(0, true))));
    expect(reported).toContain('&lt;script&gt;document.title=');
    expect(reported).not.toContain(HOSTILE);
  });
});
