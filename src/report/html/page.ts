// The frame of every page of the HTML site: one self-contained document (styles and the one
// small script inline, nothing fetched), and the pieces pages share: tables, chart figures with
// their data, links between pages. Every text given here is escaped; only markup built by this
// folder is passed through as `Html`.

import { escapeXml } from '../xml-escape.js';
import { renderBarChart, renderLineChart, type ChartSpec } from './svg-chart.js';

/** Markup this folder built (never text from DNS or reports). */
export interface Html {
  readonly html: string;
}

export const raw = (html: string): Html => ({ html });

/** Text for element content. */
export const text = (v: string | number): string => escapeXml(String(v));
/** Text for a double-quoted attribute. */
export const attr = (v: string | number): string => escapeXml(String(v), true);

/** Tagged template: interpolated strings and numbers are escaped, Html and arrays of Html pass through. */
export function html(strings: TemplateStringsArray, ...values: (string | number | Html | readonly Html[] | undefined | null | false)[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    if (v === undefined || v === null || v === false) out += '';
    else if (Array.isArray(v)) out += (v as readonly Html[]).map((h) => h.html).join('');
    else if (typeof v === 'object') out += (v as Html).html;
    else out += escapeXml(String(v), true);
    out += strings[i + 1]!;
  });
  return { html: out };
}

export const join = (parts: readonly Html[], sep = '\n'): Html => raw(parts.map((p) => p.html).join(sep));

const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;line-height:1.45;color:#1b1b1b;background:#fff}
body{margin:0 auto;max-width:72rem;padding:0 1rem 3rem}
header.site{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:baseline;border-bottom:2px solid #1b1b1b;padding:.75rem 0;margin-bottom:1rem}
header.site a{color:inherit}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #ccc}h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
a{color:#0b4f9c}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;text-decoration:underline dotted}
code,.record{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.88rem;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:.5rem 0 1rem;padding:0;list-style:none}
.cards li{border:1px solid #bbb;border-radius:4px;padding:.5rem .75rem;min-width:9rem}
.cards strong{display:block;font-size:1.5rem}
.sev{font-weight:bold;padding:0 .3rem;border:1px solid currentColor;border-radius:3px;font-size:.8rem}
.sev-error{color:#a4000f}.sev-warning{color:#7a5200}.sev-info{color:#3d3d3d}
.up{color:#1d6b2b}.down{color:#a4000f}
figure{margin:1rem 0}figcaption{font-size:.9rem;color:#444}
svg.chart{max-width:100%;height:auto;background:#fff}
details{margin:.25rem 0 1rem}
.muted{color:#555}
input[type=search]{font:inherit;padding:.2rem .4rem;margin:.25rem 0}
@media print{details{display:block}}
`;

/**
 * Progressive only: sortable columns and a filter box for tables marked for it. The pages read
 * the same without it (tables are already in a useful order).
 */
const SCRIPT = `
document.querySelectorAll('table[data-sortable]').forEach(function (table) {
  var body = table.tBodies[0];
  table.querySelectorAll('thead th').forEach(function (th, col) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = th.textContent;
    th.textContent = '';
    th.appendChild(b);
    var asc = true;
    b.addEventListener('click', function () {
      var rows = Array.prototype.slice.call(body.rows);
      var num = th.classList.contains('num');
      rows.sort(function (x, y) {
        var a = x.cells[col].getAttribute('data-v') || x.cells[col].textContent;
        var c = y.cells[col].getAttribute('data-v') || y.cells[col].textContent;
        var r = num ? (parseFloat(a) || -1) - (parseFloat(c) || -1) : a.localeCompare(c);
        return asc ? r : -r;
      });
      asc = !asc;
      rows.forEach(function (r) { body.appendChild(r); });
      table.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'descending' : 'ascending');
    });
  });
});
document.querySelectorAll('input[data-filter]').forEach(function (input) {
  var table = document.getElementById(input.getAttribute('data-filter'));
  if (!table) return;
  var box = input.closest('[hidden]');
  if (box) box.hidden = false;
  input.addEventListener('input', function () {
    var q = input.value.toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      r.hidden = q !== '' && r.textContent.toLowerCase().indexOf(q) < 0;
    });
  });
});
`;

export interface PageSpec {
  title: string;
  /** Link to the estate page, relative to this page ("index.html", "../index.html"). */
  home: string;
  /** When the newest run was made, for the header. */
  generated: string;
  body: Html;
}

export function renderPage(spec: PageSpec): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mailrec">
<title>${text(spec.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="site"><a href="${attr(spec.home)}"><strong>mailrec</strong> estate report</a><span class="muted">newest run ${text(spec.generated)}</span></header>
<main>
${spec.body.html}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export interface Column {
  label: string;
  numeric?: boolean;
}

export interface Cell {
  html: Html;
  /** The value a sort uses, when it is not the text. */
  sort?: string | number;
}

export function cell(v: string | number | Html, sort?: string | number): Cell {
  const h = typeof v === 'object' ? v : raw(text(v));
  return sort === undefined ? { html: h } : { html: h, sort };
}

/** A table with a header row; `sortable` adds the progressive sort, `id` lets a filter box find it. */
export function renderTable(columns: readonly Column[], rows: readonly Cell[][], options: { caption?: string; sortable?: boolean; id?: string } = {}): Html {
  const head = columns.map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ''}>${text(c.label)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${columns[i]?.numeric ? ' class="num"' : ''}${c.sort !== undefined ? ` data-v="${attr(c.sort)}"` : ''}>${c.html.html}</td>`).join('')}</tr>`)
    .join('\n');
  return raw(
    `<table${options.id ? ` id="${attr(options.id)}"` : ''}${options.sortable ? ' data-sortable=""' : ''}>${options.caption ? `<caption>${text(options.caption)}</caption>` : ''}\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`,
  );
}

/** A chart with its caption, and its numbers as a table in <details> (the text alternative a screen reader can navigate). */
export function renderChartFigure(kind: 'bar' | 'line', spec: ChartSpec, caption: string, categoryLabel = 'when'): Html {
  const svg = kind === 'bar' ? renderBarChart(spec) : renderLineChart(spec);
  const columns: Column[] = [{ label: categoryLabel }, ...spec.series.map((s) => ({ label: s.name, numeric: true }))];
  if (spec.series.length === 1) columns[1] = { label: spec.series[0]!.name || 'value', numeric: true };
  const rows = spec.categories.map((c, i) => [cell(c), ...spec.series.map((s) => cell(s.values[i] === null || s.values[i] === undefined ? '–' : `${s.values[i]}${spec.unit ?? ''}`))]);
  return html`<figure>
${raw(svg)}
<details><summary>The numbers of this chart</summary>
${renderTable(columns, rows)}
</details>
<figcaption>${caption}</figcaption>
</figure>`;
}

export function severityBadge(severity: string): Html {
  return html`<span class="sev sev-${severity === 'error' || severity === 'warning' ? severity : 'info'}">${severity}</span>`;
}

/** "+3", "−5", "±0" with a word, so that the direction does not rest on colour. */
export function scoreDelta(before: number | null, after: number | null): Html {
  if (before === null || after === null) return raw(text(before === null ? (after === null ? 'unknown' : 'newly scored') : 'no longer scored'));
  const d = after - before;
  if (d === 0) return raw('±0');
  return html`<span class="${d > 0 ? 'up' : 'down'}">${d > 0 ? `+${d} (better)` : `−${-d} (worse)`}</span>`;
}
