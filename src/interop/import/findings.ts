// Import findings: what an import saw wrong in a record (the protocol rules' codes and words,
// as the audit reports them) or what became of it (the import.* codes), all from the one
// catalogue in src/base/codes.ts.

import { entryFor, raisedBy, type Code } from '../../base/codes.js';
import type { SourcePosition } from '../../base/errors.js';
import { compareSeverity, compareText, type Problem, type Severity } from '../../base/finding.js';

export interface ImportFinding {
  /** A code of the catalogue (src/base/codes.ts) that import raises. */
  code: string;
  severity: Severity;
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

/** A finding for a code import raises: severity, RFC and fix come from the catalogue. */
export function makeImportFinding(code: Code, domain: string, name: string, message: string, position?: SourcePosition): ImportFinding {
  const entry = entryFor(code, 'import');
  const finding: ImportFinding = { code, severity: entry.severity, domain, name, message, fix: entry.fix };
  if (entry.rfc) finding.rfc = entry.rfc;
  if (position) finding.position = position;
  return finding;
}

/** The findings for the problems a rule reported that concern an imported record. */
export function importFindings(problems: readonly Problem[], domain: string, position?: SourcePosition): ImportFinding[] {
  return problems.filter((p) => raisedBy(p.code, 'import')).map((p) => makeImportFinding(p.code, domain, p.name, p.message, position));
}

/** Report order: severity, then domain, name, code, message. */
export function compareImportFindings(a: ImportFinding, b: ImportFinding): number {
  return (
    compareSeverity(a.severity, b.severity) ||
    compareText(a.domain, b.domain) ||
    compareText(a.name, b.name) ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message)
  );
}
