// The audit run model every audit renderer reads, the summary with the pass/fail verdict,
// and one domain in the JSON schema "mailrec-audit/1" (docs/audit-json.md). The renderers
// are in src/report/audit-json.ts.

import type { SpfTreeNode } from './checks/spf.js';
import type { Finding, Severity } from '../base/finding.js';
import type { ShardInfo } from './shard.js';
import type { DomainReport } from './run.js';
import type { CategoryScore, PathStep, ScoredCategory } from './score.js';
import type { SourcePosition } from '../base/errors.js';
import type { DomainPolicy } from '../policy/model.js';

export const AUDIT_SCHEMA = 'mailrec-audit/1';

export type FailOn = 'error' | 'warning';

/** One audit run, as the CLI hands it to a renderer. */
export interface AuditRun {
  reports: DomainReport[];
  source: { kind: 'dns' | 'authoritative' | 'zones'; description: string };
  failUnder?: number;
  failOn?: FailOn;
  /** The policy of each audited domain that has one (drift was checked; SARIF locations). */
  policies?: ReadonlyMap<string, DomainPolicy>;
  /** Where each domain was listed, for a run from --domains-file (SARIF locations). */
  domainPositions?: ReadonlyMap<string, SourcePosition>;
  /** mailrec's version, for SARIF's tool.driver. */
  toolVersion?: string;
  /** The run audited one shard of a list (--shard K/N): recorded for `audit merge`. */
  shard?: ShardInfo;
}

export interface AuditSummary {
  domains: number;
  /** Domains with a score (at least one category could be scored). */
  scored: number;
  lowestScore: number | null;
  findings: Record<Severity, number>;
  /** Domains with a category left out because lookups failed. */
  unknown: string[];
  failUnder: number | null;
  failOn: FailOn | null;
  /** False when a threshold was breached: the CLI exits 2. */
  passed: boolean;
  /** One line per breach. */
  failures: string[];
}

const AT_OR_ABOVE: Record<FailOn, ReadonlySet<Severity>> = {
  error: new Set(['error']),
  warning: new Set(['error', 'warning']),
};

/** Findings that fail the run under --fail-on. */
export function failingFindings(findings: readonly Finding[], failOn: FailOn | undefined): Finding[] {
  return failOn ? findings.filter((f) => AT_OR_ABOVE[failOn].has(f.severity)) : [];
}

/**
 * Counts and the verdict. --fail-under N fails a domain scoring under N, and one with no
 * score at all (every category unknown: nothing shows that it meets N). --fail-on fails a
 * domain with a finding of that severity or worse, drift included.
 */
export function summarizeAudit(run: AuditRun): AuditSummary {
  const findings: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const failures: string[] = [];
  let lowest: number | null = null;
  let scored = 0;
  for (const r of run.reports) {
    for (const f of r.findings) findings[f.severity]++;
    const s = r.score.score;
    if (s !== null) {
      scored++;
      lowest = lowest === null ? s : Math.min(lowest, s);
    }
    if (run.failUnder !== undefined) {
      if (s === null) failures.push(`${r.domain} has no score (no category could be scored), so it does not reach ${run.failUnder}`);
      else if (s < run.failUnder) failures.push(`${r.domain} scores ${s}, under ${run.failUnder}`);
    }
    const failing = failingFindings(r.findings, run.failOn);
    if (failing.length > 0) {
      const n = failing.length;
      failures.push(`${r.domain} has ${n} finding${n === 1 ? '' : 's'} at --fail-on ${run.failOn} (${[...new Set(failing.map((f) => f.code))].join(', ')})`);
    }
  }
  return {
    domains: run.reports.length,
    scored,
    lowestScore: lowest,
    findings,
    unknown: run.reports.filter((r) => r.unknownCategories.length > 0).map((r) => r.domain),
    failUnder: run.failUnder ?? null,
    failOn: run.failOn ?? null,
    passed: failures.length === 0,
    failures,
  };
}

/** One domain in the JSON schema (docs/audit-json.md). */
export interface DomainJson {
  domain: string;
  score: number | null;
  categories: CategoryScore[];
  unknownCategories: ScoredCategory[];
  findings: Finding[];
  pathTo100: PathStep[];
  notes: string[];
  /** Whether drift against a policy was checked for this domain. */
  drift: 'checked' | 'no-policy';
  spf?: { lookups: number; voids: number; tree?: SpfTreeNode };
  /** How many DNS questions the domain's checks asked. */
  questions: number;
}

export function domainJson(report: DomainReport, hasPolicy: boolean): DomainJson {
  return {
    domain: report.domain,
    score: report.score.score,
    categories: report.score.categories,
    unknownCategories: report.unknownCategories,
    findings: report.findings,
    pathTo100: report.score.pathTo100,
    notes: report.notes,
    drift: hasPolicy ? 'checked' : 'no-policy',
    ...(report.spf ? { spf: report.spf } : {}),
    questions: report.asked.length,
  };
}
