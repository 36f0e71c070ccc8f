// What the HTML site shows, folded from the audit history one run at a time (oldest first):
// each domain's score per run, its changes between consecutive runs (compared by
// audit/history/compare.ts, the comparison `audit --compare` makes), the estate's trend, and
// the newest two runs whole. Pure: runs in, a model out; only two runs are held at once, so
// 1,000 domains over 30 runs stay small.

import type { DomainJson } from '../../audit/summary.js';
import { pushTo } from '../../base/multimap.js';
import { compareDomain, compareRuns, type ComparedFinding, type RecordChange, type RunComparison, type RunDocument, type ScoreChange } from '../../audit/history/compare.js';

export interface RunRef {
  /** ISO 8601 time of the run (UTC). */
  time: string;
}

/** One domain's changes between two consecutive runs; only pairs with a change are kept. */
export interface DomainChange {
  /** Index of the later run in `SiteHistory.runs`. */
  run: number;
  new: ComparedFinding[];
  resolved: ComparedFinding[];
  score?: ScoreChange;
  records: RecordChange[];
}

export interface EstatePoint {
  domains: number;
  scored: number;
  /** Mean and lowest score of the scored domains; null with none scored. */
  mean: number | null;
  lowest: number | null;
  errors: number;
  warnings: number;
}

export interface FixSummary {
  code: string;
  title: string;
  fix: string;
  /** Domains whose path to 100 has this step. */
  domains: number;
  /** Points it gains summed over them (each gain as that domain's path orders it). */
  points: number;
}

/** "2026-12-07 06:15 UTC" from an ISO time. */
export function runLabel(time: string): string {
  const d = new Date(time);
  return Number.isFinite(d.getTime()) ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : time;
}

/** Short label for chart axes: "12-07 06:15". */
export function runTick(time: string): string {
  const d = new Date(time);
  return Number.isFinite(d.getTime()) ? d.toISOString().slice(5, 16).replace('T', ' ') : time;
}

export class SiteHistory {
  readonly runs: RunRef[] = [];
  readonly estate: EstatePoint[] = [];
  /** Per domain, its score in each run (null: not scored; undefined: not in that run). */
  private readonly scores = new Map<string, (number | null | undefined)[]>();
  private readonly changes = new Map<string, DomainChange[]>();
  private previousDoc?: RunDocument;
  private currentDoc?: RunDocument;

  /** The next run, newer than every run added before. */
  add(run: RunRef, doc: RunDocument): void {
    const index = this.runs.length;
    this.runs.push(run);
    const before = this.currentDoc ? new Map(this.currentDoc.domains.map((d) => [d.domain, d])) : undefined;
    let sum = 0;
    let scored = 0;
    let lowest: number | null = null;
    let errors = 0;
    let warnings = 0;
    for (const d of doc.domains) {
      let series = this.scores.get(d.domain);
      if (!series) {
        series = [];
        this.scores.set(d.domain, series);
      }
      series[index] = d.score;
      if (d.score !== null) {
        sum += d.score;
        scored++;
        lowest = lowest === null ? d.score : Math.min(lowest, d.score);
      }
      for (const f of d.findings) {
        if (f.severity === 'error') errors++;
        else if (f.severity === 'warning') warnings++;
      }
      const previous = before?.get(d.domain);
      if (previous) {
        const c = compareDomain(previous, d);
        if (c.new.length > 0 || c.resolved.length > 0 || c.score || c.records.length > 0) {
          const change: DomainChange = { run: index, new: c.new, resolved: c.resolved, records: c.records, ...(c.score ? { score: c.score } : {}) };
          pushTo(this.changes, d.domain, change);
        }
      }
    }
    this.estate.push({ domains: doc.domains.length, scored, mean: scored > 0 ? Math.round((sum / scored) * 10) / 10 : null, lowest, errors, warnings });
    this.previousDoc = this.currentDoc;
    this.currentDoc = doc;
  }

  /** The newest run's domains. */
  get current(): readonly DomainJson[] {
    return this.currentDoc?.domains ?? [];
  }

  /** What changed between the two newest runs; undefined with fewer than two. */
  sincePrevious(): RunComparison | undefined {
    return this.previousDoc && this.currentDoc ? compareRuns(this.previousDoc, this.currentDoc) : undefined;
  }

  /** The runs' short labels for chart axes, computed once for every page. */
  get ticks(): string[] {
    if (this.tickCache?.length !== this.runs.length) this.tickCache = this.runs.map((r) => runTick(r.time));
    return this.tickCache;
  }

  private tickCache?: string[];

  /** Each domain's score at the run before the newest; undefined with one run. */
  previousScores(): Map<string, number | null> | undefined {
    return this.previousDoc ? new Map(this.previousDoc.domains.map((d) => [d.domain, d.score])) : undefined;
  }

  /** The domain's score in every run (null where unscored or absent). */
  trendOf(domain: string): (number | null)[] {
    const series = this.scores.get(domain) ?? [];
    return this.runs.map((_, i) => series[i] ?? null);
  }

  /** The domain's changes, newest first. */
  changesOf(domain: string): DomainChange[] {
    return [...(this.changes.get(domain) ?? [])].reverse();
  }
}

/** The newest run's domains by score band: 0–9, 10–19, …, 90–99, 100; unscored apart. */
export function scoreBands(domains: readonly DomainJson[]): { labels: string[]; counts: number[]; unscored: number } {
  const labels = [...Array.from({ length: 10 }, (_, i) => `${i * 10}–${i * 10 + 9}`), '100'];
  const counts = labels.map(() => 0);
  let unscored = 0;
  for (const d of domains) {
    if (d.score === null) unscored++;
    else counts[Math.min(10, Math.floor(d.score / 10))]!++;
  }
  return { labels, counts, unscored };
}

/** The lowest-scoring domains first (unscored ones before all: nothing is known of them), then by name. */
export function worstDomains(domains: readonly DomainJson[], count: number): DomainJson[] {
  return [...domains]
    .sort((a, b) => (a.score ?? -1) - (b.score ?? -1) || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0))
    .slice(0, count);
}

/**
 * The path to 100 summed over the estate: each fix with the domains whose path has it and
 * the points it gains them; the fix that lifts the most domains first.
 */
export function estatePathTo100(domains: readonly DomainJson[]): FixSummary[] {
  const fixes = new Map<string, FixSummary>();
  for (const d of domains) {
    for (const step of d.pathTo100) {
      const f = fixes.get(step.code) ?? { code: step.code, title: step.title, fix: step.fix, domains: 0, points: 0 };
      f.domains++;
      f.points += step.gain;
      fixes.set(step.code, f);
    }
  }
  return [...fixes.values()].sort((a, b) => b.domains - a.domains || b.points - a.points || (a.code < b.code ? -1 : 1));
}
