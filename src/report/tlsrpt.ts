// Renders `mailrec tlsrpt summary`: per policy domain and type, sessions and failures by
// result type and receiving MX (RFC 8460 §4.3), and what the window's reports cover.

import { formatCount, formatShare } from '../dmarc-reports/impact.js';
import type { ReadError } from '../dmarc-reports/report.js';
import type { TlsPolicySummary, TlsSummary } from '../dmarc-reports/tls-summary.js';
import type { Coverage } from '../dmarc-reports/window.js';
import { coverageLines } from './coverage.js';

export interface TlsSummaryView {
  /** "the last 30 days", or the files read. */
  input: string;
  summary: TlsSummary;
  coverage?: Coverage;
  errors: ReadError[];
}

const TYPE_LABEL: Record<TlsPolicySummary['type'], string> = { sts: 'MTA-STS', tlsa: 'DANE (TLSA)', 'no-policy-found': 'no policy found' };

function head(p: TlsPolicySummary): string {
  const total = p.successful + p.failed;
  const mode = p.modes.length > 0 ? ` (mode ${p.modes.join(', ')})` : '';
  return `${p.domain}, ${TYPE_LABEL[p.type]}${mode}: ${formatCount(total)} sessions, ${formatCount(p.failed)} failed (${formatShare(p.failed, total)})`;
}

function results(r: Record<string, number>): string {
  return Object.entries(r)
    .map(([k, n]) => `${k} ${formatCount(n)}`)
    .join(', ');
}

function intro(v: TlsSummaryView): string {
  const s = v.summary;
  return `TLS-RPT summary, ${v.input}: ${formatCount(s.reports)} report${s.reports === 1 ? '' : 's'} from ${formatCount(s.receivers.length)} receiver${s.receivers.length === 1 ? '' : 's'}`;
}

export function renderTlsText(v: TlsSummaryView): string {
  const lines = [intro(v)];
  for (const p of v.summary.policies) {
    lines.push('', head(p));
    if (Object.keys(p.byResult).length > 0) lines.push(`  by result: ${results(p.byResult)}`);
    for (const mx of p.byMx) lines.push(`  ${mx.mx}: ${formatCount(mx.failed)} failed (${results(mx.byResult)})`);
    if (p.unattributed > 0) lines.push(`  ${formatCount(p.unattributed)} failed sessions without details`);
    lines.push(`  receivers: ${p.receivers.join(', ')}`);
  }
  if (v.summary.policies.length === 0) lines.push('', 'No TLS reports in this window.');
  if (v.coverage) lines.push('', 'Coverage:', ...coverageLines(v.coverage).map((l) => `  ${l}`));
  if (v.errors.length > 0) lines.push('', `Skipped (${v.errors.length} could not be read):`, ...v.errors.map((e) => `  ${e.file}: ${e.message}`));
  return `${lines.join('\n')}\n`;
}

export function renderTlsMarkdown(v: TlsSummaryView): string {
  const lines = ['### TLS-RPT summary', '', `${intro(v)}.`, ''];
  if (v.summary.policies.length > 0) {
    lines.push('| policy domain | policy | sessions | failed | share | failures by result | failures by MX |', '|---|---|---:|---:|---:|---|---|');
    for (const p of v.summary.policies) {
      const mx = p.byMx.map((m) => `${m.mx} ${formatCount(m.failed)}`).join(', ');
      const total = p.successful + p.failed;
      lines.push(`| ${p.domain} | ${TYPE_LABEL[p.type]}${p.modes.length > 0 ? ` (${p.modes.join(', ')})` : ''} | ${formatCount(total)} | ${formatCount(p.failed)} | ${formatShare(p.failed, total)} | ${results(p.byResult) || '–'} | ${mx || '–'} |`);
    }
  } else lines.push('No TLS reports in this window.');
  if (v.coverage) lines.push('', '**Coverage**', '', ...coverageLines(v.coverage).map((l) => `- ${l}`));
  if (v.errors.length > 0) lines.push('', `**Skipped** (${v.errors.length} could not be read)`, '', ...v.errors.map((e) => `- \`${e.file}\`: ${e.message}`));
  return `${lines.join('\n')}\n`;
}

export function renderTlsJson(v: TlsSummaryView): string {
  return `${JSON.stringify({ version: 1, ...v }, null, 2)}\n`;
}
