// TLS-RPT numbers for a window (RFC 8460 §4.4): per policy domain and policy type, the
// sessions that succeeded and failed, the failures by result type and by receiving MX.
// Pure: reports in, sums out.

import type { TlsPolicyType, TlsReport } from './tls-rpt.js';

export interface TlsMxFailures {
  mx: string;
  failed: number;
  byResult: Record<string, number>;
}

export interface TlsPolicySummary {
  domain: string;
  type: TlsPolicyType;
  /** MTA-STS modes the senders saw (policy-string "mode: ..."). */
  modes: string[];
  reports: number;
  receivers: string[];
  successful: number;
  failed: number;
  /** failed-session-count of the failure details, by result type. */
  byResult: Record<string, number>;
  byMx: TlsMxFailures[];
  /** Failed sessions the details do not account for (senders may leave details out). */
  unattributed: number;
}

export interface TlsSummary {
  reports: number;
  receivers: string[];
  policies: TlsPolicySummary[];
}

function sortedRecord(r: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...r.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

interface PolicyAcc {
  out: Omit<TlsPolicySummary, 'byResult' | 'byMx' | 'modes' | 'receivers' | 'unattributed'>;
  modes: Set<string>;
  receivers: Set<string>;
  byResult: Map<string, number>;
  byMx: Map<string, { failed: number; byResult: Map<string, number> }>;
  detailed: number;
}

export class TlsAggregator {
  private readonly policies = new Map<string, PolicyAcc>();
  private readonly receivers = new Set<string>();
  private reports = 0;

  add(report: TlsReport): void {
    this.reports++;
    this.receivers.add(report.organization);
    for (const p of report.policies) {
      const key = `${p.domain}\n${p.type}`;
      let acc = this.policies.get(key);
      if (!acc) {
        acc = {
          out: { domain: p.domain, type: p.type, reports: 0, successful: 0, failed: 0 },
          modes: new Set(),
          receivers: new Set(),
          byResult: new Map(),
          byMx: new Map(),
          detailed: 0,
        };
        this.policies.set(key, acc);
      }
      acc.out.reports++;
      acc.receivers.add(report.organization);
      if (p.stsMode) acc.modes.add(p.stsMode);
      acc.out.successful += p.successfulSessions;
      acc.out.failed += p.failedSessions;
      for (const d of p.failures) {
        acc.detailed += d.failedSessions;
        acc.byResult.set(d.resultType, (acc.byResult.get(d.resultType) ?? 0) + d.failedSessions);
        const mxName = d.receivingMx ?? '(not named)';
        const mx = acc.byMx.get(mxName) ?? { failed: 0, byResult: new Map<string, number>() };
        mx.failed += d.failedSessions;
        mx.byResult.set(d.resultType, (mx.byResult.get(d.resultType) ?? 0) + d.failedSessions);
        acc.byMx.set(mxName, mx);
      }
    }
  }

  result(): TlsSummary {
    const policies = [...this.policies.values()]
      .map(
        (a): TlsPolicySummary => ({
          ...a.out,
          modes: [...a.modes].sort(),
          receivers: [...a.receivers].sort(),
          byResult: sortedRecord(a.byResult),
          byMx: [...a.byMx.entries()]
            .map(([mx, v]) => ({ mx, failed: v.failed, byResult: sortedRecord(v.byResult) }))
            .sort((x, y) => y.failed - x.failed || x.mx.localeCompare(y.mx)),
          unattributed: Math.max(0, a.out.failed - a.detailed),
        }),
      )
      .sort((x, y) => x.domain.localeCompare(y.domain) || x.type.localeCompare(y.type));
    return { reports: this.reports, receivers: [...this.receivers].sort(), policies };
  }
}

export function summarizeTls(reports: Iterable<TlsReport>): TlsSummary {
  const agg = new TlsAggregator();
  for (const r of reports) agg.add(r);
  return agg.result();
}
