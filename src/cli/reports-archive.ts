// What the report commands share: where the archive is (--archive, the policy's reports.archive,
// or reports/ in the zone repo) and the time window (--since, --between).

import { UsageError } from '../base/errors.js';
import { ReportFiles } from '../dmarc-reports/archive-files.js';
import { betweenWindow, sinceWindow, type TimeWindow } from '../dmarc-reports/window.js';
import { loadPolicy } from '../policy/load.js';
import type { Policy } from '../policy/model.js';
import { DEFAULT_REPORTS_ARCHIVE } from '../policy/vocabulary.js';
import type { Context, GlobalOptions } from './context.js';

export interface WindowOptions {
  since?: string;
  between?: string[];
}

export interface ArchiveOptions extends GlobalOptions, WindowOptions {
  archive?: string;
}

/** The policy when there is one (the default policies/ may be absent); one given with --policy must load. */
export async function loadPolicyIfAny(ctx: Context, opts: GlobalOptions): Promise<Policy | undefined> {
  const explicit = (opts.policy ?? []).length > 0;
  if (!explicit && !ctx.policyPaths.every((p) => ctx.files.exists(p))) return undefined;
  return loadPolicy(ctx.policyPaths, { root: ctx.root, files: ctx.files });
}

/** The archive directory and the file access rules for it: a directory named with --archive may lie outside the repo. */
export function openArchiveFiles(ctx: Context, opts: ArchiveOptions, policy: Policy | undefined): { files: ReportFiles; dir: string } {
  const files = new ReportFiles(ctx.root, ctx.files);
  if (opts.archive !== undefined) return { files, dir: files.allow(opts.archive) };
  return { files, dir: files.resolve(policy?.reports?.archive ?? DEFAULT_REPORTS_ARCHIVE) };
}

/** --since or --between (not both); undefined when neither is given. */
export function windowOf(opts: WindowOptions, now: Date): TimeWindow | undefined {
  if (opts.since !== undefined && opts.between !== undefined) throw new UsageError('--since and --between are exclusive', 'give one time window');
  if (opts.since !== undefined) return sinceWindow(opts.since, now);
  if (opts.between !== undefined) {
    if (opts.between.length !== 2) throw new UsageError('--between takes two dates', 'e.g. --between 2026-11-01 2026-11-30');
    return betweenWindow(opts.between[0]!, opts.between[1]!, now);
  }
  return undefined;
}

/** The options every report command takes to read the archive. */
export const WINDOW_HELP = {
  since: 'read the archive: reports of the last N days (30d, 12w) or since a date (YYYY-MM-DD, UTC)',
  between: 'read the archive: reports from day A to day B, both included (YYYY-MM-DD, UTC)',
  archive: 'the report archive (default: reports.archive of the policy, or reports/)',
} as const;
