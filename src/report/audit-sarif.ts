// The audit as SARIF 2.1.0 (OASIS, for GitHub code scanning): one rule per finding code
// from the catalogue, one result per finding, located at the policy line that declared
// the record (or the --domains-file line), and always at the DNS name as a logical location.

import { codeEntry } from '../base/codes.js';
import type { Finding, Severity } from '../base/finding.js';
import type { SourcePosition } from '../base/errors.js';
import type { DomainPolicy } from '../policy/model.js';
import type { AuditRun } from '../audit/summary.js';
import { fingerprintOf } from '../audit/history/fingerprint.js';
import type { RunComparison } from '../audit/history/compare.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF 2.1.0 §3.27.10: error, warning, note. */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** "RFC 7208 §4.6.4, §12" -> the RFC Editor's page for the first section cited. */
export function rfcUri(rfc: string): string | undefined {
  const m = /RFC (\d+)(?: (?:§([\d.]+)|(Appendix [A-Z])))?/.exec(rfc);
  if (!m) return undefined;
  const anchor = m[2] ? `#section-${m[2].replace(/\.$/, '')}` : m[3] ? `#appendix-${m[3].slice(-1)}` : '';
  return `https://www.rfc-editor.org/rfc/rfc${m[1]}${anchor}`;
}

/** "spf.too-many-lookups" -> "SpfTooManyLookups" (SARIF §3.49.7: a rule name is an identifier). */
function ruleName(code: string): string {
  return code
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Where the policy declared what a finding is about: the DKIM key, SRV, TLSA, DMARC,
 * MTA-STS or TLS-RPT entry whose record lives at the finding's name, else the entry of the
 * finding's family, else the domain itself.
 */
export function policyPositionOf(policy: DomainPolicy, finding: Pick<Finding, 'code' | 'name'>): SourcePosition {
  const d = policy.name;
  const name = finding.name;
  const key = policy.dkim.find((k) => `${k.selector}._domainkey.${d}` === name);
  if (key) return key.position;
  const srv = policy.srv.find((s) => `_${s.service}._${s.protocol}.${d}` === name);
  if (srv) return srv.position;
  const tlsa = policy.tlsa.find((t) => `_${t.port}._${t.protocol}.${t.host}` === name);
  if (tlsa) return tlsa.position;
  if (name === `_dmarc.${d}` && policy.dmarc) return policy.dmarc.position;
  if (name === `_mta-sts.${d}` && policy.mtaSts) return policy.mtaSts.position;
  if (name === `_smtp._tls.${d}` && policy.tlsRpt) return policy.tlsRpt.position;
  const family = finding.code.slice(0, finding.code.indexOf('.'));
  if (family === 'dmarc' && policy.dmarc) return policy.dmarc.position;
  if (family === 'dkim' && policy.dkim[0]) return policy.dkim[0].position;
  if (family === 'mta-sts' && policy.mtaSts) return policy.mtaSts.position;
  if (family === 'tls-rpt' && policy.tlsRpt) return policy.tlsRpt.position;
  if (family === 'tlsa' && policy.tlsa[0]) return policy.tlsa[0].position;
  if (family === 'srv' && policy.srv[0]) return policy.srv[0].position;
  return policy.position;
}

function location(f: Finding, run: AuditRun): Record<string, unknown> {
  const policy = run.policies?.get(f.domain);
  const position = policy ? policyPositionOf(policy, f) : run.domainPositions?.get(f.domain);
  const logical = [{ name: f.name, fullyQualifiedName: `${f.name}.`, kind: 'resource' }];
  if (!position) return { logicalLocations: logical };
  return {
    physicalLocation: {
      artifactLocation: { uri: position.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
      region: { startLine: position.line, startColumn: position.column },
    },
    logicalLocations: logical,
  };
}

/**
 * SARIF 2.1.0 §3.27.24 baselineState of each finding against the previous run: "new" when
 * the comparison counts it new or its domain was not audited then, else "unchanged". Of
 * several findings with one fingerprint, the last ones are the new ones (as compare.ts
 * matches them).
 */
function baselineStates(findings: readonly Finding[], comparison: RunComparison): ('new' | 'unchanged')[] {
  const added = new Set(comparison.domainsAdded);
  const fresh = new Map<string, number>();
  for (const f of comparison.new) fresh.set(f.fingerprint, (fresh.get(f.fingerprint) ?? 0) + 1);
  const prints = findings.map((f) => fingerprintOf(f));
  const left = new Map<string, number>();
  for (const p of prints) left.set(p, (left.get(p) ?? 0) + 1);
  return findings.map((f, i) => {
    const p = prints[i]!;
    const remaining = left.get(p)!;
    left.set(p, remaining - 1);
    return added.has(f.domain) || remaining <= (fresh.get(p) ?? 0) ? 'new' : 'unchanged';
  });
}

/** The comparison in the run's properties: resolved findings are not results (code scanning would open alerts for them). */
function comparisonProperties(c: RunComparison): Record<string, unknown> {
  const brief = (f: RunComparison['resolved'][number]) => ({ fingerprint: f.fingerprint, code: f.code, severity: f.severity, domain: f.domain, name: f.name });
  return {
    previous: c.previous,
    counts: c.counts,
    resolved: c.resolved.map(brief),
    unknown: c.unknown.map(brief),
    scores: c.scores,
    records: c.records,
    domainsAdded: c.domainsAdded,
    domainsRemoved: c.domainsRemoved,
  };
}

export function renderAuditSarif(run: AuditRun): string {
  const findings = run.reports.flatMap((r) => r.findings);
  const codes = [...new Set(findings.map((f) => f.code))].sort();
  const rules = codes.map((code) => {
    const entry = codeEntry(code);
    const title = entry?.title ?? code;
    const fix = entry?.fix ?? '';
    const rfc = entry?.rfc;
    const uri = rfc ? rfcUri(rfc) : undefined;
    return {
      id: code,
      name: ruleName(code),
      shortDescription: { text: title },
      fullDescription: { text: `${title}. ${fix}${rfc ? ` (${rfc})` : ''}` },
      help: { text: fix, markdown: `${fix}${rfc ? `\n\n${uri ? `[${rfc}](${uri})` : rfc}` : ''}` },
      ...(uri ? { helpUri: uri } : {}),
      defaultConfiguration: { level: LEVEL[entry?.severity ?? 'warning'] },
      properties: {
        category: entry?.category ?? 'unknown',
        penalty: entry?.penalty ?? 0,
        rfc: entry?.rfc ?? '',
        tags: ['mail', 'dns', entry?.category ?? 'unknown'],
      },
    };
  });
  const ruleIndex = new Map(codes.map((c, i) => [c, i]));
  const baseline = run.comparison ? baselineStates(findings, run.comparison) : undefined;
  const results = findings.map((f, i) => ({
    ruleId: f.code,
    ruleIndex: ruleIndex.get(f.code)!,
    level: LEVEL[f.severity],
    message: { text: `${f.domain}: ${f.message}` },
    locations: [location(f, run)],
    partialFingerprints: { 'mailrecFinding/v1': fingerprintOf(f) },
    ...(baseline ? { baselineState: baseline[i] } : {}),
    properties: {
      domain: f.domain,
      dnsName: f.name,
      category: f.category,
      rfc: f.rfc,
      fix: f.fix,
      evidence: f.evidence,
    },
  }));
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mailrec', ...(run.toolVersion ? { version: run.toolVersion } : {}), rules } },
        results,
        columnKind: 'utf16CodeUnits',
        properties: {
          source: run.source.description,
          scores: run.reports.map((r) => ({ domain: r.domain, score: r.score.score, coverage: r.score.coverage, worstCase: r.score.worstCase })),
          ...(run.notes && run.notes.length > 0 ? { notes: run.notes } : {}),
          ...(run.comparison ? { comparison: comparisonProperties(run.comparison) } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
