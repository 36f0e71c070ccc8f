// "Did you mean …?": the nearest known word by Damerau–Levenshtein distance.

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two
 * neighbouring characters (optimal string alignment), so "subdomian" is one edit
 * from "subdomain".
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]![j]!;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * How many edits still count as a typo: about one in three characters, at least
 * one; none for words of one or two characters, where any edit is a new word.
 */
function tolerance(word: string): number {
  return word.length <= 2 ? 0 : Math.max(1, Math.floor(word.length / 3));
}

/** Case, hyphens and underscores are not worth an edit: "Max-Age" is "max_age". */
function fold(word: string): string {
  return word.toLowerCase().replace(/-/g, '_');
}

/**
 * The candidate nearest to `word`, or undefined when none is close enough to be
 * a plausible typo. `aliases` maps words people use for a candidate (e.g. the
 * DMARC tag "sp") to it. Ties go to the earlier candidate.
 */
export function suggest(
  word: string,
  candidates: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const folded = fold(word);
  const alias = aliases[folded];
  if (alias !== undefined && candidates.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(folded, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= tolerance(folded) ? best : undefined;
}
