// What a record builder hands back besides records: notices about the policy and files to write.

import type { SourcePosition } from '../base/errors.js';
import type { RR } from '../dns-types/rr.js';

export type Severity = 'error' | 'warning' | 'info';

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

/** Build a notice; optional fields are left out rather than set to undefined. */
export function makeNotice(
  severity: Severity,
  code: string,
  name: string,
  message: string,
  extra: { position?: SourcePosition | undefined; rfc?: string | undefined } = {},
): Notice {
  const n: Notice = { severity, code, message, name };
  if (extra.position) n.position = extra.position;
  if (extra.rfc) n.rfc = extra.rfc;
  return n;
}
