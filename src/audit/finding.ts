// Audit findings: what a check reports, with the evidence it rests on. Findings are
// data, never exceptions; the catalogue in codes.ts gives each code its severity,
// category, RFC section and one-line fix.

import type { Answer, FailureCause } from '../dns/resolver.js';
import { CODES, type Code } from './codes.js';

export type Severity = 'error' | 'warning' | 'info';

export type Category = 'spf' | 'dmarc' | 'dkim' | 'mx' | 'transport' | 'drift';

/** One question put to DNS and how it ended (tri-state plus the error case). */
export interface Asked {
  name: string;
  type: string;
  status: Answer['status'];
  /** For a failed lookup whose cause says more than "it may work next time". */
  cause?: FailureCause;
}

export interface Evidence {
  asked: Asked[];
  /** Record texts seen, in presentation form. */
  seen?: string[];
  /** Drift: the published records and the declared ones ("TTL TYPE rdata"). */
  before?: string[];
  after?: string[];
}

export interface Finding {
  code: string;
  severity: Severity;
  domain: string;
  /** The DNS name the finding concerns. */
  name: string;
  category: Category;
  message: string;
  rfc: string;
  fix: string;
  evidence: Evidence;
  /**
   * `<category>.check-unknown` only: the codes whose checks could not be made because a
   * lookup they need failed. Neither passed nor failed: the score counts their penalties
   * as weight not covered.
   */
  unknownChecks?: string[];
}

/** A finding for a catalogued code: severity, category, RFC and fix come from CODES. */
export function makeFinding(
  code: Code,
  domain: string,
  name: string,
  message: string,
  evidence: Evidence,
): Finding {
  const entry = CODES[code];
  return {
    code,
    severity: entry.severity,
    domain,
    name,
    category: entry.category,
    message,
    rfc: entry.rfc,
    fix: entry.fix,
    evidence,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const CATEGORY_RANK: Record<Category, number> = { spf: 0, dmarc: 1, dkim: 2, mx: 3, transport: 4, drift: 5 };

/** The fixed report order: category, severity, code, name, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    CATEGORY_RANK[a.category] - CATEGORY_RANK[b.category] ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.code, b.code) ||
    compareText(a.name, b.name) ||
    compareText(a.message, b.message)
  );
}

/** Code-unit order, independent of the locale (reports must not depend on it). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
