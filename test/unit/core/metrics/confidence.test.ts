import { describe, expect, it } from 'vitest';
import { topConfidence } from '../../../../src/core/metrics/confidence.ts';

describe('topConfidence', () => {
  it('is the softmax probability of the top class for logits', () => {
    // softmax([1, 2, 3])[2] = e^3 / (e^1 + e^2 + e^3) = 0.6652409557748219 (numpy)
    expect(topConfidence(Float32Array.of(1, 2, 3))).toBeCloseTo(0.6652409557748219, 6);
    expect(topConfidence([1000, 0])).toBe(1); // stable for large logits
  });
  it('takes probabilities as they are', () => {
    expect(topConfidence([0.1, 0.7, 0.2])).toBe(0.7);
  });
  it('is NaN when the top score is not finite', () => {
    expect(topConfidence([Number.NaN, 1])).toBeNaN();
  });
});
