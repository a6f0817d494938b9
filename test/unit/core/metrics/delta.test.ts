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

describe('verdict with a confidence interval (points mode)', () => {
  const delta = metricDelta(0.9855, 0.9815); // loses 0.40 points

  it('is within only when the whole interval is within the budget', () => {
    const result = verdict(delta, 1, { intervalPoints: { low: -0.62, high: -0.18 } });
    expect(result.outcome).toBe('within');
    expect(result.sentence).toBe('The quantized model loses 0.40 points of top-1 accuracy (98.55% → 98.15%); ' +
      'with 95% confidence the loss is at most 0.62 points, within the 1.0-point budget.');
    expect(verdict(metricDelta(0.9, 0.91), 1, { intervalPoints: { low: 0.2, high: 1.8 } }).sentence)
      .toContain('with 95% confidence there is no loss, within the 1.0-point budget');
  });

  it('exceeds when the whole interval is beyond the budget', () => {
    const result = verdict(metricDelta(0.9855, 0.9645), 1, { intervalPoints: { low: -2.9, high: -1.3 } });
    expect(result.outcome).toBe('exceeds');
    expect(result.sentence).toBe('The quantized model loses 2.10 points of top-1 accuracy (98.55% → 96.45%); ' +
      'with 95% confidence the loss is at least 1.30 points, which exceeds the 1.0-point budget.');
  });

  it('is inconclusive when the interval straddles the budget', () => {
    const result = verdict(delta, 0.5, { intervalPoints: { low: -0.9, high: 0.1 } });
    expect(result.outcome).toBe('inconclusive');
    expect(result.sentence).toBe('The quantized model loses 0.40 points of top-1 accuracy (98.55% → 98.15%); ' +
      'the 95% interval of the loss (−0.10 to 0.90 points) straddles the 0.5-point budget, so more samples are needed to decide.');
  });

  it('flips the interval for lower-is-better metrics (WER)', () => {
    const wer = metricDelta(0.12, 0.135, false); // +1.5 points of WER
    expect(verdict(wer, 1, { metricName: 'word error rate', intervalPoints: { low: 1.1, high: 1.9 } }).outcome).toBe('exceeds');
    expect(verdict(wer, 2, { metricName: 'word error rate', intervalPoints: { low: 1.1, high: 1.9 } }).outcome).toBe('within');
    expect(verdict(wer, 1.5, { metricName: 'word error rate', intervalPoints: { low: 1.1, high: 1.9 } }).sentence)
      .toBe('The quantized model raises word error rate by 1.50 points (12.00% → 13.50%); the 95% interval of the loss ' +
        '(1.10 to 1.90 points) straddles the 1.5-point budget, so more samples are needed to decide.');
  });
});

describe('verdict, relative mode', () => {
  it('judges the loss as a percentage of the float value', () => {
    const delta = metricDelta(0.8, 0.78); // −2.5 % relative
    expect(verdict(delta, 3, { mode: 'relative' }).sentence).toBe(
      'The quantized model loses 2.50% of its top-1 accuracy (80.00% → 78.00%), within the 3.0% relative budget.');
    expect(verdict(delta, 2, { mode: 'relative' }).outcome).toBe('exceeds');
    expect(verdict(delta, 2, { mode: 'relative', intervalRelative: { low: -0.04, high: -0.01 } }).outcome).toBe('inconclusive');
    expect(verdict(metricDelta(0, 0.1), 2, { mode: 'relative' }).outcome).toBe('inconclusive');
  });

  it('handles perplexity: lower is better, not a proportion', () => {
    const delta = metricDelta(12.4, 12.9, false, { proportion: false });
    expect(delta.absolutePoints).toBeCloseTo(0.5, 12);
    const result = verdict(delta, 5, { mode: 'relative', metricName: 'perplexity', valueFormat: 'number',
      intervalRelative: { low: 0.02, high: 0.06 } });
    expect(result.outcome).toBe('inconclusive');
    expect(result.sentence).toBe('The quantized model raises perplexity by 4.03% (12.40 → 12.90); the 95% interval of the loss ' +
      '(2.00 to 6.00%) straddles the 5.0% relative budget, so more samples are needed to decide.');
    expect(verdict(delta, 1, { metricName: 'perplexity', valueFormat: 'number' }).sentence).toBe(
      'The quantized model raises perplexity by 0.50 (12.40 → 12.90), within the budget of 1.0.');
  });
});

describe('verdict, significance mode', () => {
  it('uses the p-value when given, else the interval', () => {
    const delta = metricDelta(0.9, 0.88);
    expect(verdict(delta, 0, { mode: 'significance', pValue: 0.003 }).sentence).toBe(
      'The quantized model loses 2.00 points of top-1 accuracy (90.00% → 88.00%), a statistically significant loss (p = 0.003).');
    const notSignificant = verdict(delta, 0, { mode: 'significance', pValue: 0.2 });
    expect(notSignificant.outcome).toBe('within');
    expect(notSignificant.sentence).toContain('with no statistically significant loss (p = 0.200)');
    expect(verdict(metricDelta(0.88, 0.9), 0, { mode: 'significance', pValue: 0.001 }).outcome).toBe('within'); // a significant gain
    expect(verdict(delta, 0, { mode: 'significance', intervalPoints: { low: -3.1, high: -0.9 } }).outcome).toBe('exceeds');
    expect(verdict(delta, 0, { mode: 'significance', intervalPoints: { low: -3.1, high: 0.4 } }).outcome).toBe('within');
    expect(verdict(delta, 0, { mode: 'significance' }).outcome).toBe('inconclusive');
  });
});
