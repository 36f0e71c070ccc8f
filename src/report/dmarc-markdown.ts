// Renders a DMARC simulation as Markdown (for a merge-request comment).

import type { DmarcAnalysis } from '../dmarc-reports/analyze.js';
import { coverageLines } from './coverage.js';
import { describeDisagreement, describeDkim, describeInput, describeLoss, describeName, describeSpf, formatCount, formatShare, outcomeLines } from './dmarc-common.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderDmarcMarkdown(a: DmarcAnalysis): string {
  const sim = a.simulation;
  const out: string[] = [];
  out.push('## DMARC simulation');
  out.push('');
  out.push(describeInput(a));
  out.push('');
  out.push(a.proposedFrom === 'record' ? '**Proposed** (`--record`):' : '**Proposed** (from the policy):');
  out.push('');
  for (const p of a.proposed) out.push(`- \`_dmarc.${p.domain}\`: \`${p.text}\``);
  const published = [...new Set(sim.domains.flatMap((d) => d.published))];
  if (published.length > 0) {
    out.push('');
    out.push('**Published** (as the reports show it):');
    out.push('');
    for (const p of published) {
      const [name, text] = p.split(': ');
      out.push(`- \`${name}\`: \`${text}\``);
    }
  }
  out.push('');
  const total = sim.proposed.messages;
  out.push('| messages | published | proposed |');
  out.push('|---|---:|---:|');
  out.push(`| all | ${formatCount(sim.published.messages)} | ${formatCount(total)} |`);
  for (const l of outcomeLines(sim.published, sim.proposed))
    out.push(`| ${l.label} | ${formatCount(l.published)} (${formatShare(l.published, total)}) | ${formatCount(l.proposed)} (${formatShare(l.proposed, total)}) |`);
  out.push('');
  if (sim.disagreements.length > 0) {
    out.push("### Receivers' verdicts vs the recomputation", '');
    for (const d of sim.disagreements) out.push(`- ${cell(describeDisagreement(d))}`);
    out.push('', sim.trustReceiver ? "_--trust-receiver: the receivers' verdicts were used._" : "_The counts use the recomputation from auth_results; `--trust-receiver` uses the receivers' verdicts._", '');
  }
  if (a.sources.length > 0) {
    out.push('### Sources that would lose mail under the proposed record');
    out.push('');
    out.push(`| source | ${a.resolved ? 'reverse DNS | ' : ''}messages | lost | lost unless overridden |`);
    out.push(`|---|${a.resolved ? '---|' : ''}---:|---:|---:|`);
    for (const s of a.sources)
      out.push(`| ${s.ip} | ${a.resolved ? `${cell(describeName(s, true) ?? '')} | ` : ''}${formatCount(s.messages)} | ${formatCount(s.lost)} | ${formatCount(s.mayLose)} |`);
    out.push('');
    const withFixes = a.sources.filter((s) => s.fixes.length > 0);
    if (withFixes.length > 0) {
      out.push('### Fixes');
      out.push('');
      for (const s of withFixes) {
        for (const fix of s.fixes) {
          out.push(`- **${s.ip}** as \`${fix.headerFrom}\` (${describeLoss(s)})`);
          out.push(`  - ${describeSpf(fix)}`);
          out.push(`  - ${describeDkim(fix)}`);
          for (const add of fix.add) out.push(`  - add under \`domains.${add.domain}.${add.key}\`: \`${add.line}\``);
          for (const advice of fix.advice) out.push(`  - ${advice}`);
        }
      }
      out.push('');
    }
  }
  if (a.coverage) {
    out.push('### Coverage');
    out.push('');
    for (const l of coverageLines(a.coverage)) out.push(`- ${l}`);
    out.push('');
  }
  if (sim.notes.length > 0) {
    out.push('### Notes');
    out.push('');
    for (const n of sim.notes) out.push(`- ${n}`);
    out.push('');
  }
  if (a.input.warnings.length > 0) {
    out.push('### Warnings (the reports were counted)');
    out.push('');
    for (const w of a.input.warnings) out.push(`- \`${w.file}\`: ${cell(w.message)}`);
    out.push('');
  }
  if (a.input.errors.length > 0) {
    out.push('### Skipped');
    out.push('');
    for (const e of a.input.errors) out.push(`- \`${e.file}\`: ${e.message}`);
    out.push('');
  }
  return `${out.join('\n')}`;
}
