// One domain's page: its score and trend over the history, current findings with the fix and
// the RFC section, its path to 100, the records it publishes, its changes run by run, and from
// the report archive its DMARC sources, aligned share, next policy step and TLS-RPT results.

import type { DomainJson } from '../../audit/summary.js';
import type { DmarcDomainSeries, TlsDomainSeries } from '../../dmarc-reports/daily-series.js';
import { recordState } from './estate-page.js';
import { cell, html, join, raw, renderChartFigure, renderPage, renderTable, scoreDelta, severityBadge, type Html } from './page.js';
import { runLabel, type SiteHistory } from './site-model.js';

/** Sources drawn apart in the volume chart; the rest are summed as "other sources". */
const TOP_SOURCES = 5;
const TOP_MX = 4;
const CHANGE_RUNS = 30;

function findingsSection(d: DomainJson): Html {
  if (d.findings.length === 0) return html`<h2 id="findings">Findings</h2><p>No findings.</p>`;
  return join([
    html`<h2 id="findings">Findings (${d.findings.length})</h2>`,
    renderTable(
      [{ label: 'severity' }, { label: 'code' }, { label: 'name' }, { label: 'what was found' }, { label: 'fix' }, { label: 'rests on' }],
      d.findings.map((f) => [cell(severityBadge(f.severity), f.severity), cell(html`<code>${f.code}</code>`, f.code), cell(f.name), cell(f.message), cell(f.fix), cell(f.rfc)]),
      { sortable: true },
    ),
  ]);
}

function pathSection(d: DomainJson): Html {
  if (d.pathTo100.length === 0) return html`<h2 id="path">Path to 100</h2><p>${d.score === 100 ? 'The domain scores 100.' : 'No fix raises the score further: what is missing is unknown (see the coverage).'}</p>`;
  return html`<h2 id="path">Path to 100</h2>
<ol>
${d.pathTo100.map((s) => html`<li><strong>+${s.gain}</strong> ${s.title} (<code>${s.code}</code>): ${s.fix}</li>\n`)}
</ol>`;
}

function categoriesSection(d: DomainJson): Html {
  return renderTable(
    [{ label: 'category' }, { label: 'weight', numeric: true }, { label: 'status' }, { label: 'percent', numeric: true }, { label: 'why' }],
    d.categories.map((c) => [cell(c.category), cell(c.weight), cell(c.status), cell(c.percent ?? '—'), cell(c.reason ?? c.penalties.map((p) => `${p.code} −${p.penalty}`).join(', '))]),
  );
}

function recordsSection(d: DomainJson): Html {
  const records = d.records;
  if (!records) return html`<h2 id="records">Published records</h2><p>This run's output keeps no records (it was written by an older mailrec).</p>`;
  if (records.length === 0) return html`<h2 id="records">Published records</h2><p>No question about the domain's own names was asked.</p>`;
  return join([
    html`<h2 id="records">Published records</h2><p>The answers the newest run got for the domain's own names.</p>`,
    renderTable([{ label: 'name' }, { label: 'type' }, { label: 'answer' }], records.map((r) => [cell(r.name), cell(r.type), cell(recordState(r))])),
  ]);
}

function changesSection(domain: string, history: SiteHistory): Html {
  const changes = history.changesOf(domain).slice(0, CHANGE_RUNS);
  if (changes.length === 0) return html`<h2 id="changes">Changes</h2><p>Nothing changed over the ${history.runs.length} runs.</p>`;
  return join([
    html`<h2 id="changes">Changes</h2>`,
    ...changes.map((c) => {
      const items: Html[] = [];
      if (c.score) items.push(html`<li>score ${c.score.before.score ?? 'none'} → ${c.score.after.score ?? 'none'}: ${scoreDelta(c.score.before.score, c.score.after.score)}</li>`);
      for (const f of c.new) items.push(html`<li>new ${severityBadge(f.severity)} <code>${f.code}</code> at ${f.name}: ${f.message}</li>`);
      for (const f of c.resolved) items.push(html`<li>resolved ${severityBadge(f.severity)} <code>${f.code}</code> at ${f.name}</li>`);
      for (const r of c.records) items.push(html`<li>record ${r.name} ${r.type} changed: ${recordState(r.before)} → ${recordState(r.after)}</li>`);
      return html`<h3>${runLabel(history.runs[c.run]!.time)}</h3>\n<ul>\n${join(items)}\n</ul>`;
    }),
  ]);
}

function dmarcSection(id: string, s: DmarcDomainSeries): Html {
  const ticks = s.days.map((d) => d.day.slice(5));
  const totals = new Map<string, number>();
  for (const d of s.days) for (const [ip, n] of d.bySource) totals.set(ip, (totals.get(ip) ?? 0) + n);
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_SOURCES).map(([ip]) => ip);
  const series = top.map((ip) => ({ name: ip, values: s.days.map((d) => d.bySource.get(ip) ?? 0) }));
  if (totals.size > top.length) series.push({ name: 'other sources', values: s.days.map((d) => [...d.bySource].filter(([ip]) => !top.includes(ip)).reduce((n, [, v]) => n + v, 0)) });
  const messages = s.days.reduce((n, d) => n + d.messages, 0);
  const aligned = s.days.reduce((n, d) => n + d.aligned, 0);
  const parts: Html[] = [
    html`<h2 id="dmarc">DMARC reports</h2><p>${messages} messages from ${totals.size} sources over ${s.days.length} days with reports; ${messages > 0 ? Math.round((1000 * aligned) / messages) / 10 : 0}% passed DMARC (aligned). Reports from ${s.receivers.length > 0 ? s.receivers.join(', ') : 'receivers that gave no name'}.</p>`,
    renderChartFigure(
      'bar',
      { id: `${id}-sources`, title: 'DMARC messages per day by source', desc: `Messages per day from the ${top.length} largest sources${totals.size > top.length ? ' and all others together' : ''}.`, categories: ticks, series },
      'Messages per day by sending address; each source has its own fill pattern, named in the legend.',
      'day',
    ),
    renderChartFigure(
      'line',
      { id: `${id}-aligned`, title: 'Share of messages aligned per day', desc: 'The percentage of each day\'s messages that passed DMARC under the published record.', categories: ticks, series: [{ name: 'aligned share', values: s.days.map((d) => (d.messages > 0 ? Math.round((1000 * d.aligned) / d.messages) / 10 : null)) }], yMax: 100, unit: '%' },
      'Aligned share (DMARC pass) per day.',
      'day',
    ),
  ];
  if (!s.next) parts.push(html`<h3>Next policy step</h3><p>The published record is already p=reject without t=y: there is no next step.</p>`);
  else {
    const n = s.next;
    const sim = n.simulation;
    parts.push(html`<h3>Next policy step</h3>
<p>Published: <code>${n.published}</code><br>Next step: <code>${n.proposed}</code></p>
<p>Replayed over these reports (as <code>mailrec dmarc simulate</code> does): of ${sim.proposed.messages} messages, ${sim.proposed.fail} fail DMARC; ${sim.proposed.quarantined} would be quarantined and ${sim.proposed.rejected} rejected (now ${sim.published.quarantined} and ${sim.published.rejected}); ${sim.proposed.overridden} fail in rows receivers overrode.</p>`);
    if (n.losing.length > 0)
      parts.push(
        renderTable(
          [{ label: 'source' }, { label: 'messages', numeric: true }, { label: 'would lose', numeric: true }, { label: 'lost unless overridden', numeric: true }],
          n.losing.map((l) => [cell(l.ip), cell(l.messages), cell(l.lost), cell(l.mayLose)]),
          { caption: 'Sources that would lose mail under the next step' },
        ),
      );
    else parts.push(html`<p>No source would lose mail under the next step.</p>`);
  }
  return join(parts);
}

function tlsSection(id: string, s: TlsDomainSeries): Html {
  const ticks = s.days.map((d) => d.day.slice(5));
  const byMx = new Map<string, number>();
  for (const d of s.days) for (const [mx, n] of d.failedByMx) byMx.set(mx, (byMx.get(mx) ?? 0) + n);
  const mxs = [...byMx.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_MX).map(([mx]) => mx);
  const parts: Html[] = [
    html`<h2 id="tls">TLS reports (RFC 8460)</h2>`,
    renderChartFigure(
      'bar',
      { id: `${id}-tls`, title: 'TLS sessions per day, successful and failed', desc: 'Sessions senders reported per day for this policy domain.', categories: ticks, series: [{ name: 'successful', values: s.days.map((d) => d.successful) }, { name: 'failed', values: s.days.map((d) => d.failed) }] },
      'TLS sessions per day: successful (solid) and failed (hatched).',
      'day',
    ),
  ];
  if (mxs.length > 0)
    parts.push(
      renderChartFigure(
        'line',
        { id: `${id}-mx`, title: 'Failed TLS sessions per day by receiving MX', desc: `Failed sessions per day at the ${mxs.length} MX hosts with the most failures (RFC 8460 reports name the MX for failures only).`, categories: ticks, series: mxs.map((mx) => ({ name: mx, values: s.days.map((d) => d.failedByMx.get(mx) ?? 0) })) },
        'Failed sessions per day for each receiving MX; each MX has its own line style and marker, named in the legend.',
        'day',
      ),
    );
  else parts.push(html`<p>No failure named a receiving MX.</p>`);
  return join(parts);
}

export interface DomainPageInput {
  domain: DomainJson;
  history: SiteHistory;
  dmarc?: DmarcDomainSeries;
  tls?: TlsDomainSeries;
}

export function renderDomainPage(input: DomainPageInput): string {
  const d = input.domain;
  const h = input.history;
  const trend = h.trendOf(d.domain);
  const id = 'c';
  const body = join([
    html`<p><a href="../index.html">Estate</a> › ${d.domain}</p>`,
    html`<h1>${d.domain}</h1>`,
    html`<ul class="cards">
<li><strong>${d.score ?? 'none'}</strong>score</li>
<li><strong>${d.coverage.points} of ${d.coverage.of}</strong>points of weight known</li>
<li><strong>${d.worstCase ?? 'none'}</strong>score with unknowns counted as failed</li>
<li><strong>${d.findings.length}</strong>findings</li>
</ul>`,
    html`<nav aria-label="On this page"><p><a href="#trend">Trend</a> · <a href="#findings">Findings</a> · <a href="#path">Path to 100</a> · <a href="#records">Records</a> · <a href="#changes">Changes</a>${input.dmarc ? raw(' · <a href="#dmarc">DMARC</a>') : ''}${input.tls ? raw(' · <a href="#tls">TLS</a>') : ''}</p></nav>`,
    html`<h2 id="trend">Score over ${h.runs.length} runs</h2>`,
    renderChartFigure(
      'line',
      { id: `${id}-trend`, title: `Score of ${d.domain} per run`, desc: `The score at each of ${h.runs.length} runs, from ${runLabel(h.runs[0]!.time)} to ${runLabel(h.runs.at(-1)!.time)}; a gap where the domain was not scored or not audited.`, categories: h.ticks, series: [{ name: 'score', values: trend }], yMax: 100 },
      'Score per run (0–100).',
      'run',
    ),
    categoriesSection(d),
    d.notes.length > 0 ? html`<ul>${d.notes.map((n) => html`<li>${n}</li>`)}</ul>` : raw(''),
    findingsSection(d),
    pathSection(d),
    recordsSection(d),
    changesSection(d.domain, h),
    input.dmarc ? dmarcSection(id, input.dmarc) : raw(''),
    input.tls ? tlsSection(id, input.tls) : raw(''),
  ]);
  return renderPage({ title: `${d.domain}: mailrec`, home: '../index.html', generated: runLabel(h.runs.at(-1)!.time), body });
}
