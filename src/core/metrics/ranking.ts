/**
 * How scores rank classes. NaN counts as higher than every number (numpy.argmax returns the first
 * NaN), and equal scores rank by class index, lowest first.
 */

/** Index of the highest score; ties go to the lowest index, exactly as numpy.argmax. */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) return i;
    if (scores[i] > scores[best]) best = i;
  }
  return best;
}

/**
 * Whether `label` is among the k highest scores. Ties at the k-th place go to the lower class
 * index, i.e. the first k of numpy `argsort(-scores, kind='stable')`. scikit-learn's
 * top_k_accuracy_score breaks such ties the other way (highest index first); the two agree
 * whenever the k-th and (k+1)-th scores differ.
 */
export function isInTopK(scores: ArrayLike<number>, label: number, k: number): boolean {
  const labelScore = scores[label];
  let rankedAbove = 0;
  for (let i = 0; i < scores.length && rankedAbove < k; i++) {
    if (i === label) continue;
    if (ranksAbove(scores[i], i, labelScore, label)) rankedAbove++;
  }
  return rankedAbove < k;
}

function ranksAbove(score: number, index: number, otherScore: number, otherIndex: number): boolean {
  const scoreIsNaN = Number.isNaN(score);
  const otherIsNaN = Number.isNaN(otherScore);
  if (scoreIsNaN || otherIsNaN) return scoreIsNaN && (!otherIsNaN || index < otherIndex);
  return score > otherScore || (score === otherScore && index < otherIndex);
}
