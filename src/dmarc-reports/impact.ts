// DMARC numbers for `mailrec plan --reports DIR`: the simulated impact of each
// domain's proposed record, as one sentence appended to the risk note of that
// domain's DMARC change. Reads the reports (IO); no DNS.

import { planChecksum, type Plan, type PlannedChange } from '../plan/plan.js';
import type { Risk } from '../plan/risk.js';
import type { Policy } from '../policy/model.js';
import type { ReadLimits } from './limits.js';
import { readReports } from './read-reports.js';
import { proposedFromPolicy } from './record.js';
import { simulate, type OutcomeCounts, type Simulation } from './simulate.js';
import { coverageSentence, type Coverage } from './window.js';

export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function plural(n: number, one: string): string {
  return `${formatCount(n)} ${n === 1 ? one : `${one}s`}`;
}

export function formatShare(n: number, total: number): string {
  return total === 0 ? '0.0%' : `${((100 * n) / total).toFixed(1)}%`;
}

function dispositions(c: OutcomeCounts): string {
  return `${formatCount(c.quarantined)} quarantined (${formatShare(c.quarantined, c.messages)}), ${formatCount(c.rejected)} rejected (${formatShare(c.rejected, c.messages)})`;
}

/** Top losing sources of one record domain, "ip (n)". */
function topLosers(lostByDomain: ReadonlyMap<string, Map<string, number>>, domain: string, limit: number): string[] {
  const losers = [...(lostByDomain.get(domain) ?? [])].flatMap(([ip, lost]) => (lost > 0 ? [{ ip, lost }] : []));
  losers.sort((a, b) => b.lost - a.lost || a.ip.localeCompare(b.ip));
  return losers.slice(0, limit).map((l) => `${l.ip} (${formatCount(l.lost)})`);
}

/** Messages each source would lose, by the domain of the record that decides: one pass over the sources for every domain's top losers. */
function lostBySource(sim: Simulation): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of sim.sources) {
    for (const d of s.domains) {
      let bySource = out.get(d.recordDomain);
      if (!bySource) out.set(d.recordDomain, (bySource = new Map()));
      bySource.set(s.ip, (bySource.get(s.ip) ?? 0) + d.lost);
    }
  }
  return out;
}

/**
 * One sentence per policy domain with a DMARC record: what the reports (files, directories, or
 * the archive's files of a window, with what that window covers) say its proposed record would do.
 * `allow`: the real paths that may be read (the zone repo's rule); default any.
 */
export async function summarizeDmarcImpact(
  paths: readonly string[],
  policy: Policy,
  options: { limits?: Partial<ReadLimits>; coverage?: Coverage; allow?: (real: string) => boolean } = {},
): Promise<Map<string, string>> {
  const set = await readReports(paths, { ...(options.limits ? { limits: options.limits } : {}), ...(options.allow ? { allow: options.allow } : {}) });
  const proposed = proposedFromPolicy(policy.domains);
  const sim = simulate({ rows: set.rows, proposed });
  const skipped =
    (set.errors.length > 0 ? `; ${set.errors.length} report file${set.errors.length === 1 ? '' : 's'} could not be read` : '') +
    (options.coverage ? `; ${coverageSentence(options.coverage)}` : '');
  const out = new Map<string, string>();
  const simulated = new Map(sim.domains.map((x) => [x.domain, x]));
  const lost = lostBySource(sim);
  for (const p of proposed) {
    const d = simulated.get(p.domain);
    if (!d || d.proposedCounts.messages === 0) {
      out.set(p.domain, `aggregate reports (${plural(set.reports, 'report')}): no mail from ${p.domain} in them, so no estimate${skipped}`);
      continue;
    }
    const total = d.proposedCounts.messages;
    const losers = topLosers(lost, p.domain, 3);
    const parts = [
      `aggregate reports (${plural(set.reports, 'report')}, ${plural(total, 'message')} from ${p.domain} and its subdomains): ${formatCount(d.proposedCounts.pass)} (${formatShare(d.proposedCounts.pass, total)}) pass DMARC`,
      `the new record would leave ${dispositions(d.proposedCounts)} where the published one leaves ${dispositions(d.publishedCounts)}`,
    ];
    if (d.proposedCounts.overridden > 0) parts.push(`${formatCount(d.proposedCounts.overridden)} more fail but receivers overrode the policy for them (forwarded, mailing lists...)`);
    if (losers.length > 0) parts.push(`sources that would lose mail: ${losers.join(', ')} (mailrec dmarc simulate shows the fix for each)`);
    else parts.push('no source would lose mail');
    out.set(p.domain, `${parts.join('; ')}${skipped}`);
  }
  return out;
}

/**
 * The plan with more risks on some changes, and its checksum recomputed over the same body
 * as assemblePlan (so that apply --plan-file accepts it).
 */
export function withExtraRisks(plan: Plan, extra: (change: PlannedChange) => Risk[]): Plan {
  const changes = plan.changes.map((change) => {
    const more = extra(change);
    return more.length === 0 ? change : { ...change, risks: [...change.risks, ...more] };
  });
  const body = { version: plan.version, zones: plan.zones, changes, files: plan.files, notices: plan.notices };
  return { ...body, checksum: planChecksum(body) };
}

/** Each impact sentence added to the risks of the DMARC change at _dmarc.<domain>. */
export function withDmarcImpact(plan: Plan, impacts: ReadonlyMap<string, string>): Plan {
  return withExtraRisks(plan, (change) => {
    if (change.tag !== 'dmarc' || change.action === 'delete' || !change.name.startsWith('_dmarc.')) return [];
    const message = impacts.get(change.name.slice('_dmarc.'.length));
    return message === undefined ? [] : [{ level: 'medium', message }];
  });
}
