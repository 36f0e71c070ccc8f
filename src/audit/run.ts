// auditDomain / auditDomains: every check for a domain over one recording resolver,
// findings merged (with the policy drift the plan engine supplies) and scored.

import type { Resolver } from '../dns/resolver.js';
import type { DomainPolicy } from '../policy/model.js';
import { analyzeSpf, checkFlattened, type SpfTreeNode } from './checks/spf.js';
import { checkCname } from './checks/cname.js';
import { checkDkim, type DkimSelector } from './checks/dkim.js';
import { checkDmarc } from './checks/dmarc.js';
import { checkMx } from './checks/mx.js';
import { checkSrv } from './checks/srv.js';
import { checkTransport } from './checks/transport.js';
import { RecordingResolver, unknownFinding, type RecordedAnswer } from './evidence.js';
import type { RecordSetJson } from './records.js';
import { recordsOf } from '../dns/answers.js';
import { checkLiveTransport, reconcileDnssecFindings, type LiveTransportOptions } from './probe/live.js';
import { compareFindings, type Asked, type Finding } from '../base/finding.js';
import { scoreDomain, SCORED_CATEGORIES, type NotApplicable, type ScoreCard, type ScoredCategory } from './score.js';
import { mapBounded, type Limiter } from '../base/limiter.js';

export interface AuditOptions {
  /** The domain's declared policy: DKIM selectors and states, MX expectation, senders. */
  policyDomain?: DomainPolicy;
  /** DKIM selectors named on the command line (besides the policy's). */
  selectors?: string[];
  /** Drift findings from the plan engine, merged as they are. */
  driftFindings?: Finding[];
  /** DKIM key lifecycle findings from the zone repo (key age, signer configs), merged as they are. */
  keyFindings?: Finding[];
  /** The private keys in the repo's key directory by selector (file and public p=), for dkim.key-mismatch. */
  privateKeys?: ReadonlyMap<string, { file: string; p?: string }>;
  /**
   * Run the live probes (src/audit/probe/: STARTTLS and DANE against the MX hosts, the
   * MTA-STS policy over HTTPS). The CLI sets it from --probe/--no-probe (false with
   * --zones: no network). Undefined means false: the core never opens a connection unless asked.
   */
  probe?: boolean;
  /** Ports, timeouts and CA bundle for the probes (tests point them at local peers). */
  probeOptions?: Omit<LiveTransportOptions, 'mxHosts' | 'policyDomain'>;
}

export interface DomainReport {
  domain: string;
  /** Sorted: category, severity, code, name, message. */
  findings: Finding[];
  score: ScoreCard;
  /** Categories left out of the score because lookups failed. */
  unknownCategories: ScoredCategory[];
  /** What the run could not do, in plain words (e.g. type 99 not asked). */
  notes: string[];
  /** The SPF lookup tree and totals (RFC 7208 §4.6.4), when a record was found. */
  spf?: { tree?: SpfTreeNode; lookups: number; voids: number };
  /** Every DNS question asked for this domain, in order. */
  asked: Asked[];
  /** The answers to those questions, as the resolver gave them: json keeps the domain's own (audit/records.ts). */
  answers?: RecordedAnswer[];
  /** A report read back from json: its records as written there (no answers to render). */
  records?: RecordSetJson[];
}

export async function auditDomain(domain: string, resolver: Resolver, opts: AuditOptions = {}): Promise<DomainReport> {
  const rec = new RecordingResolver(resolver);
  const policy = opts.policyDomain;
  const notes: string[] = [];

  const selectors = new Map<string, DkimSelector>();
  for (const key of policy?.dkim ?? []) {
    const privateKey = opts.privateKeys?.get(key.selector);
    selectors.set(key.selector, { selector: key.selector, state: key.state, ...(privateKey ? { privateKey } : {}) });
  }
  for (const s of opts.selectors ?? []) if (!selectors.has(s)) selectors.set(s, { selector: s });

  const sendingAddresses: string[] = [];
  const sendingHosts: string[] = [];
  for (const s of policy?.senders ?? []) {
    // Single addresses only: a range has no one PTR to confirm.
    if (s.kind === 'ip4' && /^[^/]+(\/32)?$/.test(s.cidr)) sendingAddresses.push(s.cidr.replace(/\/32$/, ''));
    if (s.kind === 'ip6' && /^[^/]+(\/128)?$/.test(s.cidr)) sendingAddresses.push(s.cidr.replace(/\/128$/, ''));
    if (s.kind === 'host') sendingHosts.push(s.host);
  }

  const mxAnswer = await rec.resolve(domain, 'MX');
  const mxHosts = [...new Set(recordsOf(mxAnswer, 'MX').map((m) => m.exchange).filter((e) => e !== ''))].sort();
  const notApplicable: NotApplicable = {};
  if (selectors.size === 0) {
    notApplicable.dkim = 'no DKIM selector declared or given (selectors cannot be discovered from DNS)';
  }
  const receivesMail = mxAnswer.status !== 'error' && mxHosts.length > 0;
  if (mxAnswer.status !== 'error' && !receivesMail) {
    notApplicable.transport = 'the domain receives no mail (no MX host), so there is no transport to secure';
  }

  const [spf, dmarc, dkim, mx, srv, cname, transport] = await Promise.all([
    analyzeSpf(domain, rec),
    checkDmarc(domain, rec, policy?.dmarc ? { policy: policy.dmarc } : {}),
    selectors.size > 0 ? checkDkim(domain, rec, { selectors: [...selectors.values()] }) : Promise.resolve([]),
    checkMx(domain, rec, { ...(policy ? { policy } : {}), sendingAddresses, sendingHosts }),
    checkSrv(domain, rec, policy ? { declared: policy.srv } : {}),
    checkCname(domain, rec),
    receivesMail
      ? checkTransport(domain, rec, { mxHosts })
      : Promise.resolve(unknownFinding('transport', domain, mxAnswer.status === 'error' ? rec.about(domain).filter((a) => a.type === 'MX' && a.status === 'error') : [])),
  ]);
  // Flattened includes (known from the policy) against the providers' trees now.
  const flattenedIncludes = (policy?.senders ?? []).flatMap((s) => (s.kind === 'include' && s.flatten ? [s.domain.toLowerCase()] : []));
  const flattened = await checkFlattened(domain, rec, spf.tree, flattenedIncludes);
  // The live probes connect to the MX hosts and the MTA-STS web server: only when asked.
  const live =
    opts.probe && receivesMail
      ? await checkLiveTransport(domain, rec, { ...opts.probeOptions, mxHosts, ...(policy ? { policyDomain: policy } : {}) })
      : [];
  if (!rec.canResolveOtherTypes) notes.push('the obsolete type 99 SPF record was not asked: the resolver asks only the common types');

  const findings = reconcileDnssecFindings(
    dedupe([...spf.findings, ...flattened, ...dmarc, ...dkim, ...mx, ...srv, ...cname, ...transport, ...live, ...(opts.driftFindings ?? []), ...(opts.keyFindings ?? [])]),
  ).sort(compareFindings);
  const score = scoreDomain(findings, notApplicable);
  const unknownCategories = SCORED_CATEGORIES.filter((c) => score.categories.some((s) => s.category === c && s.status === 'unknown'));
  for (const c of unknownCategories) notes.push(`${c} is not scored: some of its lookups failed (see ${c}.unknown)`);
  for (const c of score.categories) if (c.status === 'not-applicable') notes.push(`${c.category} is not scored: ${c.reason}`);

  return {
    domain,
    findings,
    score,
    unknownCategories,
    notes,
    ...(spf.tree ? { spf: { tree: spf.tree, lookups: spf.lookups, voids: spf.voids } } : {}),
    asked: [...rec.asked],
    answers: [...rec.answers],
  };
}

/** Identical findings (same code, name and message) from two checks are reported once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\u0000${f.name}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface AuditDomainsOptions {
  /** Domains audited at once (default 8), or a limiter whose limit may change during the run (adaptive pacing). */
  concurrency?: number | Limiter;
  /** Called after each domain, in completion order. */
  onProgress?: (done: number, total: number, domain: string) => void;
  /** Options per domain (policy, selectors, drift). */
  optionsFor?: (domain: string) => AuditOptions;
  /**
   * Called with each report as soon as its domain is done, in completion order, with the
   * domain's index in the input. A bulk run writes it out here and lets it go.
   */
  onReport?: (report: DomainReport, index: number) => void;
}

/**
 * Audits many domains with a bounded pool and hands each report to `onReport` as it
 * finishes, keeping none: memory stays flat however long the list. The resolver is shared,
 * so a question common to many domains (a provider's SPF include) is asked once.
 */
export async function auditEach(
  domains: readonly string[],
  resolver: Resolver,
  onReport: (report: DomainReport, index: number) => void,
  opts: Omit<AuditDomainsOptions, 'onReport'> = {},
): Promise<void> {
  let done = 0;
  // Each report is handed on as it finishes and not kept: memory stays flat however long the list.
  await mapBounded(domains, opts.concurrency ?? 8, async (domain, i) => {
    const report = await auditDomain(domain, resolver, opts.optionsFor?.(domain) ?? {});
    done++;
    onReport(report, i);
    opts.onProgress?.(done, domains.length, domain);
  });
}

/** Audits many domains with a bounded pool; reports come back in the input order. */
export async function auditDomains(domains: string[], resolver: Resolver, opts: AuditDomainsOptions = {}): Promise<DomainReport[]> {
  const out = new Array<DomainReport>(domains.length);
  await auditEach(
    domains,
    resolver,
    (report, i) => {
      out[i] = report;
      opts.onReport?.(report, i);
    },
    opts,
  );
  return out;
}
