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
  /**
   * Scored only: checks that could not be made (a `<category>.check-unknown` finding names
   * them), each code once, minus those also found. Not counted in `percent`.
   */
  unknownChecks: { code: string; penalty: number }[];
  /** Scored only: the percent if every unknown check had failed (`percent` when none is unknown). */
  floor?: number;
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

/**
 * How much of the weight the score rests on: `of` is the weight of the categories that
 * apply (not-applicable ones left out), `points` the part of it actually determined: an
 * unknown category's whole weight is missing, and a scored category misses weight ×
 * (percent − floor) ÷ 100 for its unknown checks. Multiples of 0.01.
 */
export interface Coverage {
  points: number;
  of: number;
}

export interface ScoreCard {
  /** null when no category could be scored. */
  score: number | null;
  coverage: Coverage;
  /**
   * The score with every unknown counted as failed: unknown categories at 0 percent,
   * unknown checks at their penalty, over the weight of the categories that apply. What
   * `--fail-under` compares unless `--allow-unknown`. null when no category applies.
   */
  worstCase: number | null;
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
    if (na !== undefined) return { category, weight, status: 'not-applicable', penalties: [], unknownChecks: [], reason: na };
    const unknown = mine.filter((f) => f.code === `${category}.unknown`);
    if (unknown.length > 0) {
      return { category, weight, status: 'unknown', penalties, unknownChecks: [], reason: 'some lookups failed; the category is left out rather than scored as missing' };
    }
    const found = new Set(penalties.map((p) => p.code));
    const unknownChecks = distinctUnknownChecks(mine).filter((u) => !found.has(u.code));
    const percent = percentOf(penalties.map((p) => p.penalty));
    const floor = percentOf([...penalties, ...unknownChecks].map((p) => p.penalty));
    return { category, weight, status: 'scored', percent, penalties, unknownChecks, floor };
  });
  const score = total(categories);
  return { score, ...coverageOf(categories), categories, pathTo100: pathTo100(categories, findings) };
}

/** The codes the category's `check-unknown` findings name, each once, with their penalties. */
function distinctUnknownChecks(findings: Finding[]): { code: string; penalty: number }[] {
  const out = new Map<string, number>();
  for (const f of findings) for (const code of f.unknownChecks ?? []) out.set(code, codeEntry(code)?.penalty ?? 0);
  return [...out].filter(([, penalty]) => penalty > 0).sort(([a], [b]) => compareText(a, b)).map(([code, penalty]) => ({ code, penalty }));
}

/**
 * Coverage and the worst case, on integers (hundredths of a point) so that they are exact.
 * Also rebuilds them from categories read back from JSON (`audit merge`), where an older
 * output has no floor: its scored categories then count as fully covered.
 */
export function coverageOf(categories: readonly CategoryScore[]): { coverage: Coverage; worstCase: number | null } {
  let of = 0;
  let missing = 0; // hundredths of a point
  let worst = 0; // Σ weight × floor over scored categories
  for (const c of categories) {
    if (c.status === 'not-applicable') continue;
    of += c.weight;
    if (c.status === 'unknown') missing += c.weight * 100;
    else {
      const floor = c.floor ?? c.percent!;
      missing += c.weight * (c.percent! - floor);
      worst += c.weight * floor;
    }
  }
  const coverage = { points: (of * 100 - missing) / 100, of };
  return { coverage, worstCase: of === 0 ? null : roundHalfUp(worst, of) };
}

function roundHalfUp(num: number, den: number): number {
  return Math.floor((2 * num + den) / (2 * den));
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
  return roundHalfUp(num, den);
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
