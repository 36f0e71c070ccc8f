// Regressions in a comparison: the new findings at or above a severity (`--fail-on-new`),
// the lines the verdict lists for them, and the summary `--notify-command` gets on stdin.

import { compareSeverity, type Severity } from '../../base/finding.js';
import type { FailOn } from '../summary.js';
import type { ComparedFinding, RecordChange, RunComparison, ScoreChange } from './compare.js';

export const REGRESSIONS_SCHEMA = 'mailrec-regressions/1';

/** New findings of `severity` or worse (error only for "error"; error and warning for "warning"). */
export function newAtOrAbove(comparison: RunComparison, severity: FailOn): ComparedFinding[] {
  return comparison.new.filter((f) => compareSeverity(f.severity, severity) <= 0);
}

/** One line per domain with new findings at `--fail-on-new`, e.g. `example.org has 1 new error since the previous run (dmarc.missing)`. */
export function regressionFailures(comparison: RunComparison, failOnNew: FailOn | undefined): string[] {
  if (!failOnNew) return [];
  const byDomain = new Map<string, ComparedFinding[]>();
  for (const f of newAtOrAbove(comparison, failOnNew)) byDomain.set(f.domain, [...(byDomain.get(f.domain) ?? []), f]);
  const what = failOnNew === 'error' ? 'error' : 'finding';
  return [...byDomain].map(([domain, list]) => {
    const n = list.length;
    return `${domain} has ${n} new ${what}${n === 1 ? '' : 's'} since the previous run (${[...new Set(list.map((f) => f.code))].join(', ')})`;
  });
}

/** What `--notify-command` reads on stdin. No evidence beyond the records, nothing from the zone repo but names. */
export interface RegressionSummary {
  schema: typeof REGRESSIONS_SCHEMA;
  previous: RunComparison['previous'];
  /** The severity the summary is cut at: `--fail-on-new`, else warning. */
  threshold: Severity;
  counts: RunComparison['counts'];
  new: { domain: string; code: string; severity: Severity; name: string; message: string; fix: string; rfc: string; fingerprint: string }[];
  /** Domains whose score fell. */
  scoresDown: ScoreChange[];
  records: RecordChange[];
  domainsAdded: string[];
  domainsRemoved: string[];
}

/**
 * The regression summary, or undefined when nothing new at the threshold was found (the
 * notify command is then not run).
 */
export function regressionSummary(comparison: RunComparison, threshold: FailOn = 'warning'): RegressionSummary | undefined {
  const fresh = newAtOrAbove(comparison, threshold);
  if (fresh.length === 0) return undefined;
  return {
    schema: REGRESSIONS_SCHEMA,
    previous: comparison.previous,
    threshold,
    counts: comparison.counts,
    new: fresh.map((f) => ({ domain: f.domain, code: f.code, severity: f.severity, name: f.name, message: f.message, fix: f.fix, rfc: f.rfc, fingerprint: f.fingerprint })),
    scoresDown: comparison.scores.filter((s) => s.change !== null && s.change < 0),
    records: comparison.records,
    domainsAdded: comparison.domainsAdded,
    domainsRemoved: comparison.domainsRemoved,
  };
}
