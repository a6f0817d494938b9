import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { SeededRandom } from '../../../../src/core/stats/index.ts';
import { statsGolden } from './golden.ts';

describe('SeededRandom (xoshiro128** seeded by SplitMix32)', () => {
  it('gives the same numbers as the Python twin in make_golden_stats.py', () => {
    for (const golden of statsGolden.random) {
      const random = new SeededRandom(golden.seed);
      expect(golden.uint32.map(() => random.nextUint32()), `seed ${golden.seed}`).toEqual(golden.uint32);
    }
  });

  it('is uniform enough for resampling: indices in range, means and counts as expected', () => {
    const random = new SeededRandom(123);
    const counts = new Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const index = random.nextIndex(10);
      counts[index]++;
      sum += random.nextFloat();
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500); // ~5 sigma
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
    expect(() => new SeededRandom(1.5)).toThrow(QuantLensError);
  });
});
