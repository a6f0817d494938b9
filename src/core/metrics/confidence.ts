import { argmax } from './ranking.ts';

/**
 * The model's confidence in its top-1 answer: the softmax probability of the argmax class. Scores
 * that already are probabilities (all in [0, 1], summing to 1 within 1e-3) are taken as they are.
 */
export function topConfidence(scores: ArrayLike<number>): number {
  const top = argmax(scores);
  let sum = 0;
  let probabilities = true;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!(s >= 0 && s <= 1)) probabilities = false;
    sum += s;
  }
  if (probabilities && Math.abs(sum - 1) <= 1e-3) return scores[top];
  const max = scores[top];
  if (!Number.isFinite(max)) return Number.NaN;
  let total = 0;
  for (let i = 0; i < scores.length; i++) total += Math.exp(scores[i] - max);
  return 1 / total;
}
