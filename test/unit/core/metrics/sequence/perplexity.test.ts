import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../../src/core/errors.ts';
import { PerplexityAccumulator, logSumExp } from '../../../../../src/core/metrics/sequence/index.ts';
import { expectClose } from '../golden.ts';
import { sequenceGolden } from './golden.ts';

describe('perplexity, against scipy.special.logsumexp (make_golden_stats.py)', () => {
  for (const golden of sequenceGolden.perplexity) {
    it(`${golden.name}: NLL sum, token count and perplexity`, () => {
      const accumulator = new PerplexityAccumulator(golden.vocabularySize);
      const counts = accumulator.add(golden.logits, golden.targets);
      expect(counts.tokenCount).toBe(golden.tokenCount);
      expectClose(counts.nllSum, golden.nllSum, 'NLL sum');
      expectClose(accumulator.result().perplexity, golden.perplexity, 'perplexity');
    });
  }
});

describe('perplexity', () => {
  it('is the vocabulary size for uniform logits, token-weighted over sequences', () => {
    const accumulator = new PerplexityAccumulator(4);
    accumulator.add(new Float32Array(8), [0, 3]);
    accumulator.add(new Float32Array(4), [2]);
    expect(accumulator.result()).toMatchObject({ tokenCount: 3, sequenceCount: 2 });
    expect(accumulator.result().perplexity).toBeCloseTo(4, 12);
  });

  it('stays finite for huge logits, skips ignored targets, and rejects bad input', () => {
    expect(logSumExp([1e308, 1e308])).toBe(1e308 + Math.LN2);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    const accumulator = new PerplexityAccumulator(2, { ignoreIndex: -1 });
    expect(accumulator.add([1e4, 0, 0, 0], [0, -1])).toEqual({ nllSum: 0, tokenCount: 1 });
    expect(new PerplexityAccumulator(2).result().perplexity).toBeNaN();
    expect(() => accumulator.add([0, 0, 0], [0])).toThrow(QuantLensError);
    expect(() => accumulator.add([0, 0], [5])).toThrow(QuantLensError);
  });
});
