/**
 * McNemar's exact test of two models on the same samples (McNemar 1947; exact form as in
 * statsmodels' mcnemar(exact=True)): only discordant pairs carry information. With
 * b = float right & quantized wrong and c = float wrong & quantized right, under H0 (equal accuracy)
 * b ~ Binomial(b + c, 1/2). Two-sided p = min(1, 2 · P(X ≤ min(b, c))), which for p = 1/2 equals
 * scipy.stats.binomtest(b, b + c, 0.5).pvalue. p = 1 when there is no discordant pair.
 */
import { QuantLensError } from '../errors.ts';

/** Discordant counts and the exact two-sided p-value. */
export interface McNemarResult {
  /** Samples the float model got right and the quantized model wrong. */
  floatOnlyCorrect: number;
  /** Samples the quantized model got right and the float model wrong. */
  quantizedOnlyCorrect: number;
  pValue: number;
}

/** Exact McNemar test from the discordant counts b (float-only correct) and c (quantized-only correct). */
export function mcnemarExact(floatOnlyCorrect: number, quantizedOnlyCorrect: number): McNemarResult {
  for (const count of [floatOnlyCorrect, quantizedOnlyCorrect]) {
    if (!Number.isInteger(count) || count < 0) {
      throw new QuantLensError('invalid-input', `McNemar's test needs whole, non-negative counts (got ${count}).`,
        'Count the samples where exactly one of the two models is correct.');
    }
  }
  const n = floatOnlyCorrect + quantizedOnlyCorrect;
  const smaller = Math.min(floatOnlyCorrect, quantizedOnlyCorrect);
  const pValue = n === 0 || 2 * smaller === n ? 1 : Math.min(1, 2 * binomialLowerTailHalf(smaller, n));
  return { floatOnlyCorrect, quantizedOnlyCorrect, pValue };
}

/** McNemar's exact test from per-sample correctness of both models (0/1 or booleans). */
export function mcnemarFromCorrectness(floatCorrect: ArrayLike<number | boolean>,
  quantizedCorrect: ArrayLike<number | boolean>): McNemarResult {
  if (floatCorrect.length !== quantizedCorrect.length) {
    throw new QuantLensError('invalid-input',
      `The two models were scored on different numbers of samples (${floatCorrect.length} and ${quantizedCorrect.length}).`,
      'Pass one correctness value per sample from each model, in the same order.');
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < floatCorrect.length; i++) {
    const floatRight = Boolean(floatCorrect[i]);
    const quantizedRight = Boolean(quantizedCorrect[i]);
    if (floatRight && !quantizedRight) b++;
    else if (quantizedRight && !floatRight) c++;
  }
  return mcnemarExact(b, c);
}

/**
 * P(X ≤ k) for X ~ Binomial(n, 1/2), k < n / 2, without underflow: the terms are summed relative to
 * the largest one, pmf(k), walking down with pmf(i − 1) / pmf(i) = i / (n − i + 1); log pmf(k) is
 * Σ log((n − k + i) / i) − n log 2, each term small, so the relative error stays near 1e-13.
 */
function binomialLowerTailHalf(k: number, n: number): number {
  let relativeSum = 1;
  let term = 1;
  for (let i = k; i > 0; i--) {
    term *= i / (n - i + 1);
    relativeSum += term;
    if (term < relativeSum * 1e-17) break;
  }
  let pmf: number;
  if (n <= 1000) {
    // C(n, k) by exact integer steps while they fit in 53 bits (C(1000, 500) < 1e300), times 2^-n (exact).
    let binomial = 1;
    for (let i = 1; i <= k; i++) binomial = (binomial * (n - k + i)) / i;
    pmf = binomial * 2 ** -n;
  } else {
    let logBinomial = 0;
    for (let i = 1; i <= k; i++) logBinomial += Math.log((n - k + i) / i);
    pmf = Math.exp(logBinomial - n * Math.LN2);
  }
  return pmf * relativeSum;
}
