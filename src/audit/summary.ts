// The audit run model every audit renderer reads, the summary with the pass/fail verdict,
// and one domain in the JSON schema "mailrec-audit/1" (docs/audit-json.md). The renderers
// are in src/report/audit-json.ts.

import type { SpfTreeNode } from './checks/spf.js';
import type { Finding, Severity } from '../base/finding.js';
import type { ShardInfo } from './shard.js';
import type { DomainReport } from './run.js';
import type { RunComparison } from './history/compare.js';
import { regressionFailures } from './history/regressions.js';
import { recordsOf, type RecordSetJson } from './records.js';
import type { CategoryScore, Coverage, PathStep, ScoredCategory } from './score.js';
import type { SourcePosition } from '../base/errors.js';
import type { DomainPolicy } from '../policy/model.js';

export const AUDIT_SCHEMA = 'mailrec-audit/1';

export type FailOn = 'error' | 'warning';

/** Where the answers came from; with --zones, which file each zone was read from and what was skipped. */
export interface AuditSourceInfo {
  kind: 'dns' | 'authoritative' | 'zones';
  description: string;
  zones?: { apex: string; files: string[] }[];
  skipped?: { file: string; reason: string }[];
}

/** One audit run, as the CLI hands it to a renderer. */
export interface AuditRun {
  reports: DomainReport[];
  source: AuditSourceInfo;
  failUnder?: number;
  /** --allow-unknown: --fail-under compares the score, not the worst case (unknown counted as failed). */
  allowUnknown?: boolean;
  failOn?: FailOn;
  /** What the run learnt about its source, said once (e.g. a resolver that does not recurse). */
  notes?: string[];
  /** -v: the text header lists every skipped file, not only the first few. */
  verbose?: boolean;
  /** The policy of each audited domain that has one (drift was checked; SARIF locations). */
  policies?: ReadonlyMap<string, DomainPolicy>;
  /** Where each domain was listed, for a run from --domains-file (SARIF locations). */
  domainPositions?: ReadonlyMap<string, SourcePosition>;
  /** mailrec's version, for SARIF's tool.driver. */
  toolVersion?: string;
  /** The run audited one shard of a list (--shard K/N): recorded for `audit merge`. */
  shard?: ShardInfo;
  /** --compare / --history: what changed since the previous run. */
  comparison?: RunComparison;
  /** --fail-on-new: new findings of this severity or worse fail the run. */
  failOnNew?: FailOn;
}

export interface AuditSummary {
  domains: number;
  /** Domains with a score (at least one category could be scored). */
  scored: number;
  lowestScore: number | null;
  findings: Record<Severity, number>;
  /** Domains with a category left out because lookups failed. */
  unknown: string[];
  /** Domains scored on less than their full weight: an unknown category or an unknown check. */
  uncovered: string[];
  failUnder: number | null;
  /** --fail-under compared the score (true) or the worst case, unknowns counted as failed (false). */
  allowUnknown: boolean;
  failOn: FailOn | null;
  /** --fail-on-new, with --compare or --history. */
  failOnNew?: FailOn | null;
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

/** "97.5" or "100": points of weight with at most two decimals, no trailing zeros. */
export function formatPoints(points: number): string {
  return Number.isInteger(points) ? String(points) : points.toFixed(2).replace(/0$/, '');
}

/** A domain's coverage is below its full weight: an unknown category or an unknown check. */
export function isUncovered(report: DomainReport): boolean {
  return report.score.coverage.points < report.score.coverage.of;
}

/** Why a domain fails --fail-under, or undefined when it does not. */
function failUnderFailure(r: DomainReport, failUnder: number, allowUnknown: boolean): string | undefined {
  const { score, worstCase, coverage } = r.score;
  if (score === null) return `${r.domain} has no score (no category could be scored), so it does not reach ${failUnder}`;
  if (allowUnknown || !isUncovered(r)) return score < failUnder ? `${r.domain} scores ${score}, under ${failUnder}` : undefined;
  // Unknown weight counts as failed: nothing shows that it would pass.
  const worst = worstCase ?? 0;
  if (worst >= failUnder) return undefined;
  const unknown = formatPoints(coverage.of - coverage.points);
  return `${r.domain} scores ${score} on ${formatPoints(coverage.points)} of ${coverage.of} points; with the ${unknown} unknown points counted as failed it scores ${worst}, under ${failUnder} (--allow-unknown compares the ${score})`;
}

/**
 * Counts and the verdict. --fail-under N fails a domain whose worst case (every unknown
 * category and check counted as failed) is under N, and one with no score at all; with
 * --allow-unknown it compares the score instead. --fail-on fails a domain with a finding
 * of that severity or worse, drift included.
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
      const failure = failUnderFailure(r, run.failUnder, run.allowUnknown ?? false);
      if (failure !== undefined) failures.push(failure);
    }
    const failing = failingFindings(r.findings, run.failOn);
    if (failing.length > 0) {
      const n = failing.length;
      failures.push(`${r.domain} has ${n} finding${n === 1 ? '' : 's'} at --fail-on ${run.failOn} (${[...new Set(failing.map((f) => f.code))].join(', ')})`);
    }
  }
  const summary: AuditSummary = {
    domains: run.reports.length,
    scored,
    lowestScore: lowest,
    findings,
    unknown: run.reports.filter((r) => r.unknownCategories.length > 0).map((r) => r.domain),
    uncovered: run.reports.filter(isUncovered).map((r) => r.domain),
    failUnder: run.failUnder ?? null,
    allowUnknown: run.allowUnknown ?? false,
    failOn: run.failOn ?? null,
    failOnNew: run.failOnNew ?? null,
    passed: failures.length === 0,
    failures,
  };
  return run.comparison ? withRegressions(summary, run.comparison, run.failOnNew) : summary;
}

/** The summary with the regressions of a comparison under --fail-on-new added to its failures (exit 2). */
export function withRegressions(summary: AuditSummary, comparison: RunComparison, failOnNew: FailOn | undefined): AuditSummary {
  const regressions = regressionFailures(comparison, failOnNew);
  if (regressions.length === 0) return { ...summary, failOnNew: failOnNew ?? null };
  return { ...summary, failOnNew: failOnNew ?? null, passed: false, failures: [...summary.failures, ...regressions] };
}

/** One domain's json object as one NDJSON line, `{"schema":"mailrec-audit/1","type":"domain",...}`. */
export function domainJsonLine(domain: DomainJson): string {
  return `${JSON.stringify({ schema: AUDIT_SCHEMA, type: 'domain', ...domain })}\n`;
}

/** The report with notes the run adds (drift, from the caller) after its own. */
export function withExtraNotes(report: DomainReport, extra: readonly string[]): DomainReport {
  return extra.length > 0 ? { ...report, notes: [...report.notes, ...extra] } : report;
}

/** One domain in the JSON schema (docs/audit-json.md). */
export interface DomainJson {
  domain: string;
  score: number | null;
  /** The weight the score rests on (docs/score.md "Coverage"). */
  coverage: Coverage;
  /** The score with every unknown counted as failed: what --fail-under compares. */
  worstCase: number | null;
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
  /** The answers about the domain's own names (absent in the output of an older mailrec). */
  records?: RecordSetJson[];
}

export function domainJson(report: DomainReport, hasPolicy: boolean): DomainJson {
  return {
    domain: report.domain,
    score: report.score.score,
    coverage: report.score.coverage,
    worstCase: report.score.worstCase,
    categories: report.score.categories,
    unknownCategories: report.unknownCategories,
    findings: report.findings,
    pathTo100: report.score.pathTo100,
    notes: report.notes,
    drift: hasPolicy ? 'checked' : 'no-policy',
    ...(report.spf ? { spf: report.spf } : {}),
    questions: report.asked.length,
    records: report.records ?? recordsOf(report.domain, report.answers ?? []),
  };
}
