// Renders a plan for a terminal: record by record, with risk notes.

import type { Plan, PlannedChange, ZonePlan } from '../plan/plan.js';
import type { Notice } from '../build/notice.js';
import { renderRData } from '../dns-types/rdata.js';
import type { RR } from '../dns-types/rr.js';
import { plain, type Style } from './style.js';
import { summarizePlan, summaryLine, type PlanSummary } from './plan-summary.js';
import { clip } from '../base/quote.js';
import { pushTo } from '../base/multimap.js';

const SIGN = { create: '+', update: '~', delete: '-' } as const;
const TONE = { create: 'add', update: 'change', delete: 'remove' } as const;

function value(rr: RR): string {
  return `${rr.ttl} ${renderRData(rr)}`;
}

function renderChange(change: PlannedChange, style: Style): string[] {
  const lines: string[] = [];
  const head = `  ${SIGN[change.action]} ${change.name} ${change.type}`;
  lines.push(style(TONE[change.action], head));
  const before = new Set(change.before.map(value));
  const after = new Set(change.after.map(value));
  for (const v of [...before].filter((v) => !after.has(v))) lines.push(style('remove', `      - ${v}`));
  for (const v of [...after].filter((v) => !before.has(v))) lines.push(style('add', `      + ${v}`));
  for (const v of [...after].filter((v) => before.has(v))) lines.push(style('faint', `        ${v}`));
  for (const risk of change.risks)
    lines.push(style(risk.level === 'high' ? 'warn' : 'faint', `      ! ${risk.level}: ${risk.message}`));
  return lines;
}

export function renderNotice(n: Notice, style: Style): string {
  const where = n.position ? `${n.position.file}:${n.position.line}:${n.position.column}: ` : '';
  const tone = n.severity === 'error' ? 'error' : n.severity === 'warning' ? 'warn' : 'faint';
  return style(tone, `${where}${n.severity} ${n.code}: ${n.message}${n.name ? ` (${clip(n.name)})` : ''}`);
}

export function renderPlanText(plan: Plan, style: Style = plain): string {
  return `${[...planTextLines(plan, style)].join('\n')}\n`;
}

/**
 * The lines of renderPlanText, one at a time: the CLI writes them as they come, so that the
 * text of a 100,000-zone plan (hundreds of MB) is never held whole (docs/performance.md).
 */
export function* planTextLines(plan: Plan, style: Style = plain): Generator<string> {
  // Grouped once: a filter per zone was quadratic (100,000 zones × their changes).
  const byZone = new Map<string, PlannedChange[]>();
  for (const c of plan.changes) {
    pushTo(byZone, c.zone, c);
  }
  for (const zone of plan.zones) yield* zoneTextLines(zone, byZone.get(zone.zone) ?? [], style);
  yield* planTailLines(plan, summarizePlan(plan), style);
}

/** A zone's lines of the plan text, with its changes (plan streamed zone by zone renders them as it goes). */
export function* zoneTextLines(zone: ZonePlan, changes: readonly PlannedChange[], style: Style = plain): Generator<string> {
  const files = zone.source === 'fragment' ? ` (${zone.fragment}${zone.status === 'absent' ? ', new file' : ''})` : ' (live)';
  if (changes.length === 0 && !zone.write) {
    yield style('faint', `zone ${zone.zone}${files}: no changes`);
    return;
  }
  yield style('strong', `zone ${zone.zone}${files}`);
  if (zone.status === 'edited') yield style('warn', '  ! the fragment was edited by hand since mailrec wrote it: apply refuses without --force');
  if (zone.status === 'foreign') yield style('warn', '  ! the fragment exists but was not written by mailrec: apply refuses without --force');
  for (const change of changes) yield* renderChange(change, style);
  if (changes.length === 0) yield style('faint', '  (fragment rewritten; the records are unchanged)');
}

/** The lines after the zones: the files, the notices and the summary. */
export function* planTailLines(plan: Pick<Plan, 'files' | 'notices'>, summary: PlanSummary, style: Style = plain): Generator<string> {
  for (const file of plan.files) {
    yield style(file.action === 'create' ? 'add' : 'change', `file ${file.path}: ${file.action}`);
    if (file.status)
      yield style('warn', `  ! ${file.status === 'edited' ? 'edited by hand since mailrec wrote it' : 'not written by mailrec'}: apply refuses without --force`);
  }
  if (plan.notices.length > 0) {
    yield '';
    for (const notice of plan.notices) yield renderNotice(notice, style);
  }
  yield '';
  yield style('strong', summaryLine(summary));
}
