/** Latency summaries with numpy's default percentile (method='linear'). */
import { QuantLensError } from '../errors.ts';
import type { LatencySummary } from './types.ts';

/** Count, mean, median and p95 of per-inference times in ms; NaN statistics when there are none. */
export function summarizeLatencies(ms: readonly number[]): LatencySummary {
  const bad = ms.find((value) => !Number.isFinite(value) || value < 0);
  if (bad !== undefined) {
    throw new QuantLensError('invalid-input', `A latency of ${bad} ms is not a valid measurement.`,
      'Report this: timings must be finite and not negative.');
  }
  if (ms.length === 0) {
    return { count: 0, medianMs: Number.NaN, p95Ms: Number.NaN, meanMs: Number.NaN };
  }
  const sorted = Float64Array.from(ms).sort();
  return {
    count: sorted.length,
    medianMs: percentileOfSorted(sorted, 50),
    p95Ms: percentileOfSorted(sorted, 95),
    meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

/**
 * numpy.percentile(values, percent) with the default 'linear' method, on ascending values:
 * index (n - 1) * percent / 100, interpolated the way numpy's _lerp does (from the nearer end).
 */
export function percentileOfSorted(sorted: ArrayLike<number>, percent: number): number {
  const position = (sorted.length - 1) * (percent / 100);
  const lowerIndex = Math.floor(position);
  const upperIndex = Math.min(lowerIndex + 1, sorted.length - 1);
  const fraction = position - lowerIndex;
  const lower = sorted[lowerIndex];
  const upper = sorted[upperIndex];
  const difference = upper - lower;
  return fraction >= 0.5 ? upper - difference * (1 - fraction) : lower + difference * fraction;
}
