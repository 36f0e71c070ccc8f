// The site's front page: the estate at the newest run (score distribution, trend, worst
// domains), what changed since the previous run, the path to 100 summed over the estate, the
// DMARC and TLS-RPT totals when there are reports, and every domain with a link to its page.

import type { RunComparison } from '../../audit/history/compare.js';
import type { DomainJson } from '../../audit/summary.js';
import type { ReportSeries } from '../../dmarc-reports/daily-series.js';
import { domainPageName } from './file-names.js';
import { cell, html, join, raw, renderChartFigure, renderPage, renderTable, scoreDelta, severityBadge, text, type Html } from './page.js';
import { estatePathTo100, runLabel, scoreBands, worstDomains, type SiteHistory } from './site-model.js';

/** Rows shown of a long list; the rest is counted. */
const LIST_LIMIT = 50;
const WORST = 20;

function domainLink(domain: string, known: ReadonlySet<string>): Html {
  return known.has(domain) ? html`<a href="${domainPageName(domain)}">${domain}</a>` : html`${domain}`;
}

function more(total: number, shown: number, what: string): Html {
  return total > shown ? html`<p class="muted">${total - shown} more ${what} not listed here; each domain's page lists its own.</p>` : raw('');
}

function changesSection(c: RunComparison | undefined, history: SiteHistory, known: ReadonlySet<string>): Html {
  if (!c) return html`<h2 id="changes">Since the previous run</h2><p>Only one run in the history: nothing to compare yet.</p>`;
  const previous = runLabel(history.runs.at(-2)!.time);
  const findingRows = (list: RunComparison['new']) =>
    list.slice(0, LIST_LIMIT).map((f) => [cell(domainLink(f.domain, known), f.domain), cell(severityBadge(f.severity), f.severity), cell(html`<code>${f.code}</code>`, f.code), cell(f.name), cell(f.message)]);
  const findingColumns = [{ label: 'domain' }, { label: 'severity' }, { label: 'code' }, { label: 'name' }, { label: 'what' }];
  const scores = [...c.scores].filter((s) => s.change !== 0).sort((a, b) => (a.change ?? 0) - (b.change ?? 0));
  const parts: Html[] = [
    html`<h2 id="changes">Since the previous run (${previous})</h2>`,
    html`<ul class="cards">
<li><strong>${c.new.length}</strong>new findings (${c.counts.new.error} errors, ${c.counts.new.warning} warnings)</li>
<li><strong>${c.resolved.length}</strong>resolved (${c.counts.resolved.error} errors, ${c.counts.resolved.warning} warnings)</li>
<li><strong>${c.counts.open}</strong>still open</li>
<li><strong>${c.records.length}</strong>records changed in DNS</li>
<li><strong>${c.unknown.length}</strong>not checked this time (lookup failed)</li>
</ul>`,
  ];
  if (c.domainsAdded.length > 0) parts.push(html`<p>Domains added: ${join(c.domainsAdded.map((d) => domainLink(d, known)), ', ')}.</p>`);
  if (c.domainsRemoved.length > 0) parts.push(html`<p>Domains no longer audited: ${c.domainsRemoved.join(', ')}.</p>`);
  parts.push(html`<h3>New findings</h3>`);
  parts.push(c.new.length === 0 ? html`<p>None.</p>` : join([renderTable(findingColumns, findingRows(c.new), { sortable: true }), more(c.new.length, LIST_LIMIT, 'new findings')]));
  parts.push(html`<h3>Resolved findings</h3>`);
  parts.push(c.resolved.length === 0 ? html`<p>None.</p>` : join([renderTable(findingColumns, findingRows(c.resolved), { sortable: true }), more(c.resolved.length, LIST_LIMIT, 'resolved findings')]));
  parts.push(html`<h3>Score changes</h3>`);
  parts.push(
    scores.length === 0
      ? html`<p>No score changed.</p>`
      : join([
          renderTable(
            [{ label: 'domain' }, { label: 'before', numeric: true }, { label: 'now', numeric: true }, { label: 'change', numeric: true }],
            scores.slice(0, LIST_LIMIT).map((s) => [cell(domainLink(s.domain, known), s.domain), cell(s.before.score ?? 'none', s.before.score ?? -1), cell(s.after.score ?? 'none', s.after.score ?? -1), cell(scoreDelta(s.before.score, s.after.score), s.change ?? 0)]),
            { sortable: true },
          ),
          more(scores.length, LIST_LIMIT, 'score changes'),
        ]),
  );
  parts.push(html`<h3>Records changed in DNS</h3>`);
  parts.push(
    c.records.length === 0
      ? html`<p>None.</p>`
      : join([
          renderTable(
            [{ label: 'domain' }, { label: 'name' }, { label: 'type' }, { label: 'before' }, { label: 'now' }],
            c.records.slice(0, LIST_LIMIT).map((r) => [cell(domainLink(r.domain, known), r.domain), cell(r.name), cell(r.type), cell(recordState(r.before)), cell(recordState(r.after))]),
          ),
          more(c.records.length, LIST_LIMIT, 'record changes'),
        ]),
  );
  return join(parts);
}

export function recordState(s: { status: string; data?: string[] }): Html {
  if (s.status !== 'ok') return html`<em>${s.status === 'nxdomain' ? 'no such name' : s.status === 'nodata' ? 'no record of this type' : s.status}</em>`;
  return join((s.data ?? []).map((d) => html`<span class="record">${d}</span>`), '<br>');
}

function reportsSection(series: ReportSeries): Html {
  const days = series.days;
  const messages = days.map(() => 0);
  const aligned = days.map(() => 0);
  const index = new Map(days.map((d, i) => [d, i]));
  for (const s of series.dmarc.values())
    for (const d of s.days) {
      const i = index.get(d.day)!;
      messages[i]! += d.messages;
      aligned[i]! += d.aligned;
    }
  const ok = days.map(() => 0);
  const failed = days.map(() => 0);
  for (const s of series.tls.values())
    for (const d of s.days) {
      const i = index.get(d.day)!;
      ok[i]! += d.successful;
      failed[i]! += d.failed;
    }
  const ticks = days.map((d) => d.slice(5));
  const parts: Html[] = [html`<h2 id="reports">Reports received</h2><p>${series.dmarcReports} DMARC aggregate reports and ${series.tlsReports} TLS reports from the archive, ${days[0] ?? ''} to ${days.at(-1) ?? ''}. Each domain's page shows its sources, its aligned share, the next policy step and TLS failures per MX.</p>`];
  if (series.dmarcReports > 0)
    parts.push(
      renderChartFigure(
        'bar',
        { id: 'estate-dmarc', title: 'DMARC messages per day, aligned and not aligned', desc: `Messages reported per day over ${days.length} days, split into those that passed DMARC (aligned) and those that did not.`, categories: ticks, series: [{ name: 'aligned (DMARC pass)', values: aligned }, { name: 'not aligned (DMARC fail)', values: messages.map((m, i) => m - aligned[i]!) }] },
        'DMARC messages per day over all domains: aligned (solid) and not aligned (hatched).',
        'day',
      ),
    );
  if (series.tlsReports > 0)
    parts.push(
      renderChartFigure(
        'bar',
        { id: 'estate-tls', title: 'TLS sessions per day, successful and failed', desc: `TLS sessions reported by senders per day over ${days.length} days.`, categories: ticks, series: [{ name: 'successful', values: ok }, { name: 'failed', values: failed }] },
        'SMTP TLS sessions per day over all domains (RFC 8460 reports): successful (solid) and failed (hatched).',
        'day',
      ),
    );
  if (series.errors.length > 0) parts.push(html`<p>${series.errors.length} report files could not be read (the numbers leave them out).</p>`);
  return join(parts);
}

export function renderEstatePage(history: SiteHistory, series: ReportSeries | undefined): string {
  const domains = history.current;
  const known = new Set(domains.map((d) => d.domain));
  const newest = history.runs.at(-1)!;
  const point = history.estate.at(-1)!;
  const bands = scoreBands(domains);
  const worst = worstDomains(domains, WORST);
  const fixes = estatePathTo100(domains);
  const ticks = history.ticks;
  const top = fixes[0];
  const errorsOf = (d: DomainJson) => d.findings.filter((f) => f.severity === 'error').length;
  const warningsOf = (d: DomainJson) => d.findings.filter((f) => f.severity === 'warning').length;
  const previous = history.previousScores();

  const body = join([
    html`<h1>Mail authentication across ${domains.length} domains</h1>`,
    html`<p>${history.runs.length} audit runs from ${runLabel(history.runs[0]!.time)} to ${runLabel(newest.time)}. Scores are 0–100 per domain (SPF, DMARC, DKIM, MX, transport security); an unknown never raises a score.</p>`,
    html`<ul class="cards">
<li><strong>${domains.length}</strong>domains</li>
<li><strong>${point.mean ?? 'none'}</strong>mean score</li>
<li><strong>${point.lowest ?? 'none'}</strong>lowest score</li>
<li><strong>${point.errors}</strong>errors</li>
<li><strong>${point.warnings}</strong>warnings</li>
</ul>`,
    html`<nav aria-label="On this page"><p><a href="#distribution">Score distribution</a> · <a href="#worst">Worst domains</a> · <a href="#changes">Since the previous run</a> · <a href="#path">Path to 100</a>${series ? raw(' · <a href="#reports">Reports</a>') : ''} · <a href="#all">All domains</a></p></nav>`,
    html`<h2 id="distribution">Score distribution</h2>`,
    renderChartFigure(
      'bar',
      { id: 'dist', title: 'Domains by score', desc: `How many of the ${domains.length} domains score in each band of ten points at the newest run${bands.unscored > 0 ? `; ${bands.unscored} have no score` : ''}.`, categories: bands.labels, series: [{ name: 'domains', values: bands.counts }] },
      `Domains per score band at the newest run${bands.unscored > 0 ? `; ${bands.unscored} not scored (every category unknown or not applicable)` : ''}.`,
      'score',
    ),
    history.runs.length > 1
      ? renderChartFigure(
          'line',
          { id: 'trend', title: 'Mean and lowest score per run', desc: `The estate's mean and lowest score over ${history.runs.length} runs.`, categories: ticks, series: [{ name: 'mean score', values: history.estate.map((e) => e.mean) }, { name: 'lowest score', values: history.estate.map((e) => e.lowest) }], yMax: 100 },
          'Mean score (solid line, circles) and lowest score (dashed line, squares) of each run.',
          'run',
        )
      : raw(''),
    html`<h2 id="worst">Worst domains</h2>`,
    renderTable(
      [{ label: 'domain' }, { label: 'score', numeric: true }, { label: 'coverage', numeric: true }, { label: 'errors', numeric: true }, { label: 'warnings', numeric: true }, { label: 'first fix' }],
      worst.map((d) => [
        cell(domainLink(d.domain, known), d.domain),
        cell(d.score ?? 'none', d.score ?? -1),
        cell(`${d.coverage.points} of ${d.coverage.of}`, d.coverage.of > 0 ? d.coverage.points / d.coverage.of : 0),
        cell(errorsOf(d)),
        cell(warningsOf(d)),
        cell(d.pathTo100[0] ? html`<code>${d.pathTo100[0].code}</code> (+${d.pathTo100[0].gain})` : raw('—')),
      ]),
      { sortable: true },
    ),
    changesSection(history.sincePrevious(), history, known),
    html`<h2 id="path">Path to 100 over the estate</h2>`,
    top
      ? html`<p>The single fix that lifts the most domains: <strong>${top.title}</strong> (<code>${top.code}</code>), on ${top.domains} domains, ${top.points} points in all. ${top.fix}</p>`
      : html`<p>Every domain scores 100: nothing to fix.</p>`,
    fixes.length > 0
      ? renderTable(
          [{ label: 'fix' }, { label: 'code' }, { label: 'domains', numeric: true }, { label: 'points in all', numeric: true }, { label: 'how' }],
          fixes.map((f) => [cell(f.title), cell(html`<code>${f.code}</code>`, f.code), cell(f.domains), cell(f.points), cell(f.fix)]),
          { sortable: true },
        )
      : raw(''),
    html`<p class="muted">Each domain's path orders its fixes by gain; the points of a fix are what it gains in that order.</p>`,
    series ? reportsSection(series) : raw(''),
    html`<h2 id="all">All domains</h2>`,
    html`<p hidden><label>Filter: <input type="search" data-filter="all-domains"></label></p>`,
    renderTable(
      [{ label: 'domain' }, { label: 'score', numeric: true }, { label: 'change', numeric: true }, { label: 'errors', numeric: true }, { label: 'warnings', numeric: true }],
      [...domains]
        .sort((a, b) => (a.domain < b.domain ? -1 : 1))
        .map((d) => {
          const trend = previous?.get(d.domain);
          return [cell(domainLink(d.domain, known), d.domain), cell(d.score ?? 'none', d.score ?? -1), cell(previous === undefined ? '—' : trend === undefined ? 'new' : scoreDelta(trend, d.score), trend === undefined || trend === null || d.score === null ? 0 : d.score - trend), cell(errorsOf(d)), cell(warningsOf(d))];
        }),
      { sortable: true, id: 'all-domains' },
    ),
  ]);
  return renderPage({ title: `mailrec: ${domains.length} domains`, home: 'index.html', generated: runLabel(newest.time), body });
}
