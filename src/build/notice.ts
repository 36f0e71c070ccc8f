// What a record builder hands back besides records: notices about the policy (plan's
// findings, from the one catalogue in src/base/codes.ts) and files to write.

import { entryFor, raisedBy, type Code } from '../base/codes.js';
import type { SourcePosition } from '../base/errors.js';
import type { Problem, Severity } from '../base/finding.js';
import { compareRecords, recordIdentity } from '../dns-types/order.js';
import type { RR } from '../dns-types/rr.js';

/**
 * One observation about the policy, made while building records. An error means
 * the record it concerns was not built and the caller must refuse the plan;
 * warnings and infos never stop a plan. Builders never throw for policy problems.
 */
export interface Notice {
  severity: Severity;
  /** Stable dotted code, e.g. "spf.too-many-lookups". */
  code: string;
  message: string;
  /** The owner name the notice concerns (lowercase, no trailing dot). */
  name: string;
  position?: SourcePosition;
  /** The RFC and section the rule rests on, e.g. "RFC 7208 §4.6.4". */
  rfc?: string;
  /** The code's former names, for one release (CHANGELOG.md). */
  aliases?: string[];
}

/** A file a builder asks the apply step to write (e.g. the MTA-STS policy), path relative to the repo root. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** What every builder returns. Records are canonical (lowercase names, sorted, TXT chunked). */
export interface BuildResult {
  records: RR[];
  files: GeneratedFile[];
  notices: Notice[];
}

export function hasErrors(notices: readonly Notice[]): boolean {
  return notices.some((n) => n.severity === 'error');
}

/** A notice for a code plan raises: severity, RFC and former names come from the catalogue. */
export function makeNotice(code: Code, name: string, message: string, position?: SourcePosition): Notice {
  const entry = entryFor(code, 'plan');
  const n: Notice = { severity: entry.severity, code, message, name };
  if (position) n.position = position;
  if (entry.rfc) n.rfc = entry.rfc;
  if (entry.aliases) n.aliases = [...entry.aliases];
  return n;
}

/** The notices for the problems a rule reported that plan raises (the others are the audit's or import's). */
export function planNotices(problems: readonly Problem[], position?: SourcePosition): Notice[] {
  return problems.filter((p) => raisedBy(p.code, 'plan')).map((p) => makeNotice(p.code, p.name, p.message, position));
}

/**
 * The records of one family, compiled one policy entry at a time: every notice kept in
 * entry order, a record equal to an earlier one dropped, the rest in canonical order.
 */
export function collectRecords<T>(entries: readonly T[], compile: (entry: T) => { record?: RR; notices: Notice[] }): BuildResult {
  const records: RR[] = [];
  const notices: Notice[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const compiled = compile(entry);
    notices.push(...compiled.notices);
    const rr = compiled.record;
    if (!rr || seen.has(recordIdentity(rr))) continue;
    seen.add(recordIdentity(rr));
    records.push(rr);
  }
  records.sort(compareRecords);
  return { records, files: [], notices };
}
