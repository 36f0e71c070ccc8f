// TLS-RPT numbers for `mailrec plan --reports`: the risk note of a change that puts a domain's
// MTA-STS policy in enforce mode, or adds or changes a TLSA record of an MX host, gets what the
// senders' TLS reports say of that domain or host over the window (RFC 8460): sessions that
// failed would be deferred once the policy is enforced, or once DANE senders check the record.

import { mtaStsPolicyPath } from '../mail/mta-sts/record.js';
import type { PlannedChange, Plan } from '../plan/plan.js';
import type { Risk } from '../plan/risk.js';
import type { Policy } from '../policy/model.js';
import { formatCount, formatShare } from './impact.js';
import type { TlsSummary } from './tls-summary.js';
import { coverageSentence, type Coverage } from './window.js';

export interface TlsImpactInput {
  summary: TlsSummary;
  /** "the last 30 days". */
  window: string;
  coverage?: Coverage;
  policy: Policy;
  /** The mode of each domain's MTA-STS policy file as it is now (undefined: no file). */
  currentModes: ReadonlyMap<string, string | undefined>;
}

function modeOf(policyText: string): string | undefined {
  return /^mode:\s*([a-z]+)\s*$/m.exec(policyText)?.[1];
}

function reportsPhrase(input: TlsImpactInput): string {
  const s = input.summary;
  return `TLS reports, ${input.window} (${formatCount(s.reports)} report${s.reports === 1 ? '' : 's'} from ${formatCount(s.receivers.length)} receiver${s.receivers.length === 1 ? '' : 's'})`;
}

function withCoverage(text: string, input: TlsImpactInput): string {
  return input.coverage ? `${text}; ${coverageSentence(input.coverage)}` : text;
}

function results(byResult: Record<string, number>): string {
  return Object.entries(byResult)
    .map(([k, n]) => `${k} ${formatCount(n)}`)
    .join(', ');
}

/** The note for `_mta-sts.<domain>` when the new policy file says mode: enforce. */
function mtaStsRisk(plan: Plan, change: PlannedChange, input: TlsImpactInput): Risk | undefined {
  const domain = change.name.slice('_mta-sts.'.length);
  const file = plan.files.find((f) => f.path === mtaStsPolicyPath(domain));
  if (!file || modeOf(file.content) !== 'enforce') return undefined;
  const was = input.currentModes.get(domain);
  const what = was === 'enforce' ? 'changes the enforced MTA-STS policy' : `moves MTA-STS to enforce (from ${was ?? 'no policy'})`;
  const sts = input.summary.policies.filter((p) => p.domain === domain && p.type === 'sts');
  const total = sts.reduce((n, p) => n + p.successful + p.failed, 0);
  const failed = sts.reduce((n, p) => n + p.failed, 0);
  if (total === 0)
    return { level: 'medium', message: withCoverage(`${what}: ${reportsPhrase(input)} show no session under ${domain}'s MTA-STS policy, so no estimate (a gap is not a success)`, input) };
  if (failed === 0) return { level: 'low', message: withCoverage(`${what}: ${reportsPhrase(input)}: all ${formatCount(total)} sessions to ${domain} under its MTA-STS policy succeeded`, input) };
  const byMx = new Map<string, Map<string, number>>();
  for (const p of sts)
    for (const mx of p.byMx) {
      const into = byMx.get(mx.mx) ?? new Map<string, number>();
      for (const [k, n] of Object.entries(mx.byResult)) into.set(k, (into.get(k) ?? 0) + n);
      byMx.set(mx.mx, into);
    }
  const details = [...byMx.entries()].map(([mx, r]) => `${mx}: ${results(Object.fromEntries([...r.entries()].sort((a, b) => b[1] - a[1])))}`).join('; ');
  return {
    level: 'high',
    message: withCoverage(
      `${what}: ${reportsPhrase(input)}: ${formatShare(failed, total)} of ${formatCount(total)} sessions to ${domain} failed under its MTA-STS policy (${formatCount(failed)}${details ? `; ${details}` : ''}); enforcing would have deferred them`,
      input,
    ),
  };
}

/** The note for a TLSA record at _25._tcp.<mx host> (DANE for SMTP, RFC 7672). */
function tlsaRisk(change: PlannedChange, input: TlsImpactInput): Risk | undefined {
  const m = /^_25\._tcp\.(.+)$/.exec(change.name);
  if (!m || change.action === 'delete') return undefined;
  const host = m[1]!;
  const served = input.policy.domains.filter((d) => Array.isArray(d.mx) && d.mx.some((x) => x.host === host)).map((d) => d.name);
  const total = input.summary.policies.filter((p) => served.includes(p.domain)).reduce((n, p) => n + p.successful + p.failed, 0);
  const byResult = new Map<string, number>();
  let failed = 0;
  for (const p of input.summary.policies)
    for (const mx of p.byMx) {
      if (mx.mx !== host) continue;
      failed += mx.failed;
      for (const [k, n] of Object.entries(mx.byResult)) byResult.set(k, (byResult.get(k) ?? 0) + n);
    }
  const domains = served.length > 0 ? served.join(', ') : 'no domain of the policy';
  if (total === 0 && failed === 0)
    return { level: 'medium', message: withCoverage(`${reportsPhrase(input)} show no session to ${domains} (MX ${host}), so no estimate of what DANE senders will meet (a gap is not a success)`, input) };
  if (failed === 0) return { level: 'low', message: withCoverage(`${reportsPhrase(input)}: no failed session to ${host} of ${formatCount(total)} sessions to ${domains}`, input) };
  const share = total > 0 ? `${formatShare(failed, total)} of ${formatCount(total)} sessions to ${domains}` : `${formatCount(failed)} sessions`;
  return {
    level: 'high',
    message: withCoverage(
      `${reportsPhrase(input)}: ${share} failed at ${host} (${results(Object.fromEntries([...byResult.entries()].sort((a, b) => b[1] - a[1])))}); DANE senders would defer mail to it for as long as the served certificate does not match`,
      input,
    ),
  };
}

/** The TLS-RPT risks to add to one change of the plan. */
export function tlsRisks(plan: Plan, change: PlannedChange, input: TlsImpactInput): Risk[] {
  if (change.type === 'TXT' && change.tag === 'mta-sts' && change.action !== 'delete' && change.name.startsWith('_mta-sts.')) {
    const risk = mtaStsRisk(plan, change, input);
    return risk ? [risk] : [];
  }
  if (change.type === 'TLSA') {
    const risk = tlsaRisk(change, input);
    return risk ? [risk] : [];
  }
  return [];
}
