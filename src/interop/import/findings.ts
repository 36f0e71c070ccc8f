// Import findings: what an import saw wrong or could not model, under the audit's codes where one fits.

import { codeEntry } from '../../base/codes.js';
import type { SourcePosition } from '../../base/errors.js';

export type ImportSeverity = 'error' | 'warning' | 'info';

export interface ImportFinding {
  /** An audit code (src/base/codes.ts) or an `import.*` code of the table below. */
  code: string;
  severity: ImportSeverity;
  /** The policy domain the record was imported under. */
  domain: string;
  /** The DNS name the finding concerns. */
  name: string;
  message: string;
  rfc?: string;
  fix?: string;
  /** Where the record was read (zone-file imports). */
  position?: SourcePosition;
}

interface ImportCode {
  severity: ImportSeverity;
  fix: string;
}

/** Codes only an import has: what became of a record, not what is wrong with it. */
export const IMPORT_CODES = {
  'import.raw': {
    severity: 'info',
    fix: 'The record is published exactly as written from the raw: list; replace the entry with policy keys when you want mailrec to manage it.',
  },
  'import.rewritten': {
    severity: 'info',
    fix: 'Nothing to do: the next apply writes the record in mailrec\'s canonical form, with the same meaning.',
  },
  'import.fixed': {
    severity: 'info',
    fix: 'Review the change in mailrec plan; the next apply publishes it.',
  },
  'import.outside-zone': {
    severity: 'warning',
    fix: 'Import the zone the record belongs to (--zone-file with its --origin), or remove the record.',
  },
  'import.not-owned': {
    severity: 'info',
    fix: 'Nothing to do: the record stays where it is; mailrec does not manage it.',
  },
  'import.plan-refused': {
    severity: 'error',
    fix: 'Fix the record in the policy (its raw: entry): mailrec plan refuses to publish a record set the RFCs forbid.',
  },
  'import.unreproduced': {
    severity: 'warning',
    fix: 'mailrec plan will show this difference; review it before apply.',
  },
} as const satisfies Record<string, ImportCode>;

export type ImportCodeName = keyof typeof IMPORT_CODES;

/** A finding for an audit code or an import code: severity, RFC and fix come from the catalogues. */
export function makeImportFinding(
  code: string,
  domain: string,
  name: string,
  message: string,
  position?: SourcePosition,
): ImportFinding {
  const own = (IMPORT_CODES as Record<string, ImportCode>)[code];
  const audit = own ? undefined : codeEntry(code);
  if (!own && !audit) throw new Error(`import finding code ${code} is in neither catalogue`);
  const finding: ImportFinding = {
    code,
    severity: own ? own.severity : audit!.severity,
    domain,
    name,
    message,
    fix: own ? own.fix : audit!.fix,
  };
  if (audit) finding.rfc = audit.rfc;
  if (position) finding.position = position;
  return finding;
}

const SEVERITY_RANK: Record<ImportSeverity, number> = { error: 0, warning: 1, info: 2 };

/** Report order: severity, then domain, name, code, message. */
export function compareImportFindings(a: ImportFinding, b: ImportFinding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.domain, b.domain) ||
    cmp(a.name, b.name) ||
    cmp(a.code, b.code) ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
