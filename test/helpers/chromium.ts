// Test harness: Debian's Chromium, headless through puppeteer-core, opening generated pages from file:// and reporting what a person would see go wrong: console errors, uncaught exceptions, failed loads, HTTP errors, any request off the machine; plus a screenshot and the page's links.
//
// Tests fail, never skip, when Chromium is missing: `apt-get install -y --no-install-recommends
// chromium` (.ci/run installs it). puppeteer-core 24 (Node >= 18) drives Debian's browser;
// it downloads none. As root Chromium needs --no-sandbox. The background-networking flags
// keep the browser from calling Google's services at start (refused on these machines).

import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';

export interface PageProblem {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'http' | 'network';
  text: string;
}

export interface PageReport {
  url: string;
  title: string;
  /** Empty for a page that loads cleanly. */
  problems: PageProblem[];
  /** The absolute href of every <a href> in document order. */
  links: string[];
}

export interface OpenOptions {
  /** Write a PNG of the page here. */
  screenshot?: string;
  /** The whole page rather than the viewport (default true). */
  fullPage?: boolean;
  /** Run the page's scripts (default true); false checks that a page works without JavaScript. */
  javaScript?: boolean;
  viewport?: { width: number; height: number };
}

export interface ChromiumHarness {
  browser: Browser;
  /** Open a file (absolute path) or file:// URL in a new tab, wait for load, report, close the tab. */
  open(pathOrUrl: string, options?: OpenOptions): Promise<PageReport>;
  close(): Promise<void>;
}

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_MISSING = 'the browser tests need Chromium (apt-get install -y --no-install-recommends chromium)';

/** Schemes a self-contained page may load; anything else would leave the machine. */
const LOCAL_SCHEMES = new Set(['file:', 'data:', 'blob:', 'about:']);

export async function startChromium(): Promise<ChromiumHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: ${CHROMIUM_MISSING}`);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // DevTools over a pipe: no debugging port to allocate.
    pipe: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

  const open = async (pathOrUrl: string, options: OpenOptions = {}): Promise<PageReport> => {
    const url = /^[a-z]+:/i.test(pathOrUrl) ? pathOrUrl : isAbsolute(pathOrUrl) ? pathToFileURL(pathOrUrl).href : '';
    if (!url) throw new Error(`open() takes an absolute path or a URL, not ${pathOrUrl}`);
    const page = await browser.newPage();
    try {
      const problems: PageProblem[] = [];
      await page.setViewport(options.viewport ?? { width: 1280, height: 900 });
      await page.setJavaScriptEnabled(options.javaScript ?? true);
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (request.isInterceptResolutionHandled()) return;
        if (LOCAL_SCHEMES.has(new URL(request.url()).protocol)) void request.continue();
        else {
          problems.push({ kind: 'network', text: `request off the machine: ${request.url()}` });
          void request.abort('blockedbyclient');
        }
      });
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'assert') problems.push({ kind: 'console', text: message.text() });
      });
      page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: error instanceof Error ? error.message : String(error) }));
      page.on('requestfailed', (request) => problems.push({ kind: 'requestfailed', text: `${request.url()} ${request.failure()?.errorText ?? ''}`.trim() }));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push({ kind: 'http', text: `${response.status()} ${response.url()}` });
      });
      await page.goto(url, { waitUntil: 'load' });
      // Let errors raised by the load event's handlers arrive (timers do not run without JavaScript).
      if (options.javaScript ?? true) await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
      if (options.screenshot) await page.screenshot({ path: options.screenshot as `${string}.png`, fullPage: options.fullPage ?? true });
      const links = await page.$$eval('a[href]', (anchors) => anchors.map((a) => (a as unknown as { href: string }).href));
      return { url, title: await page.title(), problems, links };
    } finally {
      await page.close();
    }
  };

  return { browser, open, close: () => browser.close() };
}
