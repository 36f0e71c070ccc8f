// What changed between two audit runs (`audit --compare`, `--history`): findings new,
// resolved and still open, matched by fingerprint (history/fingerprint.ts), never by
// message; score changes with their coverage; domains added and removed; and the records
// that changed in DNS, from the `records` each run keeps. Pure: two parsed documents in,
// one comparison out; a streamed run folds one domain at a time (ComparisonFold).
//
// An unknown is never a pass: a finding that is gone because its lookup failed this time
// is not "resolved" but "unknown", and a record whose lookup failed in either run is not
// "changed".

import { compareFindings, compareText, type Finding, type Severity } from '../../base/finding.js';
import type { RecordSetJson } from '../records.js';
import type { Coverage } from '../score.js';
import { shardOf, type ShardInfo } from '../shard.js';
import type { AuditSourceInfo, DomainJson } from '../summary.js';
import { fingerprintOf } from './fingerprint.js';

/** What compareRuns reads of a run: the parsed json (document, NDJSON, shards merged). */
export interface RunDocument {
  source?: AuditSourceInfo;
  domains: readonly DomainJson[];
  /** The run was one shard of a list: only the domains of that shard are compared. */
  shard?: ShardInfo;
}

/** A finding of one run, with the fingerprint it was matched by. */
export type ComparedFinding = Finding & {
  fingerprint: string;
  /** New findings only: the previous run could not check it (its lookups failed then). */
  previouslyUnknown?: true;
};

export interface DomainScore {
  score: number | null;
  coverage: Coverage;
  worstCase: number | null;
}

export interface ScoreChange {
  domain: string;
  before: DomainScore;
  after: DomainScore;
  /** after.score - before.score; null when either is null. */
  change: number | null;
}

export interface RecordState {
  status: RecordSetJson['status'];
  data?: string[];
}

/** One name and type whose answer differs between the runs (both lookups succeeded). */
export interface RecordChange {
  domain: string;
  name: string;
  type: string;
  before: RecordState;
  after: RecordState;
}

export interface PreviousRun {
  /** The file it was read from, as named on the command line or in the history directory. */
  file?: string;
  /** Domains of the previous run within the compared scope. */
  domains: number;
}

export type SeverityCounts = Record<Severity, number>;

/** The "since the previous run" section. Every list is in a fixed order. */
export interface RunComparison {
  previous: PreviousRun;
  counts: {
    new: SeverityCounts;
    resolved: SeverityCounts;
    /** Findings in both runs. */
    open: number;
    /** Findings of the previous run whose check could not be made this time. */
    unknown: number;
  };
  /** Findings of this run that the previous one did not have (domains in both runs only). */
  new: ComparedFinding[];
  /** Findings of the previous run that this one checked and did not find. */
  resolved: ComparedFinding[];
  /** Findings of the previous run that this one could not check (a lookup failed): neither open nor resolved. */
  unknown: ComparedFinding[];
  /** Domains whose score, worst case or coverage changed. */
  scores: ScoreChange[];
  domainsAdded: string[];
  domainsRemoved: string[];
  records: RecordChange[];
}

/** Findings matched between two lists of one domain, as many times as they occur in both. */
export interface FindingMatch {
  new: ComparedFinding[];
  resolved: ComparedFinding[];
  open: ComparedFinding[];
}

function zero(): SeverityCounts {
  return { error: 0, warning: 0, info: 0 };
}

function byFingerprint(findings: readonly Finding[]): Map<string, ComparedFinding[]> {
  const out = new Map<string, ComparedFinding[]>();
  for (const f of findings) {
    const fingerprint = fingerprintOf(f);
    const list = out.get(fingerprint) ?? [];
    list.push({ ...f, fingerprint });
    out.set(fingerprint, list);
  }
  return out;
}

/**
 * Match two lists of findings by fingerprint. A fingerprint found twice before and three
 * times now gives one new finding (the last), as a multiset.
 */
export function matchFindings(previous: readonly Finding[], current: readonly Finding[]): FindingMatch {
  const before = byFingerprint(previous);
  const after = byFingerprint(current);
  const out: FindingMatch = { new: [], resolved: [], open: [] };
  for (const [fp, now] of after) {
    const was = before.get(fp) ?? [];
    out.open.push(...now.slice(0, was.length));
    out.new.push(...now.slice(was.length));
  }
  for (const [fp, was] of before) out.resolved.push(...was.slice(after.get(fp)?.length ?? 0));
  out.new.sort(compareFindings);
  out.resolved.sort(compareFindings);
  out.open.sort(compareFindings);
  return out;
}

/** What a run could not check for a domain: its unknown categories, unknown checks, and the names whose lookups failed. */
function unknownsOf(d: DomainJson): (f: Finding) => boolean {
  const categories = new Set<string>(d.unknownCategories);
  const codes = new Set(d.findings.flatMap((f) => f.unknownChecks ?? []));
  const failedNames = new Set((d.records ?? []).filter((r) => r.status === 'error').map((r) => r.name));
  return (f) => categories.has(f.category) || codes.has(f.code) || failedNames.has(f.name);
}

function scoreOf(d: DomainJson): DomainScore {
  return { score: d.score, coverage: d.coverage, worstCase: d.worstCase };
}

function sameScore(a: DomainScore, b: DomainScore): boolean {
  return a.score === b.score && a.worstCase === b.worstCase && a.coverage.points === b.coverage.points && a.coverage.of === b.coverage.of;
}

function stateOf(r: RecordSetJson): RecordState {
  return r.status === 'ok' ? { status: r.status, data: r.data ?? [] } : { status: r.status };
}

/**
 * The same records: NXDOMAIN and NODATA alike hold none of the type (a CNAME question
 * that found no CNAME before and no name now is no change of the CNAME; the name's other
 * records say what went).
 */
function sameState(a: RecordState, b: RecordState): boolean {
  const x = a.data ?? [];
  const y = b.data ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Records at the same name and type in both runs whose answers differ; a failed lookup on either side changes nothing. */
export function compareRecords(domain: string, previous: readonly RecordSetJson[], current: readonly RecordSetJson[]): RecordChange[] {
  const was = new Map(previous.map((r) => [`${r.name}\u0000${r.type}`, r]));
  const out: RecordChange[] = [];
  for (const r of current) {
    const p = was.get(`${r.name}\u0000${r.type}`);
    if (!p || p.status === 'error' || r.status === 'error') continue;
    const before = stateOf(p);
    const after = stateOf(r);
    if (!sameState(before, after)) out.push({ domain, name: r.name, type: r.type, before, after });
  }
  return out.sort((a, b) => compareText(a.name, b.name) || compareText(a.type, b.type));
}

/** One domain audited in both runs. */
export interface DomainComparison {
  new: ComparedFinding[];
  resolved: ComparedFinding[];
  unknown: ComparedFinding[];
  open: ComparedFinding[];
  score?: ScoreChange;
  records: RecordChange[];
}

export function compareDomain(previous: DomainJson, current: DomainJson): DomainComparison {
  const match = matchFindings(previous.findings, current.findings);
  const unknownNow = unknownsOf(current);
  const unknownBefore = unknownsOf(previous);
  const resolved = match.resolved.filter((f) => !unknownNow(f));
  const unknown = match.resolved.filter((f) => unknownNow(f));
  const fresh = match.new.map((f): ComparedFinding => (unknownBefore(f) ? { ...f, previouslyUnknown: true } : f));
  const before = scoreOf(previous);
  const after = scoreOf(current);
  const score = sameScore(before, after)
    ? undefined
    : { domain: current.domain, before, after, change: before.score !== null && after.score !== null ? after.score - before.score : null };
  return {
    new: fresh,
    resolved,
    unknown,
    open: match.open,
    ...(score ? { score } : {}),
    records: compareRecords(current.domain, previous.records ?? [], current.records ?? []),
  };
}

function inShard(shard: ShardInfo | undefined): (domain: string) => boolean {
  return shard ? (d) => shardOf(d, shard.count) === shard.index : () => true;
}

function byDomain(a: { domain: string }, b: { domain: string }): number {
  return compareText(a.domain, b.domain);
}

/**
 * The comparison of a run that arrives one domain at a time (a streamed run): the
 * previous run is held, the current one is not; only the differences are kept.
 */
export class ComparisonFold {
  readonly #previous = new Map<string, DomainJson>();
  readonly #seen = new Set<string>();
  readonly #inScope: (domain: string) => boolean;
  readonly #result: RunComparison;

  /**
   * `currentShard`: the shard the current run audits, when it is one; the previous run's
   * domains outside it are not "removed". A previous run that was one shard likewise
   * limits the comparison to its own domains.
   */
  constructor(previous: RunDocument & { file?: string }, currentShard?: ShardInfo) {
    const inCurrent = inShard(currentShard);
    const inPrevious = inShard(previous.shard);
    this.#inScope = (d) => inCurrent(d) && inPrevious(d);
    for (const d of previous.domains) if (this.#inScope(d.domain)) this.#previous.set(d.domain, d);
    this.#result = {
      previous: { ...(previous.file !== undefined ? { file: previous.file } : {}), domains: this.#previous.size },
      counts: { new: zero(), resolved: zero(), open: 0, unknown: 0 },
      new: [],
      resolved: [],
      unknown: [],
      scores: [],
      domainsAdded: [],
      domainsRemoved: [],
      records: [],
    };
  }

  add(current: DomainJson): void {
    if (!this.#inScope(current.domain)) return;
    this.#seen.add(current.domain);
    const r = this.#result;
    const previous = this.#previous.get(current.domain);
    if (!previous) {
      r.domainsAdded.push(current.domain);
      return;
    }
    const c = compareDomain(previous, current);
    r.new.push(...c.new);
    r.resolved.push(...c.resolved);
    r.unknown.push(...c.unknown);
    r.counts.open += c.open.length;
    if (c.score) r.scores.push(c.score);
    r.records.push(...c.records);
  }

  finish(): RunComparison {
    const r = this.#result;
    r.domainsRemoved = [...this.#previous.keys()].filter((d) => !this.#seen.has(d));
    return sortComparison(r);
  }
}

/** Counts from the lists, and every list in its fixed order. */
function sortComparison(r: RunComparison): RunComparison {
  const count = (list: readonly Finding[]): SeverityCounts => {
    const c = zero();
    for (const f of list) c[f.severity]++;
    return c;
  };
  const findings = (a: Finding, b: Finding): number => compareText(a.domain, b.domain) || compareFindings(a, b);
  return {
    ...r,
    counts: { new: count(r.new), resolved: count(r.resolved), open: r.counts.open, unknown: r.unknown.length },
    new: [...r.new].sort(findings),
    resolved: [...r.resolved].sort(findings),
    unknown: [...r.unknown].sort(findings),
    scores: [...r.scores].sort(byDomain),
    domainsAdded: [...r.domainsAdded].sort(compareText),
    domainsRemoved: [...r.domainsRemoved].sort(compareText),
    records: [...r.records].sort((a, b) => byDomain(a, b) || compareText(a.name, b.name) || compareText(a.type, b.type)),
  };
}

/** Compare two runs: `previous` as read back (with the file it came from), `current` likewise or as the run just made. */
export function compareRuns(previous: RunDocument & { file?: string }, current: RunDocument): RunComparison {
  const fold = new ComparisonFold(previous, current.shard);
  for (const d of current.domains) fold.add(d);
  return fold.finish();
}

/**
 * The comparisons of several parts of one run (the shards `audit merge` joins), as one:
 * the lists joined, the counts added. The previous run is named once when all agree.
 */
export function mergeComparisons(parts: readonly RunComparison[]): RunComparison {
  const files = [...new Set(parts.map((p) => p.previous.file).filter((f) => f !== undefined))];
  const joined: RunComparison = {
    previous: { ...(files.length > 0 ? { file: files.join(', ') } : {}), domains: parts.reduce((n, p) => n + p.previous.domains, 0) },
    counts: { new: zero(), resolved: zero(), open: parts.reduce((n, p) => n + p.counts.open, 0), unknown: 0 },
    new: parts.flatMap((p) => p.new),
    resolved: parts.flatMap((p) => p.resolved),
    unknown: parts.flatMap((p) => p.unknown),
    scores: parts.flatMap((p) => p.scores),
    domainsAdded: parts.flatMap((p) => p.domainsAdded),
    domainsRemoved: parts.flatMap((p) => p.domainsRemoved),
    records: parts.flatMap((p) => p.records),
  };
  return sortComparison(joined);
}
