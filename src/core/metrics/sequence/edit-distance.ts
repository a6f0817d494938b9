/** Levenshtein distance and longest common subsequence over token sequences (dynamic programming). */

/**
 * Minimum number of substitutions, deletions and insertions turning `reference` into `hypothesis`
 * (unit costs, tokens compared with ===). Time O(n·m), memory O(m).
 */
export function levenshtein<T>(reference: readonly T[], hypothesis: readonly T[]): number {
  if (reference.length === 0) return hypothesis.length;
  if (hypothesis.length === 0) return reference.length;
  let previous = new Int32Array(hypothesis.length + 1);
  let current = new Int32Array(hypothesis.length + 1);
  for (let j = 0; j <= hypothesis.length; j++) previous[j] = j;
  for (let i = 1; i <= reference.length; i++) {
    current[0] = i;
    const token = reference[i - 1];
    for (let j = 1; j <= hypothesis.length; j++) {
      const substitution = previous[j - 1] + (token === hypothesis[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[hypothesis.length];
}

/** Length of a longest common subsequence (the table of rouge-score's _lcs_table, one row at a time). */
export function lcsLength<T>(a: readonly T[], b: readonly T[]): number {
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const token = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      current[j] = token === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}
