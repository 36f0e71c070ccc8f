// The audit as Markdown for a merge-request comment: one table of domains and scores, the
// verdict, then each domain's findings and path to 100 in a collapsed section.

import type { Finding, Severity } from '../base/finding.js';
import type { DomainReport } from '../audit/run.js';
import { formatPoints, summarizeAudit, type AuditRun } from '../audit/summary.js';
import { categoryCell, scoreText, sourceLines, summaryText, unknownChecksText } from './audit-text.js';
import type { ComparedFinding, RecordState, RunComparison } from '../audit/history/compare.js';
import { comparisonHeadline, recordStateLines, scoreChangeText } from './audit-compare.js';

/** Table cells must not break the table: escape pipes and backslashes, keep one line. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

const ICON: Record<Severity, string> = { error: '🔴 error', warning: '🟠 warning', info: 'ℹ️ info' };

function count(report: DomainReport, severity: Severity): number {
  return report.findings.filter((f) => f.severity === severity).length;
}

function findingRow(f: Finding): string {
  const change = [...(f.evidence.before ?? []).map((v) => `− ${v}`), ...(f.evidence.after ?? []).map((v) => `+ ${v}`)];
  const detail = change.length > 0 ? `${cell(f.message)}<br>${change.map((c) => code(cell(c))).join('<br>')}` : cell(f.message);
  return `| ${ICON[f.severity]} | ${code(f.code)} | ${code(cell(f.name))} | ${detail} | ${cell(f.fix)} (${cell(f.rfc)}) |`;
}

function domainSection(report: DomainReport): string[] {
  const out = [`<details><summary><b>${cell(report.domain)}</b>: ${scoreText(report.score)}</summary>`, ''];
  out.push(report.score.categories.map(categoryCell).join(' · '), '');
  if (report.findings.length > 0) {
    out.push('| severity | code | name | finding | fix |', '|---|---|---|---|---|');
    for (const f of report.findings) out.push(findingRow(f));
    out.push('');
  } else {
    out.push('No findings.', '');
  }
  for (const c of report.score.categories) {
    if (c.status === 'unknown') out.push(`- **${c.category} unknown**: ${cell(c.reason ?? 'some lookups failed')}`);
    else if (c.status === 'not-applicable') out.push(`- ${c.category} not scored: ${cell(c.reason ?? 'does not apply')}`);
  }
  const unchecked = unknownChecksText(report.score);
  if (unchecked) out.push(`- ${cell(unchecked)}`);
  if (report.score.pathTo100.length > 0) {
    out.push('', '**Path to 100**', '');
    let at = report.score.score ?? 0;
    for (const s of report.score.pathTo100) {
      at += s.gain;
      out.push(`1. ${code(s.code)} **+${s.gain}** (to ${at}): ${cell(s.fix)}`);
    }
  }
  const notes = report.notes.filter((n) => !/ is not scored: /.test(n));
  if (notes.length > 0) out.push('', ...notes.map((n) => `- note: ${cell(n)}`));
  out.push('', '</details>', '');
  return out;
}

/** The section for a merge-request comment: the headline, then tables of findings, scores and records. */
export function renderComparisonMarkdown(c: RunComparison): string[] {
  const headline = comparisonHeadline(c);
  const out = [`#### ${cell(headline.slice(0, 1).toUpperCase() + headline.slice(1, headline.indexOf(':')))}`, '', `${cell(headline.slice(headline.indexOf(':') + 2))}.`, ''];
  const findings: [string, ComparedFinding][] = [...c.new.map((f) => ['new', f] as [string, ComparedFinding]), ...c.resolved.map((f) => ['resolved', f] as [string, ComparedFinding]), ...c.unknown.map((f) => ['not checked', f] as [string, ComparedFinding])];
  if (findings.length > 0) {
    out.push('| change | severity | code | domain | name | finding |', '|---|---|---|---|---|---|');
    for (const [kind, f] of findings) out.push(`| ${kind}${f.previouslyUnknown ? ' (not checked before)' : ''} | ${f.severity} | ${code(f.code)} | ${cell(f.domain)} | ${code(cell(f.name))} | ${cell(f.message)} |`);
    out.push('');
  }
  if (c.scores.length > 0) {
    out.push('| domain | score |', '|---|---|');
    for (const s of c.scores) out.push(`| ${cell(s.domain)} | ${cell(scoreChangeText(s))} |`);
    out.push('');
  }
  if (c.records.length > 0) {
    out.push('| domain | record | before | after |', '|---|---|---|---|');
    for (const r of c.records) {
      const side = (s: RecordState): string => recordStateLines(s, r.type).map((v) => code(cell(v))).join('<br>');
      out.push(`| ${cell(r.domain)} | ${code(cell(`${r.name} ${r.type}`))} | ${side(r.before)} | ${side(r.after)} |`);
    }
    out.push('');
  }
  if (c.domainsAdded.length > 0) out.push(`Added: ${c.domainsAdded.map(cell).join(', ')}.`, '');
  if (c.domainsRemoved.length > 0) out.push(`Removed: ${c.domainsRemoved.map(cell).join(', ')}.`, '');
  return out;
}

export function renderAuditMarkdown(run: AuditRun): string {
  const summary = summarizeAudit(run);
  const out: string[] = ['### mailrec audit', '', `${summaryText(summary)} Source: ${cell(run.source.description)}.`, ''];
  const files = sourceLines(run);
  if (files.length > 0) out.push('<details><summary>Zone files</summary>', '', ...files.map((l) => `- ${cell(l.trim())}`), '', '</details>', '');
  for (const note of run.notes ?? []) out.push(`> **Note:** ${cell(note)}`, '');
  if (summary.failUnder !== null || summary.failOn !== null || (summary.failOnNew ?? null) !== null) {
    if (summary.passed) out.push('**Passed.**', '');
    else out.push('**Failed:**', '', ...summary.failures.map((f) => `- ${cell(f)}`), '');
  }
  out.push('| domain | score | on points | errors | warnings | not scored |', '|---|---:|---:|---:|---:|---|');
  for (const r of run.reports) {
    const left = r.score.categories.filter((c) => c.status !== 'scored').map((c) => `${c.category} (${c.status === 'unknown' ? 'unknown' : 'n/a'})`);
    const on = `${formatPoints(r.score.coverage.points)} of ${r.score.coverage.of}`;
    out.push(`| ${cell(r.domain)} | ${r.score.score ?? '—'} | ${on} | ${count(r, 'error')} | ${count(r, 'warning')} | ${left.join(', ') || '—'} |`);
  }
  out.push('');
  if (run.comparison) out.push(...renderComparisonMarkdown(run.comparison));
  for (const r of run.reports) out.push(...domainSection(r));
  return `${out.join('\n')}\n`;
}
