// One zone of a plan streamed zone by zone (workflow.ts streamPlan): its current state read,
// diffed against the desired records and rendered as the plan's text. The same function runs
// on the main thread or in a plan worker (plan-worker.ts), so the text is the same either way.

import type { RepoFiles } from '../base/repo-files.js';
import type { Notice } from '../build/notice.js';
import type { DesiredZone } from '../build/zone-records.js';
import { readFragmentStateNow, readGeneratedFiles } from '../plan/fragment-state.js';
import { planZone, zoneHasChanges, type FileChange, type ZoneState } from '../plan/plan.js';
import type { ZoneConfig } from '../policy/model.js';
import { countZone, emptySummary, type PlanSummary } from '../report/plan-summary.js';
import { zoneTextLines } from '../report/plan-text.js';
import type { Style } from '../report/style.js';

export interface ZoneJob {
  want: DesiredZone;
  config: ZoneConfig;
  /** The zone's state when the SPF builder has read it already: a zone is read once per plan. */
  have?: ZoneState;
}

/** A zone planned and rendered: what the plan's text and its tail need of it. */
export interface ZoneText {
  /** The zone's lines of the plan text, joined by newlines. */
  text: string;
  /** The zone's share of the summary line (the plan's files are counted at the end). */
  summary: PlanSummary;
  /** Apply would write the zone's fragment or raise its serial. */
  write: boolean;
  notices: Notice[];
  files: FileChange[];
}

export function planZoneText(files: RepoFiles, job: ZoneJob, style: Style): ZoneText {
  const have = job.have ?? readFragmentStateNow(files, job.config);
  const part = planZone(job.want, have, readGeneratedFiles(files, job.want.files));
  const summary = emptySummary();
  countZone(summary, part.zone, part.changes);
  return { text: [...zoneTextLines(part.zone, part.changes, style)].join('\n'), summary, write: zoneHasChanges(part.zone), notices: part.notices, files: part.files };
}
