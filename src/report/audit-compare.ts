// The "since the previous run" section of `audit --compare` / `--history` in words, for the
// terminal; markdown (audit-markdown.ts), json, ndjson, sarif and junit carry the same
// comparison in their own shapes and take the headline and the record wording from here.

import type { Finding } from '../base/finding.js';
import type { ComparedFinding, RecordChange, RecordState, RunComparison, ScoreChange, SeverityCounts } from '../audit/history/compare.js';
import { formatPoints } from '../audit/summary.js';
import { plain, type Style, type Tone } from './style.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function bySeverity(c: SeverityCounts): string {
  const parts = [c.error > 0 ? plural(c.error, 'error') : '', c.warning > 0 ? plural(c.warning, 'warning') : '', c.info > 0 ? `${c.info} info` : ''].filter((p) => p !== '');
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

const total = (c: SeverityCounts): number => c.error + c.warning + c.info;

/** "since the previous run (prev.json, 12 domains): 1 new (1 error), 1 resolved (1 warning), 5 still open, 1 score changed, 2 records changed". */
export function comparisonHeadline(c: RunComparison): string {
  const previous = `${c.previous.file ? `${c.previous.file}, ` : ''}${plural(c.previous.domains, 'domain')}`;
  const parts = [
    `${total(c.counts.new)} new${bySeverity(c.counts.new)}`,
    `${total(c.counts.resolved)} resolved${bySeverity(c.counts.resolved)}`,
    `${c.counts.open} still open`,
  ];
  if (c.counts.unknown > 0) parts.push(`${c.counts.unknown} not checked this time`);
  parts.push(`${plural(c.scores.length, 'score')} changed`, `${plural(c.records.length, 'record')} changed in DNS`);
  if (c.domainsAdded.length > 0) parts.push(`${plural(c.domainsAdded.length, 'domain')} added`);
  if (c.domainsRemoved.length > 0) parts.push(`${plural(c.domainsRemoved.length, 'domain')} removed`);
  return `since the previous run (${previous}): ${parts.join(', ')}`;
}

/** "75 -> 45 (-30), on 100 of 100 points". */
export function scoreChangeText(s: ScoreChange): string {
  const score = (v: number | null): string => (v === null ? 'no score' : String(v));
  const delta = s.change === null ? '' : ` (${s.change > 0 ? '+' : ''}${s.change})`;
  const on = (x: ScoreChange['before']): string => `${formatPoints(x.coverage.points)} of ${x.coverage.of}`;
  const coverage = on(s.before) === on(s.after) ? `on ${on(s.after)} points` : `on ${on(s.before)} -> ${on(s.after)} points`;
  return `${score(s.before.score)} -> ${score(s.after.score)}${delta}, ${coverage}`;
}

/** The records of one side: the data, or "(NXDOMAIN)" / "(no TXT record)". */
export function recordStateLines(state: RecordState, type: string): string[] {
  if (state.status === 'ok') return state.data && state.data.length > 0 ? state.data : [`(no ${type} record)`];
  if (state.status === 'nxdomain') return ['(the name does not exist: NXDOMAIN)'];
  if (state.status === 'nodata') return [`(no ${type} record)`];
  return ['(lookup failed)'];
}

function findingLine(kind: string, f: Finding & { previouslyUnknown?: true }): string {
  const why = f.previouslyUnknown ? ' (not checked in the previous run)' : '';
  return `  ${kind.padEnd(8)} ${f.severity.padEnd(7)}  ${f.code}  ${f.name}${why}`;
}

/** A record change as a diff: the records that went (-) and came (+); a side without records says why. */
function recordLines(r: RecordChange, style: Style): string[] {
  const before = recordStateLines(r.before, r.type);
  const after = recordStateLines(r.after, r.type);
  const kept = r.before.status === 'ok' && r.after.status === 'ok' ? new Set(before.filter((v) => after.includes(v))) : new Set<string>();
  return [
    `  changed  ${r.name} ${r.type}`,
    ...before.filter((v) => !kept.has(v)).map((v) => style('remove', `      - ${v}`)),
    ...after.filter((v) => !kept.has(v)).map((v) => style('add', `      + ${v}`)),
  ];
}

/** The section for the terminal: the headline, then each new, resolved and unknown finding, each score and record change. */
export function renderComparisonText(c: RunComparison, style: Style = plain): string[] {
  const lines = [style('strong', comparisonHeadline(c))];
  const tone = (f: ComparedFinding): Tone => (f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warn' : 'faint');
  for (const f of c.new) lines.push(style(tone(f), findingLine('new', f)), `      ${f.domain}: ${f.message}`);
  for (const f of c.resolved) lines.push(style('add', findingLine('resolved', f)));
  for (const f of c.unknown) lines.push(style('warn', findingLine('unknown', f)), style('faint', '      not checked this time: a lookup it needs failed'));
  for (const s of c.scores) lines.push(`  score    ${s.domain} ${scoreChangeText(s)}`);
  for (const r of c.records) lines.push(...recordLines(r, style));
  if (c.domainsAdded.length > 0) lines.push(`  added    ${c.domainsAdded.join(', ')}`);
  if (c.domainsRemoved.length > 0) lines.push(`  removed  ${c.domainsRemoved.join(', ')}`);
  return lines;
}
