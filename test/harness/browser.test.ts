// The browser harnesses against the real tools: Chromium opens generated pages from file:// and reports their problems; html-validate passes a valid page and flags an invalid one.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromium, type ChromiumHarness } from '../helpers/chromium.js';
import { validateHtml, validateHtmlFile } from '../helpers/html-validate.js';

/** A 1x1 PNG written by hand (signature, IHDR, IDAT, IEND), so the page loads a real image. */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer): number => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 0x1f, 0x6f, 0xb4]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const page = (title: string, body: string): string =>
  `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${title}</title>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;

let dir: string;
let chromium: ChromiumHarness;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailrec-browser-'));
  writeFileSync(join(dir, 'pixel.png'), tinyPng());
  writeFileSync(join(dir, 'index.html'), page('Estate', '<h1>Estate</h1>\n<p><img src="pixel.png" alt="one pixel" width="1" height="1"></p>\n<p><a href="domain.html">example.org</a> <a href="#top">top</a></p>'));
  writeFileSync(join(dir, 'domain.html'), page('example.org', '<h1 id="top">example.org</h1>\n<p><a href="index.html">back</a></p>'));
  writeFileSync(join(dir, 'broken.html'), page('Broken', '<p><img src="missing.png" alt="gone"></p>\n<script>console.error("drawn wrong"); notDefined();</script>'));
  writeFileSync(join(dir, 'remote.html'), page('Remote', '<p><img src="https://cdn.example.com/logo.png" alt="logo"></p>'));
  chromium = await startChromium();
});

afterAll(async () => {
  await chromium?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Chromium harness', () => {
  it('loads a generated page from file:// with no problem, takes a screenshot, lists its links', async () => {
    const shot = join(dir, 'index.png');
    const report = await chromium.open(join(dir, 'index.html'), { screenshot: shot });
    expect(report.problems).toEqual([]);
    expect(report.title).toBe('Estate');
    const base = pathToFileURL(dir).href;
    expect(report.links).toEqual([`${base}/domain.html`, `${base}/index.html#top`]);
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR width: the viewport's 1280 pixels.
    expect(png.readUInt32BE(16)).toBe(1280);
  });

  it('reports a missing image, a console error and an uncaught exception', async () => {
    const report = await chromium.open(pathToFileURL(join(dir, 'broken.html')).href);
    const missing = `${pathToFileURL(dir).href}/missing.png`;
    expect(report.problems).toEqual(expect.arrayContaining([
      { kind: 'requestfailed', text: `${missing} net::ERR_FILE_NOT_FOUND` },
      { kind: 'console', text: 'drawn wrong' },
      { kind: 'pageerror', text: expect.stringContaining('notDefined is not defined') as unknown as string },
    ]));
  });

  it('without JavaScript the script problems vanish and the missing image stays', async () => {
    const report = await chromium.open(join(dir, 'broken.html'), { javaScript: false });
    expect(report.problems.map((p) => p.kind)).not.toContain('pageerror');
    expect(report.problems.map((p) => p.kind)).toContain('requestfailed');
  });

  it('blocks and reports a request that would leave the machine', async () => {
    const report = await chromium.open(join(dir, 'remote.html'));
    expect(report.problems).toContainEqual({ kind: 'network', text: 'request off the machine: https://cdn.example.com/logo.png' });
  });
});

describe('html-validate harness', () => {
  it('passes the generated pages', async () => {
    expect(await validateHtmlFile(join(dir, 'index.html'))).toEqual([]);
    expect(await validateHtmlFile(join(dir, 'domain.html'))).toEqual([]);
  });

  it('flags an invalid page with the rule and position', async () => {
    const errors = await validateHtml(page('Bad', '<p><div>a block in a paragraph</div></p>\n<a href="#a" id="a">one</a><span id="a"></span>'), 'bad.html');
    // <div> closes the <p> implicitly, so the </p> is stray; the id appears twice.
    expect(errors.map((e) => `${e.ruleId} ${e.line}`)).toEqual(['close-order 8', 'no-dup-id 9']);
    expect(await validateHtml(page('Good', '<div><p>a paragraph in a block</p></div>'))).toEqual([]);
  });
});
