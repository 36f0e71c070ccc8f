// Static SVG charts for the HTML site, written as text at build time: bars (plain or stacked)
// and lines over a category axis, each with a <title> and <desc>, and a data table beside it.
//
// Why a small writer of our own and not a charting library: the libraries that render SVG in
// Node without a browser either need a DOM (d3-selection, Observable Plot: jsdom) or are large
// and slow for a site of a thousand pages (Apache ECharts 6 server-side rendering, measured
// here: about 18 ms and 12 KB a chart, 67 MB installed; 1,000 domains with three charts each
// would take about a minute). Four chart shapes need about 200 lines; this writer draws one in
// well under a millisecond, escapes every label it is given (the text comes from DNS and from
// reports), and lets each series carry a fill pattern and a line dash so that a chart reads
// without colour (WCAG 2.2 SC 1.4.1).

import { escapeXml } from '../xml-escape.js';

export interface ChartSeries {
  name: string;
  /** One value per category; null where there is no value (a run without the domain, a day without reports). */
  values: (number | null)[];
}

export interface ChartSpec {
  /** Unique on the page: prefixes the ids of the title, the description and the patterns. */
  id: string;
  title: string;
  /** What the chart shows, in words, for screen readers (and the <desc> a tooltip-less viewer reads). */
  desc: string;
  categories: string[];
  series: ChartSeries[];
  /** The axis top; default: the largest value (stacked: the largest sum), rounded up. */
  yMax?: number;
  /** Appended to axis values: "%" or "". */
  unit?: string;
  width?: number;
  height?: number;
}

const W = 720;
const H = 240;
const PAD = { left: 48, right: 12, top: 12, bottom: 40 };
const LEGEND_ROW = 18;

/** Fills that differ in pattern as well as in tone, so that neighbours tell apart in grey. */
const PATTERNS: readonly { tone: string; shape: (id: string, tone: string) => string }[] = [
  { tone: '#1f5fa8', shape: (id, tone) => `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="${tone}"/></pattern>` },
  { tone: '#c8641e', shape: (id, tone) => `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="${tone}"/></pattern>` },
  { tone: '#2e8540', shape: (id, tone) => `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.8" fill="${tone}"/></pattern>` },
  { tone: '#7a3e9d', shape: (id, tone) => `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><path d="M0 3H6M3 0V6" stroke="${tone}" stroke-width="1.5"/></pattern>` },
  { tone: '#8a6d00', shape: (id, tone) => `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#fff"/><rect width="2" height="6" fill="${tone}"/></pattern>` },
  { tone: '#555', shape: (id, tone) => `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#eee"/><path d="M0 0L6 6M6 0L0 6" stroke="${tone}" stroke-width="1"/></pattern>` },
];

/** Line styles: dash and marker differ, not only the tone. */
const LINES: readonly { tone: string; dash: string; marker: 'circle' | 'square' | 'triangle' | 'diamond' }[] = [
  { tone: '#1f5fa8', dash: '', marker: 'circle' },
  { tone: '#c8641e', dash: '6 3', marker: 'square' },
  { tone: '#2e8540', dash: '2 3', marker: 'triangle' },
  { tone: '#7a3e9d', dash: '8 3 2 3', marker: 'diamond' },
];

const a = (v: string): string => escapeXml(v, true);
const t = (v: string): string => escapeXml(v);
const n = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** A round axis top at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** "1.2k", "3.4M": short numbers for axis ticks and bar labels. */
export function shortNumber(v: number): string {
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toFixed(1))}M`;
  if (Math.abs(v) >= 1e4) return `${Number((v / 1e3).toFixed(0))}k`;
  if (Math.abs(v) >= 1e3) return `${Number((v / 1e3).toFixed(1))}k`;
  return n(v);
}

interface Frame {
  w: number;
  h: number;
  plot: { x: number; y: number; w: number; h: number };
  yMax: number;
  y: (v: number) => number;
}

function frameOf(spec: ChartSpec, legendRows: number, top: number): Frame {
  const w = spec.width ?? W;
  const h = (spec.height ?? H) + legendRows * LEGEND_ROW;
  const plot = { x: PAD.left, y: PAD.top, w: w - PAD.left - PAD.right, h: (spec.height ?? H) - PAD.top - PAD.bottom };
  const yMax = spec.yMax ?? niceMax(top);
  return { w, h, plot, yMax, y: (v) => plot.y + plot.h - (Math.min(v, yMax) / yMax) * plot.h };
}

/** The svg element, its title and description, and the axes with five value ticks. */
function open(spec: ChartSpec, f: Frame, defs: string): string[] {
  const out = [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${f.w}" height="${f.h}" viewBox="0 0 ${f.w} ${f.h}" role="img" aria-labelledby="${a(spec.id)}-t ${a(spec.id)}-d">`,
    `<title id="${a(spec.id)}-t">${t(spec.title)}</title>`,
    `<desc id="${a(spec.id)}-d">${t(spec.desc)}</desc>`,
  ];
  if (defs) out.push(`<defs>${defs}</defs>`);
  const unit = spec.unit ?? '';
  for (let i = 0; i <= 4; i++) {
    const v = (f.yMax * i) / 4;
    const y = f.y(v);
    out.push(`<line x1="${f.plot.x}" x2="${f.plot.x + f.plot.w}" y1="${n(y)}" y2="${n(y)}" stroke="${i === 0 ? '#333' : '#ddd'}"/>`);
    out.push(`<text x="${f.plot.x - 6}" y="${n(y + 4)}" text-anchor="end" font-size="11">${t(shortNumber(v) + unit)}</text>`);
  }
  return out;
}

/** Category labels under the axis, thinned so that they do not overlap. */
function xLabels(spec: ChartSpec, f: Frame, centre: (i: number) => number): string[] {
  const count = spec.categories.length;
  const longest = Math.max(1, ...spec.categories.map((c) => c.length));
  const every = Math.max(1, Math.ceil((count * longest * 6.5) / f.plot.w));
  const out: string[] = [];
  spec.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    out.push(`<text x="${n(centre(i))}" y="${n(f.plot.y + f.plot.h + 16)}" text-anchor="middle" font-size="11">${t(c)}</text>`);
  });
  return out;
}

function legend(spec: ChartSpec, f: Frame, swatch: (i: number, x: number, y: number) => string): string[] {
  if (spec.series.length < 2) return [];
  const out: string[] = [];
  let x = f.plot.x;
  let y = f.plot.y + f.plot.h + 28;
  spec.series.forEach((s, i) => {
    const label = s.name.length > 40 ? `${s.name.slice(0, 39)}…` : s.name;
    const width = 22 + label.length * 6.5 + 16;
    if (x + width > f.w && x > f.plot.x) {
      x = f.plot.x;
      y += LEGEND_ROW;
    }
    out.push(swatch(i, x, y), `<text x="${n(x + 20)}" y="${n(y + 10)}" font-size="11">${t(label)}</text>`);
    x += width;
  });
  return out;
}

function legendRowsOf(spec: ChartSpec): number {
  if (spec.series.length < 2) return 0;
  const w = (spec.width ?? W) - PAD.left - PAD.right;
  let rows = 1;
  let x = 0;
  for (const s of spec.series) {
    const width = 22 + Math.min(40, s.name.length) * 6.5 + 16;
    if (x + width > w && x > 0) {
      rows++;
      x = 0;
    }
    x += width;
  }
  return rows;
}

/** Bars per category: side by side for one series, stacked for several. Totals are written above each bar. */
export function renderBarChart(spec: ChartSpec): string {
  const rows = legendRowsOf(spec);
  const sums = spec.categories.map((_, i) => spec.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const f = frameOf(spec, rows, Math.max(0, ...sums));
  const ids = spec.series.map((_, i) => `${spec.id}-p${i}`);
  const defs = spec.series.map((_, i) => PATTERNS[i % PATTERNS.length]!.shape(a(ids[i]!), PATTERNS[i % PATTERNS.length]!.tone)).join('');
  const out = open(spec, f, defs);
  const slot = f.plot.w / Math.max(1, spec.categories.length);
  const bar = Math.max(1, Math.min(48, slot * 0.7));
  const left = (i: number) => f.plot.x + slot * i + (slot - bar) / 2;
  spec.categories.forEach((category, i) => {
    let base = 0;
    const parts: string[] = [];
    spec.series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      const y0 = f.y(base);
      const y1 = f.y(base + v);
      base += v;
      parts.push(
        `<rect x="${n(left(i))}" y="${n(y1)}" width="${n(bar)}" height="${n(Math.max(0.5, y0 - y1))}" fill="url(#${a(ids[k]!)})" stroke="#333" stroke-width="0.5"><title>${t(`${category}: ${s.name} ${shortNumber(v)}${spec.unit ?? ''}`)}</title></rect>`,
      );
    });
    out.push(...parts);
    if (sums[i]! > 0 && slot >= shortNumber(sums[i]!).length * 6 + 4) out.push(`<text x="${n(left(i) + bar / 2)}" y="${n(f.y(sums[i]!) - 3)}" text-anchor="middle" font-size="10">${t(shortNumber(sums[i]!))}</text>`);
  });
  out.push(...xLabels(spec, f, (i) => left(i) + bar / 2));
  out.push(...legend(spec, f, (i, x, y) => `<rect x="${n(x)}" y="${n(y)}" width="14" height="12" fill="url(#${a(ids[i]!)})" stroke="#333" stroke-width="0.5"/>`));
  out.push('</svg>');
  return out.join('\n');
}

function marker(kind: (typeof LINES)[number]['marker'], x: number, y: number, tone: string): string {
  switch (kind) {
    case 'circle':
      return `<circle cx="${n(x)}" cy="${n(y)}" r="3" fill="${tone}"/>`;
    case 'square':
      return `<rect x="${n(x - 3)}" y="${n(y - 3)}" width="6" height="6" fill="${tone}"/>`;
    case 'triangle':
      return `<path d="M${n(x)} ${n(y - 4)}L${n(x + 4)} ${n(y + 3)}L${n(x - 4)} ${n(y + 3)}Z" fill="${tone}"/>`;
    case 'diamond':
      return `<path d="M${n(x)} ${n(y - 4)}L${n(x + 4)} ${n(y)}L${n(x)} ${n(y + 4)}L${n(x - 4)} ${n(y)}Z" fill="${tone}"/>`;
  }
}

/** Lines over the categories; a null value breaks the line (nothing is drawn where nothing is known). */
export function renderLineChart(spec: ChartSpec): string {
  const rows = legendRowsOf(spec);
  const top = Math.max(0, ...spec.series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const f = frameOf(spec, rows, top);
  const out = open(spec, f, '');
  const count = spec.categories.length;
  const x = (i: number) => (count <= 1 ? f.plot.x + f.plot.w / 2 : f.plot.x + 8 + ((f.plot.w - 16) * i) / (count - 1));
  spec.series.forEach((s, k) => {
    const style = LINES[k % LINES.length]!;
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${n(x(i))} ${n(f.y(v))}`;
      pen = true;
    });
    if (d) out.push(`<path d="${d}" fill="none" stroke="${style.tone}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`);
    const markEvery = Math.max(1, Math.ceil(count / 40));
    s.values.forEach((v, i) => {
      if (v === null || (i % markEvery !== 0 && i !== count - 1)) return;
      out.push(marker(style.marker, x(i), f.y(v), style.tone));
    });
    // The last value written at the line's end: the figure a reader looks for first.
    const lastIndex = s.values.findLastIndex((v) => v !== null);
    if (lastIndex >= 0) {
      const v = s.values[lastIndex]!;
      out.push(`<text x="${n(Math.min(x(lastIndex), f.plot.x + f.plot.w - 4))}" y="${n(f.y(v) - 7)}" text-anchor="end" font-size="11" font-weight="bold">${t(shortNumber(v) + (spec.unit ?? ''))}</text>`);
    }
  });
  out.push(...xLabels(spec, f, x));
  out.push(
    ...legend(spec, f, (i, lx, ly) => {
      const style = LINES[i % LINES.length]!;
      return `<line x1="${n(lx)}" x2="${n(lx + 16)}" y1="${n(ly + 6)}" y2="${n(ly + 6)}" stroke="${style.tone}" stroke-width="2"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>${marker(style.marker, lx + 8, ly + 6, style.tone)}`;
    }),
  );
  out.push('</svg>');
  return out.join('\n');
}
