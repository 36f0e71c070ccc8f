// The import report as text, Markdown or JSON: what was written, what stayed raw, what is wrong, what plan will show.

import { formatPosition } from '../../base/errors.js';
import type { ImportFinding } from './findings.js';
import type { ImportResult } from './estate.js';

export type FileOutcome = 'wrote' | 'unchanged' | 'would write' | 'skipped';

export interface ImportReport {
  result: ImportResult;
  files: { path: string; outcome: FileOutcome; note?: string }[];
  /** What `mailrec plan` found right after the import, against the files written; undefined when not run. */
  planCheck?: { policyPath: string; /** Every file, when the policy was split (renderPolicyParts). */ policyParts?: string[]; changes: number; files: number; refused: number; clean: boolean };
  /** Other policy files a plain `mailrec plan` would also load. */
  otherPolicies: string[];
  /** Notes on the source (e.g. TTLs from a recursive resolver). */
  notes: string[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function findingLine(f: ImportFinding): string {
  const at = f.position ? ` (${formatPosition(f.position)})` : '';
  return `${f.severity.padEnd(7)} ${f.code}  ${f.name}: ${f.message}${at}`;
}

function summary(report: ImportReport): string {
  const s = report.result.stats;
  return `Imported ${plural(s.records, 'mail record')} of ${plural(s.zones, 'zone')} (${plural(s.domains, 'domain')}): ${s.modelled} as policy keys, ${s.raw} kept raw.`;
}

function moveLines(report: ImportReport): string[] {
  const out: string[] = [];
  for (const move of report.result.moves) {
    const files = [...new Set(move.records.map((r) => r.position.file))];
    const include = move.include ? `; add "$INCLUDE ${move.include.path}" to ${move.include.zoneFile}, then set zone_file: ${move.include.zoneFile} in the policy` : '';
    const from = files.length === 1 ? files[0] : `${files.slice(0, -1).join(', ')} and ${files.at(-1)}`;
    out.push(`${move.zone}: these records are now in ${move.fragment}; delete them from ${from}${include}`);
    for (const r of move.records) out.push(`  ${formatPosition(r.position)}  ${r.name} ${r.type}`);
  }
  return out;
}

function planLine(report: ImportReport): string | undefined {
  const check = report.planCheck;
  if (!check) return undefined;
  const command = `mailrec plan ${(check.policyParts ?? [check.policyPath]).map((file) => `-p ${file}`).join(' ')}`;
  if (check.refused > 0) return `${command}: refused until the ${plural(check.refused, 'error')} flagged import.plan-refused above ${check.refused === 1 ? 'is' : 'are'} fixed.`;
  if (check.clean) return `${command}: no changes.`;
  return `${command}: ${plural(check.changes, 'record change')}, ${plural(check.files, 'file change')} (the fixes and rewrites above; run it to see them).`;
}

export function renderImportText(report: ImportReport): string {
  const lines: string[] = [summary(report)];
  for (const file of report.files) lines.push(`${file.outcome} ${file.path}${file.note ? ` (${file.note})` : ''}`);
  const { findings, raw } = report.result;
  if (findings.length > 0) {
    lines.push('', `Findings (${findings.length}):`);
    for (const f of findings) lines.push(`  ${findingLine(f)}`);
  }
  if (raw.length > 0) {
    lines.push('', `Kept raw (${raw.length}): published exactly as read, from the raw: lists of the policy`);
    for (const r of raw) lines.push(`  ${r.name} ${r.type}: ${r.reason}`);
  }
  const moves = moveLines(report);
  // One push per line: spread into push(), 200,000 moved records overflow the stack.
  if (moves.length > 0) lines.push('', 'Move into the fragments:');
  for (const l of moves) lines.push(`  ${l}`);
  for (const note of report.notes) lines.push('', `note: ${note}`);
  if (report.otherPolicies.length > 0) {
    lines.push('', `note: ${report.otherPolicies.join(', ')} ${report.otherPolicies.length === 1 ? 'is' : 'are'} also in the policy directory: a plain mailrec plan loads ${report.otherPolicies.length === 1 ? 'it' : 'them'} too`);
  }
  const plan = planLine(report);
  if (plan) lines.push('', plan);
  return `${lines.join('\n')}\n`;
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function renderImportMarkdown(report: ImportReport): string {
  const lines: string[] = ['## mailrec import', '', summary(report), ''];
  for (const file of report.files) lines.push(`- ${file.outcome} \`${file.path}\`${file.note ? ` (${file.note})` : ''}`);
  const { findings, raw } = report.result;
  if (findings.length > 0) {
    lines.push('', '### Findings', '', '| severity | code | name | message |', '|---|---|---|---|');
    for (const f of findings) lines.push(`| ${f.severity} | \`${f.code}\` | \`${f.name}\` | ${md(f.message)} |`);
  }
  if (raw.length > 0) {
    lines.push('', '### Kept raw', '', '| name | type | why |', '|---|---|---|');
    for (const r of raw) lines.push(`| \`${r.name}\` | ${r.type} | ${md(r.reason)} |`);
  }
  const moves = moveLines(report);
  if (moves.length > 0) {
    lines.push('', '### Move into the fragments', '', '```');
    for (const l of moves) lines.push(l);
    lines.push('```');
  }
  for (const note of report.notes) lines.push('', `> ${note}`);
  const plan = planLine(report);
  if (plan) lines.push('', plan);
  return `${lines.join('\n')}\n`;
}

export function importReportJson(report: ImportReport): unknown {
  const r = report.result;
  return {
    stats: r.stats,
    files: report.files,
    findings: r.findings,
    raw: r.raw,
    moves: r.moves,
    changes: r.changes.map((c) => ({ action: c.action, zone: c.zone, name: c.name, type: c.type, ...(c.tag ? { tag: c.tag } : {}) })),
    fileChanges: r.fileChanges,
    planCheck: report.planCheck ?? null,
    notes: report.notes,
  };
}
