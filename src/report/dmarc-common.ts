// Shared wording for the DMARC simulation renderers: counts, shares, dates and
// the one-line descriptions of inputs, sources and fixes.

import type { DmarcAnalysis, SourceReport } from '../dmarc-reports/analyze.js';
import type { SourceFix } from '../dmarc-reports/fix.js';
import { formatCount, formatShare } from '../dmarc-reports/impact.js';
import type { OutcomeCounts, VerdictDisagreement } from '../dmarc-reports/simulate.js';

export { formatCount, formatShare };

export function formatDay(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "4 reports from 3 receivers, 2026-05-01 to 2026-05-03, 120 messages". */
export function describeInput(a: DmarcAnalysis): string {
  const i = a.input;
  let period = '';
  if (i.begin !== undefined && i.end !== undefined)
    period = formatDay(i.begin) === formatDay(i.end) ? `, ${formatDay(i.begin)}` : `, ${formatDay(i.begin)} to ${formatDay(i.end)}`;
  const extra: string[] = [`${plural(i.files, 'file')} read`];
  if (i.duplicates > 0) extra.push(`${plural(i.duplicates, 'duplicate report')} counted once`);
  if (i.errors.length > 0) extra.push(`${plural(i.errors.length, 'report')} skipped`);
  if (i.warnings.length > 0) extra.push(plural(i.warnings.length, 'warning'));
  // With --domain the tables count that domain's mail: the header says the same number.
  const messages = i.domain ? `${plural(i.domain.messages, 'message')} from ${i.domain.name} and below (of ${formatCount(i.messages)} in the reports)` : plural(i.messages, 'message');
  return `${plural(i.reports, 'report')} from ${plural(i.receivers.length, 'receiver')}${period}, ${messages} (${extra.join('; ')})`;
}

/** "google.com: receiver fail, recomputed pass 120 (DKIM 100, SPF 20); receiver pass, recomputed fail 3 (DKIM 3)". */
export function describeDisagreement(d: VerdictDisagreement): string {
  const side = (label: string, key: 'receiverFail' | 'receiverPass'): string | undefined => {
    const mechanisms = [d.dkim[key] > 0 ? `DKIM ${formatCount(d.dkim[key])}` : '', d.spf[key] > 0 ? `SPF ${formatCount(d.spf[key])}` : ''].filter((x) => x !== '');
    if (d.dmarc[key] === 0 && mechanisms.length === 0) return undefined;
    return `${label} ${formatCount(d.dmarc[key])} message${d.dmarc[key] === 1 ? '' : 's'}${mechanisms.length > 0 ? ` (${mechanisms.join(', ')})` : ''}`;
  };
  const parts = [side('receiver fail, recomputed pass:', 'receiverFail'), side('receiver pass, recomputed fail:', 'receiverPass')].filter((x) => x !== undefined);
  return `${d.receiver} (${plural(d.messages, 'message')} with its verdict): ${parts.join('; ')}`;
}

export interface OutcomeLine {
  label: string;
  published: number;
  proposed: number;
}

/** The rows of the published-vs-proposed table; the last four add up to the messages. */
export function outcomeLines(published: OutcomeCounts, proposed: OutcomeCounts): OutcomeLine[] {
  return [
    { label: 'pass DMARC', published: published.pass, proposed: proposed.pass },
    { label: 'delivered', published: published.delivered, proposed: proposed.delivered },
    { label: 'quarantined', published: published.quarantined, proposed: proposed.quarantined },
    { label: 'rejected', published: published.rejected, proposed: proposed.rejected },
    { label: 'overridden (receivers may let through)', published: published.overridden, proposed: proposed.overridden },
  ];
}

/** "mail.example.net (example.net, forward-confirmed)" or "no reverse DNS". */
export function describeName(s: SourceReport, resolved: boolean): string | undefined {
  if (!resolved) return undefined;
  if (!s.name?.name) return s.name?.problem ?? 'no reverse DNS';
  return `${s.name.name} (${s.name.operator}${s.name.confirmed ? '' : ', not forward-confirmed'})`;
}

export function describeLoss(s: SourceReport): string {
  const parts = [plural(s.messages, 'message')];
  if (s.lost > 0) parts.push(`${formatCount(s.lost)} lost`);
  if (s.mayLose > 0) parts.push(`${formatCount(s.mayLose)} lost unless receivers override`);
  return parts.join(', ');
}

export function describeSpf(fix: SourceFix): string {
  const r = fix.spf.result;
  const verdict = r === 'pass' ? 'passes' : r === 'unknown' ? 'unknown' : r === 'no-policy' ? 'no senders in the policy' : r;
  return `SPF under the policy's senders for ${fix.spf.domain}: ${verdict} (${fix.spf.detail})`;
}

export function describeDkim(fix: SourceFix): string {
  const declared = fix.declaredSelectors.length > 0 ? `declared: ${fix.declaredSelectors.join(', ')}` : 'the policy declares no selector';
  const seen = fix.signatures.map((s) => `d=${s.domain}${s.selector ? ` s=${s.selector}` : ''} ${s.result}${s.aligned ? '' : ' (unaligned)'}`);
  const uses = fix.usesDeclaredSelector ? 'signs with a declared selector' : 'does not sign with a declared selector';
  return `DKIM: ${uses} (${declared}); signatures on the failing mail: ${seen.length > 0 ? seen.join(', ') : 'none'}`;
}
