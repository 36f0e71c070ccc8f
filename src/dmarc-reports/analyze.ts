// The shell of `mailrec dmarc simulate`: read the reports, pick the proposed
// records, ask DNS when allowed, simulate, and work out the fix for each source
// that would lose mail. Returns data for the renderers; never prints.

import type { Resolver } from '../dns/resolver.js';
import { InputError } from '../base/errors.js';
import type { Policy } from '../policy/model.js';
import { planSourceFix, type SourceFix } from './fix.js';
import type { ReadLimits } from './limits.js';
import { isAtOrBelow } from './org-domain.js';
import { readReports, type ReportSet } from './read-reports.js';
import { readDispositionPolicy, proposedFromPolicy, type DispositionPolicy, type ProposedRecord } from './record.js';
import type { ReadError, ReadWarning } from './report.js';
import { resolveExistence, resolveSourceNames, type SourceName } from './resolve.js';
import { simulate, type Simulation, type SourceImpact } from './simulate.js';
import type { Coverage } from './window.js';

export interface AnalyzeOptions {
  paths: readonly string[];
  /** Shown paths are relative to this directory. */
  base?: string;
  policy?: Policy;
  /** --record: the proposed record text. */
  record?: string;
  /** --domain: only mail from this domain (and below); with --record, the domain the record is for. */
  domain?: string;
  /** --resolve: reverse DNS for sources, existence for np=, and DNS for the policy's SPF terms. */
  resolver?: Resolver;
  /** Sources shown (and fixed); 0 for all. Default 20. */
  top?: number;
  /** --trust-receiver: DKIM and SPF as the receivers evaluated them, not recomputed. */
  trustReceiver?: boolean;
  limits?: Partial<ReadLimits>;
  onFile?: (done: number, total: number) => void;
  /** Real paths that may be read (the zone repo's rule); default: any. */
  allow?: (real: string) => boolean;
}

export interface SourceReport extends SourceImpact {
  name?: SourceName;
  fixes: SourceFix[];
}

export interface OperatorGroup {
  operator: string;
  sources: number;
  messages: number;
  lost: number;
  mayLose: number;
}

export interface DmarcAnalysis {
  proposedFrom: 'policy' | 'record';
  proposed: { domain: string; text: string }[];
  input: {
    files: number;
    reports: number;
    messages: number;
    /** With --domain: the messages whose header_from is the domain or below it (what the tables count). */
    domain?: { name: string; messages: number };
    duplicates: number;
    receivers: ReportSet['receivers'];
    schemas: ReportSet['schemas'];
    begin?: number;
    end?: number;
    errors: ReadError[];
    warnings: ReadWarning[];
  };
  simulation: Omit<Simulation, 'sources'>;
  /** Sources that would lose mail under the proposed record (lost or lost unless overridden), the top ones. */
  sources: SourceReport[];
  /** Sources that would lose mail (sources holds the top ones). */
  sourceCount: number;
  /** Every source in the simulation, losing mail or not. */
  allSources: number;
  /** With --resolve: sources grouped by their reverse-DNS name's organizational domain. */
  operators?: OperatorGroup[];
  resolved: boolean;
  /** Read from the archive over a time window: which days and receivers the reports cover. */
  coverage?: Coverage;
}

/** The proposed records: --record (for --domain, or in place of each published one), else the policy's. */
export function chooseProposed(options: Pick<AnalyzeOptions, 'policy' | 'record' | 'domain'>): {
  proposed: ProposedRecord[];
  replacePublished?: { text: string; record: DispositionPolicy };
} {
  if (options.record !== undefined) {
    const parsed = readDispositionPolicy(options.record);
    if (!parsed.ok) throw new InputError(`--record: ${parsed.reason}`, 'e.g. --record "v=DMARC1; p=reject"');
    const text = options.record.trim();
    if (options.domain !== undefined) return { proposed: [{ domain: options.domain, text, record: parsed.record }] };
    return { proposed: [], replacePublished: { text, record: parsed.record } };
  }
  if (!options.policy) throw new InputError('no proposed DMARC record', 'pass --record "v=DMARC1; ..." or a policy with --policy');
  const proposed = proposedFromPolicy(options.policy.domains);
  if (proposed.length === 0) throw new InputError('the policy publishes no DMARC record', 'add dmarc: to a domain, or pass --record');
  if (options.domain !== undefined && !proposed.some((p) => isAtOrBelow(options.domain!, p.domain)))
    throw new InputError(`the policy has no DMARC record for ${options.domain} or a parent of it`, 'pass --record, or add dmarc: to the domain');
  return { proposed };
}

function normalizeDomain(domain: string | undefined): string | undefined {
  return domain === undefined ? undefined : domain.trim().toLowerCase().replace(/\.$/, '');
}

export async function analyzeReports(options: AnalyzeOptions): Promise<DmarcAnalysis> {
  const domain = normalizeDomain(options.domain);
  const choice = chooseProposed({ ...options, ...(domain !== undefined ? { domain } : {}) });
  const set = await readReports(options.paths, {
    ...(options.base !== undefined ? { base: options.base } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.onFile ? { onFile: options.onFile } : {}),
    ...(options.allow ? { allow: options.allow } : {}),
  });
  const resolver = options.resolver;

  let exists: Map<string, boolean> | undefined;
  if (resolver) {
    // np= concerns names below the domain a record is found at (RFC 9989): ask only about those.
    const parents = [...choice.proposed.map((p) => p.domain)];
    const names = new Set<string>();
    for (const row of set.rows) {
      const below = row.headerFrom !== row.published.domain && isAtOrBelow(row.headerFrom, row.published.domain);
      const belowProposed = parents.some((p) => row.headerFrom !== p && isAtOrBelow(row.headerFrom, p));
      if (below || belowProposed) names.add(row.headerFrom);
    }
    exists = await resolveExistence([...names].sort(), resolver);
  }

  const sim = simulate({
    rows: set.rows,
    proposed: choice.proposed,
    ...(choice.replacePublished ? { replacePublished: choice.replacePublished } : {}),
    ...(domain !== undefined ? { domain } : {}),
    ...(exists ? { exists } : {}),
    ...(options.trustReceiver ? { trustReceiver: true } : {}),
  });

  // "Sources that would lose mail" holds those only: the rest lose nothing under the proposal.
  const losers = sim.sources.filter((s) => s.lost > 0 || s.mayLose > 0);
  const top = options.top ?? 20;
  const shown = top === 0 ? losers : losers.slice(0, top);
  const names = resolver ? await resolveSourceNames(shown.map((s) => s.ip), resolver) : undefined;
  const recordOf = (recordDomain: string): DispositionPolicy | undefined =>
    choice.replacePublished?.record ?? choice.proposed.find((p) => p.domain === recordDomain)?.record;
  const sources: SourceReport[] = [];
  for (const source of shown) {
    const name = names?.get(source.ip);
    const fixes: SourceFix[] = [];
    if (source.lost > 0 || source.mayLose > 0) {
      for (const d of source.domains) {
        if (d.lost === 0 && d.mayLose === 0) continue;
        const record = recordOf(d.recordDomain);
        fixes.push(await planSourceFix(source, d, options.policy, resolver, name, record?.adkim ?? 'r', record?.aspf ?? 'r'));
      }
    }
    sources.push({ ...source, ...(name ? { name } : {}), fixes });
  }

  let operators: OperatorGroup[] | undefined;
  if (names) {
    const groups = new Map<string, OperatorGroup>();
    for (const s of sources) {
      const operator = s.name?.operator ?? '(no reverse DNS)';
      const g = groups.get(operator) ?? { operator, sources: 0, messages: 0, lost: 0, mayLose: 0 };
      g.sources++;
      g.messages += s.messages;
      g.lost += s.lost;
      g.mayLose += s.mayLose;
      groups.set(operator, g);
    }
    operators = [...groups.values()].sort((a, b) => b.lost - a.lost || b.mayLose - a.mayLose || b.messages - a.messages || a.operator.localeCompare(b.operator));
  }

  const { sources: _all, ...simulation } = sim;
  const proposed = choice.replacePublished
    ? [...new Set(sim.domains.map((d) => d.domain))].map((d) => ({ domain: d, text: choice.replacePublished!.text }))
    : choice.proposed.filter((p) => domain === undefined || isAtOrBelow(p.domain, domain) || isAtOrBelow(domain, p.domain)).map((p) => ({ domain: p.domain, text: p.text }));
  const input: DmarcAnalysis['input'] = {
    files: set.files,
    reports: set.reports,
    messages: set.messages,
    duplicates: set.duplicates.length,
    receivers: set.receivers,
    schemas: set.schemas,
    errors: set.errors,
    warnings: set.warnings,
  };
  if (domain !== undefined) {
    const messages = set.rows.filter((r) => isAtOrBelow(r.headerFrom, domain)).reduce((n, r) => n + r.count, 0);
    input.domain = { name: domain, messages };
  }
  if (set.begin !== undefined) input.begin = set.begin;
  if (set.end !== undefined) input.end = set.end;
  const analysis: DmarcAnalysis = {
    proposedFrom: options.record !== undefined ? 'record' : 'policy',
    proposed,
    input,
    simulation,
    sources,
    sourceCount: losers.length,
    allSources: sim.sources.length,
    resolved: resolver !== undefined,
  };
  if (operators) analysis.operators = operators;
  return analysis;
}
