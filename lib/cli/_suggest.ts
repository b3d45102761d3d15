/**
 * "Did you mean this?" for a mistyped command or flag, with cobra's rule: a candidate at most two
 * edits away (Levenshtein, case-insensitive), or one the typed word is a prefix of; and for flags
 * an abbreviation word by word (`--sign-format` for `--signature-format`).
 *
 * @module
 */

/** Edit distance between two strings (insertions, deletions, substitutions). */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** `sign-format` for `signature-format`: as many dash-separated words, each a prefix of its own. */
function abbreviates(typed: string, candidate: string): boolean {
  const a = typed.replace(/^-+/, "").split("-");
  const b = candidate.replace(/^-+/, "").split("-");
  return a.length > 1 && a.length === b.length &&
    a.every((w, i) => w !== "" && b[i]!.startsWith(w));
}

/**
 * The candidates close to what was typed, nearest first.
 *
 * @example
 * ```ts
 * import { suggest } from "./_suggest.ts";
 * suggest("sgin", ["sign", "list", "verify"]); // ["sign"]
 * ```
 * @param typed The unknown word.
 * @param candidates The known words.
 * @returns The near misses (possibly none).
 */
export function suggest(typed: string, candidates: Iterable<string>): string[] {
  const lower = typed.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const candidate of new Set(candidates)) {
    const distance = levenshtein(lower, candidate.toLowerCase());
    const near = distance <= 2 || abbreviates(lower, candidate.toLowerCase());
    if (near || (lower.length > 0 && candidate.toLowerCase().startsWith(lower))) {
      scored.push([candidate, distance]);
    }
  }
  return scored.sort((x, y) => x[1] - y[1]).map(([c]) => c);
}
