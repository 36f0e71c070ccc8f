// Renders a DMARC simulation for a terminal: totals under the published and
// the proposed record, sources ranked by the mail they would lose, the fixes.

import type { DmarcAnalysis } from '../dmarc-reports/analyze.js';
import {
  describeDisagreement,
  describeDkim,
  describeInput,
  describeLoss,
  describeName,
  describeSpf,
  formatCount,
  formatShare,
  outcomeLines,
  plural,
} from './dmarc-common.js';
import { coverageLines } from './coverage.js';
import { plain, type Style } from './style.js';

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function renderDmarcText(a: DmarcAnalysis, style: Style = plain): string {
  const lines: string[] = [];
  const sim = a.simulation;
  lines.push(style('strong', `DMARC simulation: ${describeInput(a)}`));
  lines.push('');
  lines.push(a.proposedFrom === 'record' ? 'Proposed (--record):' : 'Proposed (from the policy):');
  for (const p of a.proposed) lines.push(`  _dmarc.${p.domain}  ${p.text}`);
  const published = [...new Set(sim.domains.flatMap((d) => d.published))];
  if (published.length > 0) {
    lines.push('Published (as the reports show it):');
    for (const p of published) lines.push(`  ${p.replace(': ', '  ')}`);
  }
  lines.push('');

  const total = sim.proposed.messages;
  const table = outcomeLines(sim.published, sim.proposed);
  const labelWidth = Math.max(...table.map((l) => l.label.length), 'messages'.length);
  const cell = (n: number) => `${pad(formatCount(n), 9, true)} ${pad(formatShare(n, total), 6, true)}`;
  lines.push(`  ${pad('', labelWidth)}  ${pad('published', 16, true)}  ${pad('proposed', 16, true)}`);
  lines.push(`  ${pad('messages', labelWidth)}  ${pad(formatCount(sim.published.messages), 16, true)}  ${pad(formatCount(total), 16, true)}`);
  for (const l of table) {
    const worse = (l.label === 'quarantined' || l.label === 'rejected') && l.proposed > l.published;
    lines.push(`  ${pad(l.label, labelWidth)}  ${cell(l.published)}  ${worse ? style('remove', cell(l.proposed)) : cell(l.proposed)}`);
  }
  lines.push('');
  const r = sim.reported;
  lines.push(`Receivers reported: ${formatCount(r.none)} none, ${formatCount(r.quarantine)} quarantine, ${formatCount(r.reject)} reject.`);
  const reasons = Object.entries(sim.overrideReasons);
  if (reasons.length > 0) lines.push(`Override reasons: ${reasons.map(([k, n]) => `${k} ${formatCount(n)}`).join(', ')}.`);
  if (sim.domains.length > 1) {
    lines.push('');
    lines.push('By domain (proposed):');
    for (const d of sim.domains)
      lines.push(
        `  ${d.domain}: ${plural(d.proposedCounts.messages, 'message')}, ${formatCount(d.proposedCounts.quarantined)} quarantined, ${formatCount(d.proposedCounts.rejected)} rejected, ${formatCount(d.lost)} lost`,
      );
  }

  if (a.operators && a.operators.length > 0) {
    lines.push('');
    lines.push('By operator (reverse DNS of the sources shown):');
    for (const g of a.operators) lines.push(`  ${g.operator}: ${plural(g.sources, 'source')}, ${plural(g.messages, 'message')}, ${formatCount(g.lost)} lost`);
  }

  if (sim.disagreements.length > 0) {
    lines.push('');
    lines.push(`Receivers' verdicts vs the recomputation from auth_results (published record):`);
    for (const d of sim.disagreements) lines.push(`  ${describeDisagreement(d)}`);
    lines.push(sim.trustReceiver ? '  (--trust-receiver: the receivers\' verdicts were used)' : '  (the counts above use the recomputation; --trust-receiver uses the receivers\' verdicts)');
  }

  lines.push('');
  const shownNote = a.sources.length < a.sourceCount ? `; ${formatCount(a.sources.length)} of ${formatCount(a.sourceCount)} shown` : '';
  lines.push(style('strong', `Sources that would lose mail under the proposed record${shownNote}:`));
  if (a.sources.length === 0) lines.push('  (none)');
  for (const s of a.sources) {
    const name = describeName(s, a.resolved);
    const head = `  ${s.ip}${name ? `  ${name}` : ''}: ${describeLoss(s)}`;
    lines.push(s.lost > 0 ? style('warn', head) : head);
    for (const fix of s.fixes) {
      lines.push(`    as ${fix.headerFrom}:`);
      lines.push(`      ${describeSpf(fix)}`);
      lines.push(`      ${describeDkim(fix)}`);
      for (const add of fix.add) lines.push(style('add', `      add under domains.${add.domain}.${add.key}: ${add.line}`));
      for (const advice of fix.advice) lines.push(`      - ${advice}`);
    }
  }

  if (a.coverage) {
    lines.push('');
    lines.push('Coverage:');
    for (const l of coverageLines(a.coverage)) lines.push(`  ${l}`);
  }
  if (sim.notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const n of sim.notes) lines.push(`  - ${n}`);
  }
  if (a.input.warnings.length > 0) {
    lines.push('');
    lines.push(style('warn', `Warnings (the reports were counted):`));
    for (const w of a.input.warnings) lines.push(style('warn', `  ${w.file}: ${w.message}`));
  }
  if (a.input.errors.length > 0) {
    lines.push('');
    lines.push(style('warn', `Skipped (${plural(a.input.errors.length, 'report')} could not be read):`));
    for (const e of a.input.errors) lines.push(style('warn', `  ${e.file}: ${e.message}`));
  }
  return `${lines.join('\n')}\n`;
}
