// Counts a plan's changes the way every plan renderer reports them.

import type { Plan, PlannedChange, ZonePlan } from '../plan/plan.js';

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  files: number;
  zones: number;
  /** Zones whose fragment is rewritten with no record change (new file, layout). */
  rewritten: number;
}

export function summarizePlan(plan: Plan): PlanSummary {
  const count = (action: string) => plan.changes.filter((c) => c.action === action).length;
  const changedZones = new Set(plan.changes.map((c) => c.zone));
  return {
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    files: plan.files.length,
    zones: new Set([...changedZones, ...plan.zones.filter((z) => z.write).map((z) => z.zone)]).size,
    rewritten: plan.zones.filter((z) => z.write && !changedZones.has(z.zone)).length,
  };
}

/** A summary of nothing, to count into. */
export function emptySummary(): PlanSummary {
  return { create: 0, update: 0, delete: 0, files: 0, zones: 0, rewritten: 0 };
}

/** Adds `part` (a zone's counts, from another thread) into `summary`. */
export function addSummary(summary: PlanSummary, part: PlanSummary): void {
  for (const key of Object.keys(summary) as Array<keyof PlanSummary>) summary[key] += part[key];
}

/** The summary counted a zone at a time (plan streamed zone by zone): add each zone, then the plan's files. */
export function countZone(summary: PlanSummary, zone: Pick<ZonePlan, 'write'>, changes: readonly Pick<PlannedChange, 'action'>[]): void {
  for (const c of changes) summary[c.action] += 1;
  if (changes.length > 0 || zone.write) summary.zones += 1;
  if (zone.write && changes.length === 0) summary.rewritten += 1;
}

export function summaryLine(s: PlanSummary): string {
  if (s.create + s.update + s.delete + s.files + s.rewritten === 0) return 'No changes. The zones match the policy.';
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.delete} to delete`];
  if (s.files > 0) parts.push(`${s.files} file${s.files === 1 ? '' : 's'} to write`);
  if (s.rewritten > 0) parts.push(`${s.rewritten} fragment${s.rewritten === 1 ? '' : 's'} to rewrite without record changes`);
  return `Plan: ${parts.join(', ')} in ${s.zones} zone${s.zones === 1 ? '' : 's'}.`;
}
