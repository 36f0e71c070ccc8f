// The audit for a terminal: per domain the score, each finding with its fix, what was not
// scored and why, the path to 100; then one summary line with the verdict.

import type { Finding, Severity } from '../base/finding.js';
import type { DomainReport } from '../audit/run.js';
import type { CategoryScore, ScoreCard } from '../audit/score.js';
import { formatPoints, summarizeAudit, type AuditRun, type AuditSummary } from '../audit/summary.js';
import { plain, type Style, type Tone } from './style.js';
import { renderComparisonText } from './audit-compare.js';

const TONE: Record<Severity, Tone> = { error: 'error', warning: 'warn', info: 'faint' };

/** "spf 80%", "mx 60-100%" (between its worst case and its score: unknown checks), "dkim unknown", "dkim n/a". */
export function categoryCell(c: CategoryScore): string {
  if (c.status === 'scored') return c.floor !== undefined && c.floor < c.percent! ? `${c.category} ${c.floor}-${c.percent}%` : `${c.category} ${c.percent}%`;
  return `${c.category} ${c.status === 'unknown' ? 'unknown' : 'n/a'}`;
}

/** "score 87/100 on 97.5 of 100 points": a score never goes without the weight it rests on. */
export function scoreText(card: ScoreCard): string {
  const on = `on ${formatPoints(card.coverage.points)} of ${card.coverage.of} points`;
  return card.score === null ? `no score ${on}` : `score ${card.score}/100 ${on}`;
}

/**
 * The weight left uncovered by unknown checks, per category ("mx 4 points"), and the worst
 * case, for the line under a domain's findings; undefined when no check is unknown.
 */
export function unknownChecksText(card: ScoreCard): string | undefined {
  const parts = card.categories
    .filter((c) => c.status === 'scored' && c.floor !== undefined && c.floor < c.percent!)
    .map((c) => `${c.category} ${formatPoints((c.weight * (c.percent! - c.floor!)) / 100)} points`);
  if (parts.length === 0) return undefined;
  return `unknown checks (see check-unknown): ${parts.join(', ')}; with every unknown counted as failed the score is ${card.worstCase ?? 0}`;
}

function findingLines(f: Finding, width: number, style: Style): string[] {
  const head = `  ${f.severity.padEnd(7)}  ${f.code.padEnd(width)}  ${f.name}`;
  const lines = [style(TONE[f.severity], head), `      ${f.message}`];
  const before = new Set(f.evidence.before ?? []);
  const after = new Set(f.evidence.after ?? []);
  for (const v of before) if (!after.has(v)) lines.push(style('remove', `      - ${v}`));
  for (const v of after) if (!before.has(v)) lines.push(style('add', `      + ${v}`));
  if (f.severity !== 'info') lines.push(style('faint', `      fix: ${f.fix} (${f.rfc})`));
  return lines;
}

export function renderDomainText(report: DomainReport, style: Style = plain): string[] {
  const { score } = report;
  const lines: string[] = [];
  lines.push(style('strong', `${report.domain}  ${scoreText(score)}`));
  lines.push(`  ${score.categories.map(categoryCell).join('  ')}`);
  const width = Math.max(0, ...report.findings.map((f) => f.code.length));
  for (const f of report.findings) lines.push(...findingLines(f, width, style));
  if (report.findings.length === 0) lines.push(style('faint', '  no findings'));
  for (const c of score.categories) {
    if (c.status === 'unknown') lines.push(style('warn', `  unknown: ${c.category} is not scored: ${c.reason ?? 'some lookups failed'}`));
    else if (c.status === 'not-applicable') lines.push(style('faint', `  not scored: ${c.category}: ${c.reason ?? 'does not apply'}`));
  }
  const unchecked = unknownChecksText(score);
  if (unchecked) lines.push(style('warn', `  ${unchecked}`));
  if (score.pathTo100.length > 0) {
    let at = score.score ?? 0;
    const steps = score.pathTo100.map((s) => {
      at += s.gain;
      return `${s.code} +${s.gain} (to ${at})`;
    });
    lines.push(`  path to 100: ${steps.join(', ')}`);
  }
  if (report.spf) lines.push(style('faint', `  SPF: ${report.spf.lookups} of 10 DNS-querying terms, ${report.spf.voids} of 2 void lookups (RFC 7208 §4.6.4)`));
  // The unknown categories are stated above; the remaining notes say what else was not done.
  for (const note of report.notes) if (!/ is not scored: /.test(note)) lines.push(style('faint', `  note: ${note}`));
  return lines;
}

export function summaryText(summary: AuditSummary): string {
  const n = summary.domains;
  const f = summary.findings;
  const lowest = summary.lowestScore === null ? 'no score' : `lowest score ${summary.lowestScore}`;
  const counts = `${f.error} error${f.error === 1 ? '' : 's'}, ${f.warning} warning${f.warning === 1 ? '' : 's'}, ${f.info} info`;
  const unknown = summary.unknown.length > 0 ? `; ${summary.unknown.length} with unknown categories` : '';
  const partly = summary.uncovered.length - summary.unknown.length;
  const checks = partly > 0 ? `; ${partly} with unknown checks` : '';
  return `${n} domain${n === 1 ? '' : 's'}, ${lowest}: ${counts}${unknown}${checks}.`;
}

/** Skipped files listed without -v; the rest are counted. */
export const SKIPPED_SHOWN = 5;

/** With --zones: one line per zone with its files, one per skipped file (the first few, or all with -v). */
export function sourceLines(run: AuditRun): string[] {
  const lines = (run.source.zones ?? []).map((z) => `  zone ${z.apex}: ${z.files.join(', ')}`);
  const skipped = run.source.skipped ?? [];
  const shown = run.verbose ? skipped : skipped.slice(0, SKIPPED_SHOWN);
  for (const s of shown) lines.push(`  skipped ${s.file}: ${s.reason}`);
  if (shown.length < skipped.length) lines.push(`  skipped ${skipped.length - shown.length} more file(s) (-v lists them)`);
  return lines;
}

export function renderAuditText(run: AuditRun, style: Style = plain): string {
  const summary = summarizeAudit(run);
  const lines: string[] = [style('faint', `mailrec audit: ${run.source.description}`)];
  lines.push(...sourceLines(run).map((l) => style('faint', l)));
  for (const note of run.notes ?? []) lines.push(style('warn', `note: ${note}`));
  lines.push('');
  for (const report of run.reports) lines.push(...renderDomainText(report, style), '');
  if (run.comparison) lines.push(...renderComparisonText(run.comparison, style), '');
  lines.push(style('strong', summaryText(summary)));
  if (summary.failUnder !== null || summary.failOn !== null || (summary.failOnNew ?? null) !== null) {
    if (summary.passed) lines.push(style('add', 'passed'));
    else for (const failure of summary.failures) lines.push(style('error', `failed: ${failure}`));
  }
  return `${lines.join('\n')}\n`;
}
