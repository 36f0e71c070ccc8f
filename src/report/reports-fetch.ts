// Renders what `mailrec reports fetch` did: per mailbox, the messages read and the reports
// archived, already there, not reports or skipped; and the archive afterwards.

import type { FetchSummary, SourceSummary } from '../dmarc-reports/fetch.js';
import { formatCount } from '../dmarc-reports/impact.js';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function describeSource(s: SourceSummary): string {
  const stored = s.dmarc.stored + s.tlsrpt.stored;
  const duplicates = s.dmarc.duplicates + s.tlsrpt.duplicates;
  const parts = [
    `${plural(s.messages, 'new message')}`,
    `${plural(stored, 'report')} archived (${formatCount(s.dmarc.stored)} DMARC, ${formatCount(s.tlsrpt.stored)} TLS-RPT)`,
  ];
  if (duplicates > 0) parts.push(`${formatCount(duplicates)} already in the archive`);
  if (s.notReports > 0) parts.push(`${formatCount(s.notReports)} without a report`);
  if (s.skipped > 0) parts.push(`${formatCount(s.skipped)} skipped`);
  if (s.acted !== undefined) parts.push(s.acted);
  return parts.join('; ');
}

export interface FetchExtras {
  pruned: number;
  retentionDays?: number;
}

export function renderFetchSummary(summary: FetchSummary, format: 'text' | 'json' | 'markdown', extras: FetchExtras): string {
  if (format === 'json') return `${JSON.stringify({ version: 1, ...summary, pruned: extras.pruned }, null, 2)}\n`;
  const lines: string[] = [];
  const md = format === 'markdown';
  if (md) lines.push('### mailrec reports fetch', '');
  for (const s of summary.sources) {
    lines.push(md ? `- \`${s.label}\`: ${describeSource(s)}` : `${s.label}: ${describeSource(s)}`);
    for (const note of s.notes) lines.push(md ? `  - ${note}` : `  note: ${note}`);
    if (s.sameIdOther > 0)
      lines.push(`${md ? '  - ' : '  note: '}${plural(s.sameIdOther, 'report')} came again with the same receiver and id but other content: both copies are kept`);
  }
  const a = summary.archive;
  const extra: string[] = [];
  if (extras.pruned > 0) extra.push(`${plural(extras.pruned, 'report')} older than ${extras.retentionDays} days pruned`);
  if (a.tornBytes > 0) extra.push(`an unfinished index line (${a.tornBytes} bytes) of an interrupted run was cut off`);
  if (a.unreadable > 0) extra.push(`${plural(a.unreadable, 'index line')} could not be read and ${a.unreadable === 1 ? 'was' : 'were'} ignored`);
  const archive = `archive ${a.dir}: ${plural(a.reports, 'report')}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
  lines.push(md ? `\n${archive}` : archive);
  return `${lines.join('\n')}\n`;
}
