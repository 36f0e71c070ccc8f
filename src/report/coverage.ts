// The coverage of a window of reports, in words: which days had reports, and which receivers
// sent none on which days. A gap is said, never counted as a day of clean mail.

import type { Coverage } from '../dmarc-reports/window.js';

const MAX_RANGES = 6;

function ranges(list: readonly string[]): string {
  return list.length > MAX_RANGES ? `${list.slice(0, MAX_RANGES).join(', ')} and ${list.length - MAX_RANGES} more` : list.join(', ');
}

/** The lines of the coverage (no heading): one for the window, one per receiver with a gap. */
export function coverageLines(c: Coverage): string[] {
  if (c.days === 0) return [`${c.window}: no whole day to check yet (today's reports arrive tomorrow)`];
  const lines = [`${c.window}, ${c.from} to ${c.to}: ${c.daysWithReports} of ${c.days} days have reports${c.noReports.length > 0 ? `; none at all on ${ranges(c.noReports)}` : ''}`];
  for (const r of c.receivers) {
    if (r.missingDays === 0) continue;
    const why = r.stopped ? ' (it reported in the same length of time before; none since)' : '';
    lines.push(`${r.receiver}: no report on ${r.missingDays === c.days ? 'any day' : ranges(r.missing)} (${r.missingDays} of ${c.days} days)${why}`);
  }
  const complete = c.receivers.filter((r) => r.missingDays === 0).map((r) => r.receiver);
  if (complete.length > 0) lines.push(`every day: ${complete.join(', ')}`);
  return lines;
}
