// `audit merge`: the json / NDJSON outputs of several audit runs (the shards of one list)
// read back, checked for completeness (every shard once, no domain twice, no run cut
// short), and merged into one run with one verdict. Also the running summary of a
// streamed run, which is the same fold over one domain at a time.

import type { Finding } from '../base/finding.js';
import type { RunComparison } from './history/compare.js';
import type { DomainReport } from './run.js';
import { coverageOf, type ScoredCategory } from './score.js';
import { formatShard, type ShardInfo } from './shard.js';
import { AUDIT_SCHEMA, summarizeAudit, type AuditRun, type AuditSummary, type DomainJson, type FailOn } from './summary.js';

/** One audit output as read back. */
export interface AuditPart {
  /** The file it came from, for messages. */
  file: string;
  source?: AuditRun['source'];
  domains: DomainJson[];
  /** Absent when an NDJSON stream has no closing summary line: the run did not finish. */
  summary?: AuditSummary;
  shard?: ShardInfo;
  /** The run's "since the previous run" section, when it was made with --compare or --history. */
  comparison?: RunComparison;
}

export type PartParse = { ok: true; part: AuditPart } | { ok: false; message: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The fields the merge and the renderers rely on; anything else is carried as it is. */
function checkDomainJson(v: unknown): string | undefined {
  if (!isObject(v)) return 'a domain entry is not an object';
  if (typeof v.domain !== 'string' || v.domain === '') return 'a domain entry has no "domain"';
  if (!(v.score === null || typeof v.score === 'number')) return `${v.domain}: "score" is not a number or null`;
  for (const key of ['findings', 'categories', 'unknownCategories', 'pathTo100', 'notes']) {
    if (!Array.isArray(v[key])) return `${v.domain}: "${key}" is not an array`;
  }
  return undefined;
}

function checkShard(v: unknown): ShardInfo | undefined {
  if (!isObject(v)) return undefined;
  const n = (k: string) => (typeof v[k] === 'number' && Number.isInteger(v[k]) ? (v[k] as number) : undefined);
  const index = n('index');
  const count = n('count');
  const total = n('total');
  const selected = n('selected');
  if (index === undefined || count === undefined || total === undefined || selected === undefined || typeof v.list !== 'string') return undefined;
  if (count < 1 || index < 1 || index > count) return undefined;
  return { index, count, total, selected, list: v.list };
}

/** The lists a comparison is read by (audit merge joins them); anything else is carried as it is. */
function checkComparison(v: unknown): v is RunComparison {
  if (!isObject(v) || !isObject(v.previous) || !isObject(v.counts)) return false;
  return ['new', 'resolved', 'unknown', 'scores', 'domainsAdded', 'domainsRemoved', 'records'].every((k) => Array.isArray(v[k]));
}

function stripLine(v: Record<string, unknown>): Record<string, unknown> {
  const { schema: _schema, type: _type, ...rest } = v;
  return rest;
}

/**
 * Read one output of `mailrec audit --format json`: the single document
 * (`{schema, source, domains, summary}`) or the NDJSON stream (one `type: "domain"` line
 * per domain, then a `type: "summary"` line).
 */
export function parseAuditOutput(text: string, file: string): PartParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: `${file}: empty: no audit output` };
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    whole = undefined;
  }
  if (isObject(whole) && whole.type === undefined) {
    if (whole.schema !== AUDIT_SCHEMA) return { ok: false, message: `${file}: not mailrec audit output (schema "${AUDIT_SCHEMA}" expected)` };
    if (!Array.isArray(whole.domains)) return { ok: false, message: `${file}: no "domains" array` };
    for (const d of whole.domains) {
      const problem = checkDomainJson(d);
      if (problem) return { ok: false, message: `${file}: ${problem}` };
    }
    const part: AuditPart = { file, domains: whole.domains as DomainJson[] };
    if (isObject(whole.source)) part.source = whole.source as unknown as AuditRun['source'];
    if (isObject(whole.summary)) part.summary = whole.summary as unknown as AuditSummary;
    else return { ok: false, message: `${file}: no "summary": the run did not finish` };
    if (whole.shard !== undefined) {
      const shard = checkShard(whole.shard);
      if (!shard) return { ok: false, message: `${file}: "shard" is not {index, count, total, selected, list}` };
      part.shard = shard;
    }
    if (whole.comparison !== undefined) {
      if (!checkComparison(whole.comparison)) return { ok: false, message: `${file}: "comparison" is not a comparison with the previous run` };
      part.comparison = whole.comparison;
    }
    return { ok: true, part };
  }
  // NDJSON: one object a line.
  const part: AuditPart = { file, domains: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      // Cut short only when mailrec's lines came before: a file that starts with garbage is not ours.
      const cut = i === lines.length - 1 && (part.domains.length > 0 || part.comparison !== undefined);
      if (!cut && part.domains.length === 0) return { ok: false, message: `${file}: not mailrec audit output (JSON or NDJSON expected)` };
      return { ok: false, message: `${file}:${i + 1}: not JSON${cut ? ' (the last line is cut short: the run did not finish)' : ''}` };
    }
    if (!isObject(v) || v.schema !== AUDIT_SCHEMA) return { ok: false, message: `${file}:${i + 1}: not mailrec audit output (schema "${AUDIT_SCHEMA}" expected)` };
    if (part.summary) return { ok: false, message: `${file}:${i + 1}: a line after the summary line` };
    if (v.type === 'domain') {
      const problem = checkDomainJson(v);
      if (problem) return { ok: false, message: `${file}:${i + 1}: ${problem}` };
      part.domains.push(stripLine(v) as unknown as DomainJson);
    } else if (v.type === 'comparison') {
      const comparison = stripLine(v);
      if (part.comparison || !checkComparison(comparison)) return { ok: false, message: `${file}:${i + 1}: not a comparison with the previous run, or a second one` };
      part.comparison = comparison;
    } else if (v.type === 'summary') {
      const { shard, source, ...summary } = stripLine(v);
      part.summary = summary as unknown as AuditSummary;
      if (isObject(source)) part.source = source as unknown as AuditRun['source'];
      if (shard !== undefined) {
        const info = checkShard(shard);
        if (!info) return { ok: false, message: `${file}:${i + 1}: "shard" is not {index, count, total, selected, list}` };
        part.shard = info;
      }
    } else {
      return { ok: false, message: `${file}:${i + 1}: unknown line type ${JSON.stringify(v.type)}` };
    }
  }
  if (!part.summary) {
    return { ok: false, message: `${file}: no summary line after ${part.domains.length} domain line(s): the run did not finish (a job cut short?)` };
  }
  return { ok: true, part };
}

/** The report a renderer needs, rebuilt from its JSON form (the questions asked are not kept in JSON, only their count). */
export function reportFromJson(d: DomainJson): DomainReport {
  // An output of an older mailrec has no unknown checks: its scored categories count as covered.
  const categories = d.categories.map((c) => ({ ...c, unknownChecks: c.unknownChecks ?? [] }));
  return {
    domain: d.domain,
    findings: d.findings as Finding[],
    score: { score: d.score, ...coverageOf(categories), categories, pathTo100: d.pathTo100 },
    unknownCategories: d.unknownCategories as ScoredCategory[],
    notes: d.notes,
    ...(d.spf ? { spf: d.spf } : {}),
    asked: [],
    ...(d.records ? { records: d.records } : {}),
  };
}

export interface MergedAudit {
  source: AuditRun['source'];
  /** Sorted by name: shards finish in any order, the merge does not depend on it. */
  domains: DomainJson[];
  /** The shards merged, when the parts were shards of one list. */
  shards?: { count: number; total: number; list: string };
  /** The thresholds the parts were run with, when they all agree. */
  failUnder?: number;
  allowUnknown?: boolean;
  failOn?: FailOn;
}

export type MergeResult = { ok: true; merged: MergedAudit } | { ok: false; problems: string[] };

function byName(a: { domain: string }, b: { domain: string }): number {
  return a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Merge parts into one run, or say every reason it cannot be done: a domain in two parts
 * (overlapping shards, or the same list audited twice); shards of different splits or of
 * different lists; a shard given twice or missing; a shard holding fewer domains than it
 * selected (a job cut short).
 */
export function mergeAuditParts(parts: readonly AuditPart[]): MergeResult {
  const problems: string[] = [];
  if (parts.length === 0) return { ok: false, problems: ['no audit outputs to merge'] };

  const sharded = parts.filter((p) => p.shard);
  let shards: MergedAudit['shards'];
  if (sharded.length > 0 && sharded.length < parts.length) {
    const plain = parts.filter((p) => !p.shard).map((p) => p.file);
    problems.push(`${plain.join(', ')} ${plain.length === 1 ? 'is' : 'are'} not a shard (no "shard" in the output) but ${sharded.map((p) => p.file).join(', ')} ${sharded.length === 1 ? 'is' : 'are'}: merge the shards of one run`);
  } else if (sharded.length > 0) {
    const first = sharded[0]!.shard!;
    for (const p of sharded.slice(1)) {
      const s = p.shard!;
      if (s.count !== first.count) problems.push(`${p.file} is shard ${formatShard(s)} but ${sharded[0]!.file} is ${formatShard(first)}: shards of different splits`);
      else if (s.list !== first.list || s.total !== first.total) {
        problems.push(`${p.file} was cut from another domain list than ${sharded[0]!.file} (list ${s.list} of ${s.total} vs ${first.list} of ${first.total})`);
      }
    }
    if (problems.length === 0) {
      const seen = new Map<number, string>();
      for (const p of sharded) {
        const s = p.shard!;
        const other = seen.get(s.index);
        if (other !== undefined) problems.push(`shard ${formatShard(s)} is given twice: ${other} and ${p.file}`);
        else seen.set(s.index, p.file);
        if (p.domains.length !== s.selected) {
          problems.push(`${p.file}: shard ${formatShard(s)} selected ${plural(s.selected, 'domain')} but holds ${plural(p.domains.length, 'domain')}: the job did not finish`);
        }
      }
      const missing: string[] = [];
      for (let k = 1; k <= first.count; k++) if (!seen.has(k)) missing.push(`${k}/${first.count}`);
      if (missing.length > 0) {
        const got = [...seen.keys()].sort((a, b) => a - b).map((k) => `${k}/${first.count}`);
        problems.push(`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (got ${got.join(', ')})`);
      }
      shards = { count: first.count, total: first.total, list: first.list };
    }
  }

  const owner = new Map<string, string>();
  const overlaps = new Map<string, string[]>();
  for (const p of parts) {
    for (const d of p.domains) {
      const was = owner.get(d.domain);
      if (was === undefined) owner.set(d.domain, p.file);
      else if (was !== p.file) {
        const key = `${was}\u0000${p.file}`;
        const list = overlaps.get(key) ?? [];
        list.push(d.domain);
        overlaps.set(key, list);
      } else problems.push(`${p.file}: ${d.domain} is listed twice`);
    }
  }
  for (const [key, list] of overlaps) {
    const [a, b] = key.split('\u0000') as [string, string];
    const shown = list.slice(0, 3).join(', ');
    problems.push(`${a} and ${b} overlap: ${plural(list.length, 'domain')} in both (${shown}${list.length > 3 ? ', ...' : ''})`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const kinds = [...new Set(parts.map((p) => p.source?.kind).filter((k) => k !== undefined))];
  const descriptions = [...new Set(parts.map((p) => p.source?.description).filter((d) => d !== undefined))];
  // Shards of one run share their source (with --zones, its files): kept whole.
  const sources = new Set(parts.map((p) => JSON.stringify(p.source ?? null)));
  const shared = sources.size === 1 ? parts[0]!.source : undefined;
  const source: AuditRun['source'] = shared ?? {
    kind: kinds[0] ?? 'dns',
    description: descriptions.length === 1 ? descriptions[0]! : `${parts.length} merged runs: ${descriptions.join('; ')}`,
  };
  const failUnders = new Set(parts.map((p) => p.summary?.failUnder ?? null));
  const failOns = new Set(parts.map((p) => p.summary?.failOn ?? null));
  const failUnder = failUnders.size === 1 ? [...failUnders][0] : null;
  const failOn = failOns.size === 1 ? [...failOns][0] : null;
  // The worst case is compared unless every part was run with --allow-unknown.
  const allowUnknown = parts.every((p) => p.summary?.allowUnknown === true);
  const domains = parts.flatMap((p) => p.domains).sort(byName);
  return {
    ok: true,
    merged: {
      source,
      domains,
      ...(shards ? { shards } : {}),
      ...(failUnder !== null && failUnder !== undefined ? { failUnder } : {}),
      ...(allowUnknown ? { allowUnknown } : {}),
      ...(failOn !== null && failOn !== undefined ? { failOn } : {}),
    },
  };
}

/** The merged run as the renderers take it (thresholds from the command line win over the parts'). */
export function mergedRun(merged: MergedAudit, thresholds: { failUnder?: number; allowUnknown?: boolean; failOn?: FailOn }, toolVersion?: string): AuditRun {
  const failUnder = thresholds.failUnder ?? merged.failUnder;
  const failOn = thresholds.failOn ?? merged.failOn;
  const allowUnknown = thresholds.allowUnknown ?? merged.allowUnknown;
  return {
    reports: merged.domains.map(reportFromJson),
    source: merged.source,
    ...(failUnder !== undefined ? { failUnder } : {}),
    ...(allowUnknown ? { allowUnknown } : {}),
    ...(failOn !== undefined ? { failOn } : {}),
    ...(toolVersion ? { toolVersion } : {}),
  };
}

/**
 * The summary of a streamed run, one domain at a time, without keeping the reports: the
 * same counts and verdict as summarizeAudit over the whole list, with the unknown domains
 * and the failures listed in input order.
 */
export class SummaryFold {
  #domains = 0;
  #scored = 0;
  #lowest: number | null = null;
  readonly #findings = { error: 0, warning: 0, info: 0 };
  readonly #unknown: [number, string][] = [];
  readonly #uncovered: [number, string][] = [];
  readonly #failures: [number, string[]][] = [];

  constructor(private readonly run: Pick<AuditRun, 'failUnder' | 'allowUnknown' | 'failOn' | 'failOnNew' | 'source'>) {}

  add(report: DomainReport, index: number): void {
    this.addSummary(summarizeAudit({ ...this.run, reports: [report] }), index);
  }

  /** One domain's summary, made where its report is (an `audit --jobs` worker: parallel.ts). */
  addSummary(one: AuditSummary, index: number): void {
    this.#domains++;
    this.#scored += one.scored;
    if (one.lowestScore !== null) this.#lowest = this.#lowest === null ? one.lowestScore : Math.min(this.#lowest, one.lowestScore);
    this.#findings.error += one.findings.error;
    this.#findings.warning += one.findings.warning;
    this.#findings.info += one.findings.info;
    for (const d of one.unknown) this.#unknown.push([index, d]);
    for (const d of one.uncovered) this.#uncovered.push([index, d]);
    if (one.failures.length > 0) this.#failures.push([index, one.failures]);
  }

  summary(): AuditSummary {
    const order = <T>(list: [number, T][]): T[] => [...list].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    const failures = order(this.#failures).flat();
    return {
      domains: this.#domains,
      scored: this.#scored,
      lowestScore: this.#lowest,
      findings: { ...this.#findings },
      unknown: order(this.#unknown),
      uncovered: order(this.#uncovered),
      failUnder: this.run.failUnder ?? null,
      allowUnknown: this.run.allowUnknown ?? false,
      failOn: this.run.failOn ?? null,
      failOnNew: this.run.failOnNew ?? null,
      passed: failures.length === 0,
      failures,
    };
  }
}
