import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { mcnemarExact, mcnemarFromCorrectness } from '../../../../src/core/stats/index.ts';
import { expectClose } from '../metrics/golden.ts';
import { statsGolden } from './golden.ts';

describe('McNemar\'s exact test, against scipy.stats.binomtest (make_golden_stats.py)', () => {
  for (const golden of statsGolden.mcnemar) {
    it(`b = ${golden.b}, c = ${golden.c}: p = ${golden.pValue}`, () => {
      expectClose(mcnemarExact(golden.b, golden.c).pValue, golden.pValue, 'p');
    });
  }
});

describe('McNemar from per-sample correctness', () => {
  it('counts only discordant pairs', () => {
    // b = 2 (float right only), c = 1 (quantized right only): p = 2 * P(X <= 1 | n = 3) = 2 * 4/8 = 1.
    const result = mcnemarFromCorrectness([1, 1, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0]);
    expect(result).toEqual({ floatOnlyCorrect: 2, quantizedOnlyCorrect: 1, pValue: 1 });
    // Hand computation: b = 6, c = 0: p = 2 / 2^6 = 0.03125.
    expect(mcnemarFromCorrectness([true, true, true, true, true, true], [false, false, false, false, false, false]).pValue).toBe(0.03125);
    expect(() => mcnemarFromCorrectness([1], [1, 0])).toThrow(QuantLensError);
    expect(() => mcnemarExact(-1, 2)).toThrow(QuantLensError);
  });
});
