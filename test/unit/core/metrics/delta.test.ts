import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { metricDelta, verdict } from '../../../../src/core/metrics/index.ts';

describe('metricDelta', () => {
  it('gives percentage points and a relative change from proportions', () => {
    const delta = metricDelta(0.9855, 0.9815);
    expect(delta.absolutePoints).toBeCloseTo(-0.4, 12);
    expect(delta.relative).toBeCloseTo(-0.004 / 0.9855, 15);
    expect(delta.higherIsBetter).toBe(true);
    expect(metricDelta(0, 0.1).relative).toBeNaN();
  });
});

describe('verdict', () => {
  it('says a small loss is within the budget, in one sentence', () => {
    const result = verdict(metricDelta(0.9855, 0.9815), 1);
    expect(result.outcome).toBe('within');
    expect(result.sentence).toBe(
      'The quantized model loses 0.40 points of top-1 accuracy (98.55% → 98.15%), within the 1.0-point budget.');
  });

  it('says a large loss exceeds the budget', () => {
    const result = verdict(metricDelta(0.9855, 0.9645), 1);
    expect(result.outcome).toBe('exceeds');
    expect(result.sentence).toBe(
      'The quantized model loses 2.10 points of top-1 accuracy (98.55% → 96.45%), which exceeds the 1.0-point budget.');
  });

  it('counts a loss exactly at the budget as within, despite floating-point noise in q - f', () => {
    // (0.9815 - 0.9855) * 100 is -0.40000000000000036, not -0.4.
    expect(verdict(metricDelta(0.9855, 0.9815), 0.4).outcome).toBe('within');
    expect(verdict(metricDelta(0.9855, 0.9815), 0.39).outcome).toBe('exceeds');
  });

  it('states a gain as a gain, and no change as no change', () => {
    expect(verdict(metricDelta(0.9815, 0.9835), 0.5, { metricName: 'top-5 accuracy' }).sentence).toBe(
      'The quantized model gains 0.20 points of top-5 accuracy (98.15% → 98.35%), within the 0.5-point budget.');
    expect(verdict(metricDelta(0.5, 0.5), 0).sentence).toBe(
      'The quantized model keeps the same top-1 accuracy (50.00% → 50.00%), within the 0.0-point budget.');
  });

  it('treats a rise as the loss for lower-is-better metrics', () => {
    const worse = verdict(metricDelta(0.0145, 0.0185, false), 0.25, { metricName: 'error rate' });
    expect(worse.outcome).toBe('exceeds');
    expect(worse.sentence).toBe(
      'The quantized model raises error rate by 0.40 points (1.45% → 1.85%), which exceeds the 0.25-point budget.');
    const better = verdict(metricDelta(0.0185, 0.0145, false), 0.25, { metricName: 'error rate' });
    expect(better.outcome).toBe('within');
    expect(better.sentence).toContain('lowers error rate by 0.40 points');
  });

  it('is inconclusive when a value is missing, and rejects a nonsense budget', () => {
    expect(verdict(metricDelta(Number.NaN, Number.NaN), 1).outcome).toBe('inconclusive');
    expect(() => verdict(metricDelta(0.9, 0.8), -1)).toThrow(QuantLensError);
    expect(() => verdict(metricDelta(0.9, 0.8), Number.NaN)).toThrow(QuantLensError);
  });
});
