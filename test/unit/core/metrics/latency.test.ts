import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { percentileOfSorted, summarizeLatencies } from '../../../../src/core/metrics/index.ts';
import { expectClose, metricsGolden } from './golden.ts';

describe.each(metricsGolden.latency)('summarizeLatencies against numpy.percentile: $name', ({ ms, expected }) => {
  it('matches count, median, p95 and mean', () => {
    const summary = summarizeLatencies(ms);
    expect(summary.count).toBe(expected.count);
    expectClose(summary.medianMs, expected.medianMs, 'median');
    expectClose(summary.p95Ms, expected.p95Ms, 'p95');
    expectClose(summary.meanMs, expected.meanMs, 'mean');
  });
});

describe('summarizeLatencies', () => {
  it('interpolates linearly between order statistics (hand-checked)', () => {
    // n = 4: p95 index 2.85 -> 30 + 0.85 * 10 = 38.5; median index 1.5 -> 25.
    const summary = summarizeLatencies([40, 10, 30, 20]);
    expect(summary.medianMs).toBeCloseTo(25, 12);
    expect(summary.p95Ms).toBeCloseTo(38.5, 12);
    expect(percentileOfSorted([1, 2, 3], 100)).toBe(3);
    expect(percentileOfSorted([1, 2, 3], 0)).toBe(1);
  });

  it('does not reorder the caller\'s array', () => {
    const ms = [3, 1, 2];
    summarizeLatencies(ms);
    expect(ms).toEqual([3, 1, 2]);
  });

  it('returns NaN statistics for no timings and rejects impossible ones', () => {
    expect(summarizeLatencies([])).toEqual({ count: 0, medianMs: Number.NaN, p95Ms: Number.NaN, meanMs: Number.NaN });
    expect(() => summarizeLatencies([1, Number.NaN])).toThrow(QuantLensError);
    expect(() => summarizeLatencies([-1])).toThrow(QuantLensError);
  });
});
