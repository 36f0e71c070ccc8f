// Findings: the one Severity, what a protocol rule reports (a Problem: code, name, words),
// and the audit's Finding with the evidence it rests on. Findings are data, never
// exceptions; the catalogue in codes.ts gives each code its severity, category, RFC
// section, one-line fix and the stages that raise it.

import type { Answer, FailureCause } from '../dns/resolver.js';
import { entryFor, type Code } from './codes.js';

export type Severity = 'error' | 'warning' | 'info';

/** The audit's scored categories, drift, and the codes of plan's zone rules and of import. */
export type Category = 'spf' | 'dmarc' | 'dkim' | 'mx' | 'transport' | 'drift' | 'zone' | 'import';

/** The categories the score weighs (audit/score.ts). */
export type ScoredCategory = Exclude<Category, 'drift' | 'zone' | 'import'>;

/**
 * One problem a protocol rule (src/mail/<protocol>/rules.ts) found: its code, the DNS name
 * it concerns, and the words every stage reports it with. plan, audit and import wrap it
 * in their own shape (Notice, Finding, ImportFinding) and keep the codes they raise.
 */
export interface Problem {
  code: Code;
  name: string;
  message: string;
}

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
export function findingOf(problem: Problem, domain: string, evidence: Evidence): Finding {
  return makeFinding(problem.code, domain, problem.name, problem.message, evidence);
}

/** An audit finding for a code: severity, category, RFC and fix come from CODES. */
export function makeFinding(
  code: Code,
  domain: string,
  name: string,
  message: string,
  evidence: Evidence,
): Finding {
  const entry = entryFor(code, 'audit');
  return {
    code,
    severity: entry.severity,
    domain,
    name,
    category: entry.category,
    message,
    rfc: entry.rfc ?? '',
    fix: entry.fix,
    evidence,
  };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then infos. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}
const CATEGORY_RANK: Record<Category, number> = { spf: 0, dmarc: 1, dkim: 2, mx: 3, transport: 4, drift: 5, zone: 6, import: 7 };

/** The fixed report order: category, severity, code, name, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    CATEGORY_RANK[a.category] - CATEGORY_RANK[b.category] ||
    compareSeverity(a.severity, b.severity) ||
    compareText(a.code, b.code) ||
    compareText(a.name, b.name) ||
    compareText(a.message, b.message)
  );
}

/** Code-unit order, independent of the locale (reports must not depend on it). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
