// Renders a plan as Markdown for a merge-request comment.

import type { Plan } from '../plan/plan.js';
import { renderRData } from '../dns-types/rdata.js';
import type { RR } from '../dns-types/rr.js';
import { summarizePlan, summaryLine } from './plan-summary.js';

/** Table cells must not break the table: escape pipes, keep one line. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function values(records: RR[]): string {
  return records.map((rr) => `\`${cell(`${rr.ttl} ${renderRData(rr)}`).replace(/`/g, "'")}\``).join('<br>') || '—';
}

export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = ['### mailrec plan', '', `**${summaryLine(summarizePlan(plan))}**`, ''];
  if (plan.changes.length > 0) {
    out.push('| | zone | name | type | before | after |', '|---|---|---|---|---|---|');
    for (const c of plan.changes) {
      const sign = { create: '➕', update: '✏️', delete: '➖' }[c.action];
      out.push(`| ${sign} | ${cell(c.zone)} | ${cell(c.name)} | ${c.type} | ${values(c.before)} | ${values(c.after)} |`);
    }
    out.push('');
  }
  const risks = plan.changes.flatMap((c) => c.risks.map((r) => ({ c, r })));
  if (risks.length > 0) {
    out.push('#### Risk', '');
    for (const { c, r } of risks) out.push(`- **${r.level}** \`${cell(c.name)} ${c.type}\`: ${cell(r.message)}`);
    out.push('');
  }
  if (plan.files.length > 0) {
    out.push('#### Files', '');
    for (const f of plan.files) out.push(`- ${f.action} \`${cell(f.path)}\``);
    out.push('');
  }
  if (plan.notices.length > 0) {
    out.push('#### Notices', '');
    for (const n of plan.notices) out.push(`- ${n.severity} \`${n.code}\` ${cell(n.name)}: ${cell(n.message)}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
