// The simulation: every report row evaluated under the record each report says
// was published and under the proposed one. Pure: rows and records in, counts out.
//
// DMARC passes when DKIM passed for a d= aligned with the header-from domain, or
// SPF passed for a MAIL FROM domain aligned with it (RFC 9989, "Identifier Alignment" and "Mail Receiver Actions"):
// failing one of the two is not failing DMARC.

import { compareIp } from '../dns-types/ip.js';
import { isAligned, isAtOrBelow } from './org-domain.js';
import { publishedRecord, renderPublished, type DispositionPolicy, type ProposedRecord } from './record.js';
import type { Disposition, ReportRow } from './report.js';

/** Reason types (RFC 7489 App. C PolicyOverrideType, RFC 9990 §3) by which a receiver departs from the policy. */
export const OVERRIDE_REASONS = ['forwarded', 'mailing_list', 'local_policy', 'trusted_forwarder', 'sampled_out', 'policy_test_mode'] as const;
const OVERRIDES = new Set<string>(OVERRIDE_REASONS);

export type Outcome = 'delivered' | 'quarantined' | 'rejected' | 'overridden';

/** Messages by what would happen to them. delivered + quarantined + rejected + overridden = messages = pass + fail. */
export interface OutcomeCounts {
  messages: number;
  pass: number;
  fail: number;
  delivered: number;
  quarantined: number;
  rejected: number;
  /** Failing, under a quarantine or reject policy, in rows the receiver overrode: receivers may let these through. */
  overridden: number;
}

export type Existence = 'exists' | 'nonexistent' | 'unknown';

export interface Verdict {
  pass: boolean;
  dkimAligned: boolean;
  spfAligned: boolean;
  /** Which tag applied: p at the record's own domain, sp below it, np below it when the name does not exist. */
  applied: 'p' | 'sp' | 'np';
  /** The tag's value, and after t=y (RFC 9989 t tag: one step softer). */
  requested: Disposition;
  effective: Disposition;
  outcome: Outcome;
}

export interface AuthSeen {
  domain: string;
  selector?: string;
  scope?: string;
  result: string;
  /** Aligned with the header-from domain under the proposed record. */
  aligned: boolean;
  messages: number;
}

/** What one source sent as one header-from domain, with the evidence of its failing mail. */
export interface SourceDomain {
  headerFrom: string;
  /** The proposed record's domain that applies. */
  recordDomain: string;
  messages: number;
  /** Failing DMARC under the proposed record. */
  failing: number;
  lost: number;
  mayLose: number;
  /** Of the failing mail: signatures, SPF results and MAIL FROM domains, most messages first. */
  dkim: AuthSeen[];
  spf: AuthSeen[];
  /** Of the failing mail: messages per reason the receivers gave (forwarded, mailing_list...). */
  reasons: Record<string, number>;
}

export interface SourceImpact {
  ip: string;
  messages: number;
  published: OutcomeCounts;
  proposed: OutcomeCounts;
  /** Messages the proposed record would quarantine or reject that the published one let through (or quarantine -> reject). */
  lost: number;
  /** Messages the proposed record fails in rows receivers overrode: lost unless the receiver overrides again. */
  mayLose: number;
  domains: SourceDomain[];
}

export interface DomainImpact {
  /** The proposed record's domain. */
  domain: string;
  proposed: string;
  /** The published records the reports show for these rows. */
  published: string[];
  publishedCounts: OutcomeCounts;
  proposedCounts: OutcomeCounts;
  lost: number;
  mayLose: number;
}

/**
 * Where a receiver's own verdict (<policy_evaluated><dkim>/<spf>) and mailrec's
 * recomputation from <auth_results> under the published record disagree, in messages.
 * `receiverFail`: the receiver said fail, the recomputation says pass; `receiverPass`: the reverse.
 */
export interface VerdictDisagreement {
  receiver: string;
  /** Messages in rows where the receiver gave its verdict. */
  messages: number;
  dmarc: { receiverFail: number; receiverPass: number };
  dkim: { receiverFail: number; receiverPass: number };
  spf: { receiverFail: number; receiverPass: number };
}

export interface Simulation {
  /** The receivers' verdicts were used instead of the recomputation (--trust-receiver). */
  trustReceiver: boolean;
  /** Receivers whose verdicts disagree with the recomputation, most disagreeing messages first. */
  disagreements: VerdictDisagreement[];
  published: OutcomeCounts;
  proposed: OutcomeCounts;
  /** What the receivers say they did (policy_evaluated disposition). */
  reported: Record<Disposition, number>;
  /** Messages per override reason (a row with two reasons counts under both). */
  overrideReasons: Record<string, number>;
  domains: DomainImpact[];
  sources: SourceImpact[];
  /** Rows for header-from domains the proposed records do not cover: left out of every count above. */
  uncovered: { messages: number; domains: { domain: string; messages: number }[] };
  notes: string[];
}

export interface SimulationInput {
  rows: readonly ReportRow[];
  /**
   * Proposed records by domain. A row takes the one at its header-from domain or at
   * the nearest parent, as RFC 9989's DNS Tree Walk would find it.
   */
  proposed: readonly ProposedRecord[];
  /** A record (--record without --domain) that replaces each report's published record at the same domain. */
  replacePublished?: { text: string; record: DispositionPolicy };
  /** Only rows whose header-from is this domain or below it. */
  domain?: string;
  /** Header-from names known to exist or not (RFC 9989 non-existent domains: NXDOMAIN or NODATA for A, AAAA and MX), from DNS. */
  exists?: ReadonlyMap<string, boolean>;
  /** Take each row's DKIM and SPF results from the receiver's <policy_evaluated> where it gives them (--trust-receiver). */
  trustReceiver?: boolean;
}

const STRENGTH: Record<Disposition, number> = { none: 0, quarantine: 1, reject: 2 };
const SOFTER: Record<Disposition, Disposition> = { none: 'none', quarantine: 'none', reject: 'quarantine' };

/** Severity for "would lose": what is let through ranks 0. */
const RANK: Record<Outcome, number> = { delivered: 0, overridden: 0, quarantined: 1, rejected: 2 };

export function emptyCounts(): OutcomeCounts {
  return { messages: 0, pass: 0, fail: 0, delivered: 0, quarantined: 0, rejected: 0, overridden: 0 };
}

function addCounts(into: OutcomeCounts, verdict: Verdict, count: number): void {
  into.messages += count;
  if (verdict.pass) into.pass += count;
  else into.fail += count;
  into[verdict.outcome] += count;
}

/** DKIM results that can authenticate: "pass" only (RFC 9989 "DKIM-Authenticated Identifiers"; RFC 6376 §6.1). */
function dkimAligned(row: ReportRow, mode: DispositionPolicy['adkim']): boolean {
  return row.dkim.some((d) => d.result === 'pass' && isAligned(d.domain, row.headerFrom, mode));
}

/** The MAIL FROM domain an SPF result is about: its <domain>, else <envelope_from>. */
function spfDomain(row: ReportRow, spf: ReportRow['spf'][number]): string {
  return spf.domain !== '' ? spf.domain : (row.envelopeFrom ?? '');
}

/**
 * SPF counts for DMARC only for the RFC5321.MailFrom identity (RFC 9989 "SPF-Authenticated Identifiers"):
 * a result with scope "helo" does not. Reports without <scope> (RFC 7489) mean mfrom.
 */
function spfAligned(row: ReportRow, mode: DispositionPolicy['aspf']): boolean {
  return row.spf.some((s) => s.result === 'pass' && (s.scope ?? 'mfrom') === 'mfrom' && isAligned(spfDomain(row, s), row.headerFrom, mode));
}

function hasOverride(row: ReportRow): boolean {
  return row.reasons.some((r) => OVERRIDES.has(r));
}

/**
 * The tag that applies (RFC 9989 p, sp and np tags): p at the record's own domain; below it,
 * np for a name that does not exist, else sp; sp defaults to p and np to sp.
 * A name whose existence is unknown is treated as existing (sp).
 */
export function applicablePolicy(record: DispositionPolicy, recordDomain: string, headerFrom: string, existence: Existence): { applied: Verdict['applied']; requested: Disposition } {
  if (headerFrom === recordDomain) return { applied: 'p', requested: record.p };
  const sp = record.sp ?? record.p;
  if (existence === 'nonexistent') return { applied: 'np', requested: record.np ?? sp };
  return { applied: 'sp', requested: sp };
}

/** One row under one record; with `trustReceiver`, DKIM and SPF as the receiver evaluated them where it says. */
export function evaluateRow(row: ReportRow, record: DispositionPolicy, recordDomain: string, existence: Existence, trustReceiver = false): Verdict {
  const said = trustReceiver ? row.evaluated : undefined;
  const dkim = said?.dkim !== undefined ? said.dkim === 'pass' : dkimAligned(row, record.adkim);
  const spf = said?.spf !== undefined ? said.spf === 'pass' : spfAligned(row, record.aspf);
  const pass = dkim || spf;
  const { applied, requested } = applicablePolicy(record, recordDomain, row.headerFrom, existence);
  // RFC 9989 t=y: apply the next less strict policy (quarantine -> none, reject -> quarantine).
  const effective = record.testing ? SOFTER[requested] : requested;
  let outcome: Outcome;
  if (pass || effective === 'none') outcome = 'delivered';
  else if (hasOverride(row)) outcome = 'overridden';
  else outcome = effective === 'reject' ? 'rejected' : 'quarantined';
  return { pass, dkimAligned: dkim, spfAligned: spf, applied, requested, effective, outcome };
}

/**
 * Whether the report itself shows the name does not exist: under a published
 * record whose np and sp differ, a failing row the receiver did not override,
 * disposed of as np asks and not as sp asks.
 */
export function inferExistence(row: ReportRow): Existence {
  const published = publishedRecord(row.published);
  if (row.headerFrom === row.published.domain || !isAtOrBelow(row.headerFrom, row.published.domain) || row.reasons.length > 0) return 'unknown';
  const soften = (d: Disposition) => (published.testing ? SOFTER[d] : d);
  const sp = soften(published.sp ?? published.p);
  const np = soften(published.np ?? published.sp ?? published.p);
  if (sp === np) return 'unknown';
  const verdict = evaluateRow(row, published, row.published.domain, 'exists');
  if (verdict.pass) return 'unknown';
  if (row.disposition === np) return 'nonexistent';
  if (row.disposition === sp) return 'exists';
  return 'unknown';
}

function nearestRecord(headerFrom: string, proposed: ReadonlyMap<string, ProposedRecord>): ProposedRecord | undefined {
  // RFC 9989 DNS Tree Walk: the author domain first, then each parent.
  const labels = headerFrom.split('.');
  for (let i = 0; i < labels.length; i++) {
    const found = proposed.get(labels.slice(i).join('.'));
    if (found) return found;
  }
  return undefined;
}

interface SourceDomainAcc {
  out: SourceDomain;
  dkim: Map<string, AuthSeen>;
  spf: Map<string, AuthSeen>;
}

interface SourceAcc {
  impact: SourceImpact;
  domains: Map<string, SourceDomainAcc>;
}

function noteAuth(into: Map<string, AuthSeen>, seen: Omit<AuthSeen, 'messages'>, count: number): void {
  const key = `${seen.domain}/${seen.selector ?? ''}/${seen.scope ?? ''}/${seen.result}`;
  const have = into.get(key);
  if (have) have.messages += count;
  else into.set(key, { ...seen, messages: count });
}

const MAX_EVIDENCE = 10;

function topAuth(map: Map<string, AuthSeen>): AuthSeen[] {
  return [...map.values()]
    .sort((a, b) => b.messages - a.messages || a.domain.localeCompare(b.domain) || (a.selector ?? '').localeCompare(b.selector ?? ''))
    .slice(0, MAX_EVIDENCE);
}

function formatShare(n: number, total: number): string {
  return total === 0 ? '0%' : `${((100 * n) / total).toFixed(1)}%`;
}

export function simulate(input: SimulationInput): Simulation {
  const proposedByDomain = new Map(input.proposed.map((p) => [p.domain, p]));
  const published = emptyCounts();
  const proposed = emptyCounts();
  const reported: Record<Disposition, number> = { none: 0, quarantine: 0, reject: 0 };
  const overrideReasons: Record<string, number> = {};
  const domains = new Map<string, DomainImpact & { publishedSet: Set<string> }>();
  const sources = new Map<string, SourceAcc>();
  const uncovered = new Map<string, number>();
  let unknownExistence = 0;
  let heloOnly = 0;
  let pct = 0;
  const trust = input.trustReceiver ?? false;
  const disagreements = new Map<string, VerdictDisagreement>();

  for (const row of input.rows) {
    // A row belongs to its header_from domain (the RFC5322.From DMARC evaluates), with and
    // without --domain, whatever policy_published domain its report names.
    if (input.domain !== undefined && !isAtOrBelow(row.headerFrom, input.domain)) continue;
    let target: ProposedRecord | undefined;
    if (input.replacePublished) {
      // The record replaces the one the receiver found, where the tree walk from header_from found it.
      const at = isAtOrBelow(row.headerFrom, row.published.domain) ? row.published.domain : row.headerFrom;
      target = { domain: at, ...input.replacePublished };
    } else target = nearestRecord(row.headerFrom, proposedByDomain);
    if (!target) {
      uncovered.set(row.headerFrom, (uncovered.get(row.headerFrom) ?? 0) + row.count);
      continue;
    }
    const known = input.exists?.get(row.headerFrom);
    const existence: Existence = known === true ? 'exists' : known === false ? 'nonexistent' : inferExistence(row);
    noteDisagreement(disagreements, row, evaluateRow(row, publishedRecord(row.published), row.published.domain, existence));
    const before = evaluateRow(row, publishedRecord(row.published), row.published.domain, existence, trust);
    const after = evaluateRow(row, target.record, target.domain, existence, trust);
    addCounts(published, before, row.count);
    addCounts(proposed, after, row.count);
    reported[row.disposition] += row.count;
    for (const reason of row.reasons) overrideReasons[reason] = (overrideReasons[reason] ?? 0) + row.count;
    if (existence === 'unknown' && after.applied === 'sp' && !after.pass) unknownExistence += row.count;
    if (!after.pass && row.spf.some((s) => s.result === 'pass' && s.scope === 'helo')) heloOnly += row.count;
    if (row.published.pct !== undefined && row.published.pct < 100) pct += row.count;
    const lost = RANK[after.outcome] > RANK[before.outcome] ? row.count : 0;
    const mayLose = after.outcome === 'overridden' && before.outcome === 'delivered' ? row.count : 0;

    let domain = domains.get(target.domain);
    if (!domain) {
      domain = {
        domain: target.domain,
        proposed: target.text,
        published: [],
        publishedSet: new Set(),
        publishedCounts: emptyCounts(),
        proposedCounts: emptyCounts(),
        lost: 0,
        mayLose: 0,
      };
      domains.set(target.domain, domain);
    }
    domain.publishedSet.add(`_dmarc.${row.published.domain}: ${renderPublished(row.published)}`);
    addCounts(domain.publishedCounts, before, row.count);
    addCounts(domain.proposedCounts, after, row.count);
    domain.lost += lost;
    domain.mayLose += mayLose;

    let source = sources.get(row.sourceIp);
    if (!source) {
      source = {
        impact: { ip: row.sourceIp, messages: 0, published: emptyCounts(), proposed: emptyCounts(), lost: 0, mayLose: 0, domains: [] },
        domains: new Map(),
      };
      sources.set(row.sourceIp, source);
    }
    source.impact.messages += row.count;
    addCounts(source.impact.published, before, row.count);
    addCounts(source.impact.proposed, after, row.count);
    source.impact.lost += lost;
    source.impact.mayLose += mayLose;
    let sd = source.domains.get(row.headerFrom);
    if (!sd) {
      sd = {
        out: { headerFrom: row.headerFrom, recordDomain: target.domain, messages: 0, failing: 0, lost: 0, mayLose: 0, dkim: [], spf: [], reasons: {} },
        dkim: new Map(),
        spf: new Map(),
      };
      source.domains.set(row.headerFrom, sd);
    }
    sd.out.messages += row.count;
    sd.out.lost += lost;
    sd.out.mayLose += mayLose;
    if (!after.pass) {
      sd.out.failing += row.count;
      for (const reason of row.reasons) sd.out.reasons[reason] = (sd.out.reasons[reason] ?? 0) + row.count;
      for (const d of row.dkim) {
        const seen: Omit<AuthSeen, 'messages'> = { domain: d.domain, result: d.result, aligned: isAligned(d.domain, row.headerFrom, target.record.adkim) };
        if (d.selector !== undefined) seen.selector = d.selector;
        noteAuth(sd.dkim, seen, row.count);
      }
      const spfs = row.spf.length > 0 ? row.spf : row.envelopeFrom ? [{ domain: row.envelopeFrom, result: 'none' }] : [];
      for (const s of spfs) {
        const domainName = spfDomain(row, s);
        const seen: Omit<AuthSeen, 'messages'> = { domain: domainName, result: s.result, aligned: isAligned(domainName, row.headerFrom, target.record.aspf) };
        if ('scope' in s && s.scope !== undefined) seen.scope = s.scope;
        noteAuth(sd.spf, seen, row.count);
      }
    }
  }

  const sourceList = [...sources.values()].map((s) => {
    s.impact.domains = [...s.domains.values()]
      .map((d) => ({ ...d.out, dkim: topAuth(d.dkim), spf: topAuth(d.spf) }))
      .sort((a, b) => b.lost - a.lost || b.mayLose - a.mayLose || b.messages - a.messages || a.headerFrom.localeCompare(b.headerFrom));
    return s.impact;
  });
  sourceList.sort((a, b) => b.lost - a.lost || b.mayLose - a.mayLose || b.messages - a.messages || compareIp(a.ip, b.ip));

  const notes: string[] = [];
  if (unknownExistence > 0)
    notes.push(
      `${unknownExistence} failing messages from subdomains were evaluated under sp=, not np=: whether those subdomains exist cannot be told from the reports (RFC 9989 np= applies only to non-existent ones; --resolve asks DNS)`,
    );
  if (heloOnly > 0) notes.push(`${heloOnly} failing messages passed SPF only for the HELO identity, which DMARC does not use (RFC 9989 "SPF-Authenticated Identifiers")`);
  if (pct > 0) notes.push(`${pct} messages were reported under a published pct= below 100; RFC 9989 removed pct, so the simulation applies the policy to all of them (receivers mark the rest sampled_out)`);
  const uncoveredList = [...uncovered.entries()].map(([domain, messages]) => ({ domain, messages })).sort((a, b) => b.messages - a.messages || a.domain.localeCompare(b.domain));
  const uncoveredMessages = uncoveredList.reduce((n, d) => n + d.messages, 0);
  if (uncoveredMessages > 0)
    notes.push(
      `${uncoveredMessages} messages (${formatShare(uncoveredMessages, uncoveredMessages + published.messages)}) are from header-from domains without a proposed record (${uncoveredList
        .slice(0, 5)
        .map((d) => d.domain)
        .join(', ')}${uncoveredList.length > 5 ? ', ...' : ''}) and are left out`,
    );

  if (trust) notes.push("DKIM and SPF were taken from the receivers' own verdicts (<policy_evaluated>) where they give them (--trust-receiver); a proposed adkim=/aspf= change is then not re-evaluated for those rows");
  return {
    trustReceiver: trust,
    disagreements: [...disagreements.values()]
      .filter((d) => d.dmarc.receiverFail + d.dmarc.receiverPass + d.dkim.receiverFail + d.dkim.receiverPass + d.spf.receiverFail + d.spf.receiverPass > 0)
      .sort((a, b) => b.dmarc.receiverFail + b.dmarc.receiverPass - (a.dmarc.receiverFail + a.dmarc.receiverPass) || a.receiver.localeCompare(b.receiver)),
    published,
    proposed,
    reported,
    overrideReasons: Object.fromEntries(Object.entries(overrideReasons).sort(([a], [b]) => a.localeCompare(b))),
    domains: [...domains.values()]
      .map(({ publishedSet, ...d }) => ({ ...d, published: [...publishedSet].sort() }))
      .sort((a, b) => a.domain.localeCompare(b.domain)),
    sources: sourceList,
    uncovered: { messages: uncoveredMessages, domains: uncoveredList },
    notes,
  };
}

/**
 * Compares the receiver's verdict with the recomputation (under the published record,
 * alignment as it says) for one row. Rows without <policy_evaluated> results are not compared.
 */
function noteDisagreement(into: Map<string, VerdictDisagreement>, row: ReportRow, computed: Verdict): void {
  const said = row.evaluated;
  if (!said || (said.dkim === undefined && said.spf === undefined)) return;
  const name = row.receiver ?? '(unknown receiver)';
  let d = into.get(name);
  if (!d) {
    d = { receiver: name, messages: 0, dmarc: { receiverFail: 0, receiverPass: 0 }, dkim: { receiverFail: 0, receiverPass: 0 }, spf: { receiverFail: 0, receiverPass: 0 } };
    into.set(name, d);
  }
  d.messages += row.count;
  const compare = (into: { receiverFail: number; receiverPass: number }, receiver: boolean | undefined, ours: boolean): void => {
    if (receiver === undefined || receiver === ours) return;
    if (receiver) into.receiverPass += row.count;
    else into.receiverFail += row.count;
  };
  const dkim = said.dkim === undefined ? undefined : said.dkim === 'pass';
  const spf = said.spf === undefined ? undefined : said.spf === 'pass';
  compare(d.dkim, dkim, computed.dkimAligned);
  compare(d.spf, spf, computed.spfAligned);
  // DMARC passes when either mechanism passes aligned (RFC 9989); a mechanism the receiver did not give is taken as computed.
  compare(d.dmarc, (dkim ?? computed.dkimAligned) || (spf ?? computed.spfAligned), computed.pass);
}
