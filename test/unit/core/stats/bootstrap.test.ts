import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { bootstrapMeanDelta, bootstrapRatioDelta } from '../../../../src/core/stats/index.ts';
import { expectClose } from '../metrics/golden.ts';
import { statsGolden } from './golden.ts';

describe('paired bootstrap, against the Python twin + numpy.percentile (make_golden_stats.py)', () => {
  for (const golden of statsGolden.meanBootstrap) {
    it(`mean of correctness: ${golden.name}`, () => {
      const result = bootstrapMeanDelta(golden.floatCorrect, golden.quantizedCorrect, { seed: golden.seed });
      expectDeltaClose(result, golden.expected);
    });
  }
  for (const golden of statsGolden.ratioBootstrap) {
    it(`corpus ratio: ${golden.name}`, () => {
      const result = bootstrapRatioDelta(golden.float, golden.quantized,
        { seed: golden.seed, resamples: 500, transform: golden.transform === 'exp' ? Math.exp : undefined });
      expectDeltaClose(result, golden.expected);
    });
  }
});

describe('paired bootstrap properties', () => {
  it('gives Δ = 0 with a zero-width interval for a model against itself (any data, any seed)', () => {
    fc.assert(fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }), fc.integer(), (correct, seed) => {
      const result = bootstrapMeanDelta(correct, correct, { seed, resamples: 50 });
      return result.delta === 0 && result.interval.low === 0 && result.interval.high === 0;
    }));
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(20), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 60 }), fc.integer(),
      (pairs, seed) => {
        const samples = { numerators: pairs.map(([n]) => n), denominators: pairs.map(([, d]) => d) };
        const result = bootstrapRatioDelta(samples, samples, { seed, resamples: 30, transform: Math.exp });
        return result.delta === 0 && result.interval.low === 0 && result.interval.high === 0;
      }));
  });

  it('is deterministic for a seed and changes with it', () => {
    const f = Array.from({ length: 300 }, (_, i) => i % 7 !== 0);
    const q = Array.from({ length: 300 }, (_, i) => i % 5 !== 0);
    const a = bootstrapMeanDelta(f, q, { seed: 5 });
    expect(bootstrapMeanDelta(f, q, { seed: 5 })).toEqual(a);
    expect(bootstrapMeanDelta(f, q, { seed: 6 }).interval).not.toEqual(a.interval);
    expect(a.interval.low).toBeLessThan(a.delta);
    expect(a.interval.high).toBeGreaterThan(a.delta);
  });

  it('covers the true Δ about 95% of the time (seeded simulation)', () => {
    // Population: P(float only right) = 0.06, P(quantized only right) = 0.03, true Δ = −0.03.
    let covered = 0;
    const trials = 200;
    let state = 99;
    const uniform = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
    for (let t = 0; t < trials; t++) {
      const f: number[] = [];
      const q: number[] = [];
      for (let i = 0; i < 400; i++) {
        const u = uniform();
        f.push(u < 0.86 ? 1 : 0); // both right 0.80, float only 0.06
        q.push(u < 0.8 || (u >= 0.86 && u < 0.89) ? 1 : 0);
      }
      const { interval } = bootstrapMeanDelta(f, q, { seed: t, resamples: 400 });
      if (interval.low <= -0.03 && -0.03 <= interval.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.89);
  });

  it('rejects unpaired or non-numeric input and handles no samples', () => {
    expect(() => bootstrapMeanDelta([1, 0], [1])).toThrow(QuantLensError);
    expect(() => bootstrapMeanDelta([Number.NaN], [1])).toThrow(QuantLensError);
    expect(() => bootstrapMeanDelta([1], [1], { confidence: 1 })).toThrow(QuantLensError);
    expect(bootstrapMeanDelta([], []).interval.low).toBeNaN();
  });
});

function expectDeltaClose(result: ReturnType<typeof bootstrapMeanDelta>, expected: (typeof statsGolden.meanBootstrap)[number]['expected']): void {
  expectClose(result.float, expected.float, 'float');
  expectClose(result.quantized, expected.quantized, 'quantized');
  expectNear(result.delta, expected.delta, 'delta');
  expectNear(result.interval.low, expected.interval[0], 'low');
  expectNear(result.interval.high, expected.interval[1], 'high');
  expectNear(result.relativeInterval.low, expected.relativeInterval[0], 'relative low');
  expectNear(result.relativeInterval.high, expected.relativeInterval[1], 'relative high');
}

// Differences of proportions can be 0 or tiny: 1e-9 relative to the larger of the value and 1e-3.
function expectNear(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-3), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
}
