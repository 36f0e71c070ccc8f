// The SVG chart writer: title and description for screen readers, one pattern or dash per
// series (readable without colour), labels escaped, gaps where a value is unknown.

import { describe, expect, it } from 'vitest';
import { niceMax, renderBarChart, renderLineChart, shortNumber } from '../../../src/report/html/svg-chart.js';
import { validateHtml } from '../../helpers/html-validate.js';

const page = (body: string) => `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>t</title>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;

describe('svg charts', () => {
  it('a bar chart names itself, draws one bar per value with its total, and a pattern per series', () => {
    const svg = renderBarChart({ id: 'b', title: 'Domains by score', desc: 'How many domains per band.', categories: ['0–9', '10–19', '20–29'], series: [{ name: 'a', values: [1, 0, 3] }, { name: 'b', values: [2, 0, null] }] });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="b-t b-d">/);
    expect(svg).toContain('<title id="b-t">Domains by score</title>');
    expect(svg).toContain('<desc id="b-d">How many domains per band.</desc>');
    // Two patterns that differ in shape, used by the bars and by the legend swatches.
    expect(svg.match(/<pattern id="b-p\d"/g)).toEqual(['<pattern id="b-p0"', '<pattern id="b-p1"']);
    expect(svg.match(/fill="url\(#b-p0\)"/g)?.length).toBe(2 + 1);
    expect(svg.match(/fill="url\(#b-p1\)"/g)?.length).toBe(1 + 1);
    // Totals over the bars: 3 and 3; nothing for the empty category.
    expect([...svg.matchAll(/font-size="10">(\d+)</g)].map((m) => m[1])).toEqual(['3', '3']);
  });

  it('a line breaks where a value is unknown and writes the last value at its end', () => {
    const svg = renderLineChart({ id: 'l', title: 'Score', desc: 'd', categories: ['a', 'b', 'c', 'd'], series: [{ name: 'score', values: [50, null, 70, 80] }], yMax: 100 });
    const d = /<path d="([^"]+)" fill="none"/.exec(svg)![1]!;
    expect(d.match(/M/g)?.length).toBe(2);
    expect(d.match(/L/g)?.length).toBe(1);
    expect(svg).toContain('font-weight="bold">80</text>');
  });

  it('two lines differ in dash and marker, not only in colour', () => {
    const svg = renderLineChart({ id: 'l', title: 'x', desc: 'd', categories: ['a', 'b'], series: [{ name: 'mean', values: [1, 2] }, { name: 'lowest', values: [0, 1] }] });
    expect(svg).toContain('stroke-dasharray="6 3"');
    expect(svg).toMatch(/<circle /);
    expect(svg).toMatch(/<rect x="[^"]+" y="[^"]+" width="6" height="6"/);
  });

  it('escapes every label it is given', () => {
    const evil = '<script>alert(1)</script>&"\'';
    const svg = renderBarChart({ id: 'e', title: evil, desc: evil, categories: [evil], series: [{ name: evil, values: [1] }, { name: 'x', values: [2] }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;');
  });

  it('is valid inline in an HTML page', async () => {
    const bar = renderBarChart({ id: 'b', title: 't', desc: 'd', categories: ['x', 'y'], series: [{ name: 's', values: [1, 2] }] });
    const line = renderLineChart({ id: 'l', title: 't', desc: 'd', categories: ['x', 'y'], series: [{ name: 's', values: [1, 2] }] });
    expect(await validateHtml(page(`<main>${bar}${line}</main>`))).toEqual([]);
  });

  it('rounds axis tops and shortens large numbers', () => {
    expect([niceMax(0), niceMax(3), niceMax(7), niceMax(11), niceMax(250)]).toEqual([1, 5, 10, 20, 500]);
    expect([shortNumber(12), shortNumber(1234), shortNumber(45_678), shortNumber(2_500_000)]).toEqual(['12', '1.2k', '46k', '2.5M']);
  });
});
