// The audit as JSON, schema "mailrec-audit/1" (docs/audit-json.md): the whole run, one
// domain per line (NDJSON) for streaming bulk runs, and the merged run of `audit merge`.

import type { MergedAudit } from '../audit/merge.js';
import type { DomainReport } from '../audit/run.js';
import { AUDIT_SCHEMA, domainJson, domainJsonLine, summarizeAudit, type AuditRun, type AuditSummary, type DomainJson } from '../audit/summary.js';
import type { RunComparison } from '../audit/history/compare.js';

/** The whole run as one JSON document. */
export function renderAuditJson(run: AuditRun): string {
  const doc = {
    schema: AUDIT_SCHEMA,
    source: run.source,
    ...(run.notes && run.notes.length > 0 ? { notes: run.notes } : {}),
    domains: run.reports.map((r) => domainJson(r, run.policies?.has(r.domain) ?? false)),
    ...(run.comparison ? { comparison: run.comparison } : {}),
    summary: summarizeAudit(run),
    ...(run.shard ? { shard: run.shard } : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** One domain's json object as one NDJSON line (what renderAuditJsonLine writes, from the object already made). */
export function renderDomainJsonLine(domain: DomainJson): string {
  return domainJsonLine(domain);
}

/** The comparison with the previous run as one NDJSON line, written just before the summary line. */
export function renderComparisonLine(comparison: RunComparison): string {
  return `${JSON.stringify({ schema: AUDIT_SCHEMA, type: 'comparison', ...comparison })}\n`;
}

/**
 * One domain as one line of NDJSON, `{"schema":"mailrec-audit/1","type":"domain",...}`, so
 * that a bulk run can print each domain as soon as it is done (docs/audit-json.md).
 */
export function renderAuditJsonLine(report: DomainReport, hasPolicy: boolean): string {
  return renderDomainJsonLine(domainJson(report, hasPolicy));
}

/**
 * The closing line of an NDJSON stream: `{"schema":"mailrec-audit/1","type":"summary",...}`,
 * with the source and the shard of the run when given (`audit merge` reads them).
 */
export function renderAuditSummaryLine(summary: AuditSummary, run?: Pick<AuditRun, 'source' | 'shard' | 'notes'>): string {
  const extra = {
    ...(run?.source ? { source: run.source } : {}),
    ...(run?.notes && run.notes.length > 0 ? { notes: run.notes } : {}),
    ...(run?.shard ? { shard: run.shard } : {}),
  };
  return `${JSON.stringify({ schema: AUDIT_SCHEMA, type: 'summary', ...summary, ...extra })}\n`;
}

/** The merged run as one `mailrec-audit/1` JSON document: the domains exactly as the parts wrote them. */
export function renderMergedJson(merged: MergedAudit, run: AuditRun): string {
  const doc = {
    schema: AUDIT_SCHEMA,
    source: merged.source,
    domains: merged.domains,
    ...(run.comparison ? { comparison: run.comparison } : {}),
    summary: summarizeAudit(run),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
