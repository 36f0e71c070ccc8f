// The 0-100 score of a domain from its findings: weighted categories, a penalty per
// finding code, categories with unknown evidence left out, and the path to 100.
// docs/score.md explains the same model for a person with a pencil.

import { codeEntry } from '../base/codes.js';
import { compareText, type Finding, type ScoredCategory } from '../base/finding.js';

/** Category weights; they add up to 100. */
export const CATEGORY_WEIGHTS: Readonly<Record<ScoredCategory, number>> = { spf: 25, dmarc: 30, dkim: 20, mx: 10, transport: 15 };

export type { ScoredCategory };
export const SCORED_CATEGORIES = Object.keys(CATEGORY_WEIGHTS) as ScoredCategory[];

export type CategoryStatus = 'scored' | 'unknown' | 'not-applicable';

export interface CategoryScore {
  category: ScoredCategory;
  weight: number;
  status: CategoryStatus;
  /** 0-100: 100 minus the penalties of the distinct codes found, at least 0 (scored only). */
  percent?: number;
  /** The codes that cost points, each counted once. */
  penalties: { code: string; penalty: number }[];
  /** Why a category is not scored. */
  reason?: string;
}

export interface PathStep {
  code: string;
  title: string;
  fix: string;
  /** Points the score gains when this code is fixed, after the steps before it. */
  gain: number;
}

export interface ScoreCard {
  /** null when no category could be scored. */
  score: number | null;
  categories: CategoryScore[];
  pathTo100: PathStep[];
}

/** Categories left out of the score, with the reason (e.g. no DKIM selectors known). */
export type NotApplicable = Partial<Record<ScoredCategory, string>>;

export function scoreDomain(findings: Finding[], notApplicable: NotApplicable = {}): ScoreCard {
  const categories = SCORED_CATEGORIES.map((category): CategoryScore => {
    const weight = CATEGORY_WEIGHTS[category];
    const mine = findings.filter((f) => f.category === category);
    const penalties = distinctPenalties(mine);
    const na = notApplicable[category];
    if (na !== undefined) return { category, weight, status: 'not-applicable', penalties: [], reason: na };
    const unknown = mine.filter((f) => f.code === `${category}.unknown`);
    if (unknown.length > 0) {
      return { category, weight, status: 'unknown', penalties, reason: 'some lookups failed; the category is left out rather than scored as missing' };
    }
    return { category, weight, status: 'scored', percent: percentOf(penalties.map((p) => p.penalty)), penalties };
  });
  const score = total(categories);
  return { score, categories, pathTo100: pathTo100(categories, findings) };
}

function distinctPenalties(findings: Finding[]): { code: string; penalty: number }[] {
  const out = new Map<string, number>();
  for (const f of findings) {
    const penalty = codeEntry(f.code)?.penalty ?? 0;
    if (penalty > 0) out.set(f.code, penalty);
  }
  return [...out].sort(([a], [b]) => compareText(a, b)).map(([code, penalty]) => ({ code, penalty }));
}

function percentOf(penalties: number[]): number {
  return Math.max(0, 100 - penalties.reduce((a, b) => a + b, 0));
}

/**
 * round( Σ weight × percent / Σ weight ) over the scored categories, halves rounded up,
 * computed on integers so that the same findings always give the same score.
 */
function total(categories: CategoryScore[]): number | null {
  let num = 0;
  let den = 0;
  for (const c of categories) {
    if (c.status !== 'scored') continue;
    num += c.weight * c.percent!;
    den += c.weight;
  }
  if (den === 0) return null;
  return Math.floor((2 * num + den) / (2 * den));
}

/**
 * Fix the code that gains the most first (ties: code order), then the next, until nothing
 * costs points; each step's gain is counted after the steps before it, so the gains add
 * up to 100 minus the score.
 */
function pathTo100(categories: CategoryScore[], findings: Finding[]): PathStep[] {
  let current = categories.map((c) => ({ ...c, penalties: [...c.penalties] }));
  const steps: PathStep[] = [];
  for (;;) {
    const before = total(current);
    if (before === null) return steps;
    let best: { code: string; gain: number; next: CategoryScore[] } | undefined;
    for (const c of current) {
      if (c.status !== 'scored') continue;
      for (const p of c.penalties) {
        const next = current.map((x) => {
          if (x !== c) return x;
          const penalties = x.penalties.filter((q) => q.code !== p.code);
          return { ...x, penalties, percent: percentOf(penalties.map((q) => q.penalty)) };
        });
        const gain = total(next)! - before;
        if (!best || gain > best.gain || (gain === best.gain && p.code < best.code)) best = { code: p.code, gain, next };
      }
    }
    if (!best) return steps;
    const entry = codeEntry(best.code)!;
    const example = findings.find((f) => f.code === best!.code);
    steps.push({ code: best.code, title: entry.title, fix: example?.fix ?? entry.fix, gain: best.gain });
    current = best.next;
  }
}
