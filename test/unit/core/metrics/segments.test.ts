import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { compareSegments } from '../../../../src/core/metrics/segments.ts';

describe('compareSegments', () => {
  // Segment 'cat': 40 samples, float 36 right, quantized 30 right (−15 points).
  // Segment 'dog': 50 samples, both 45 right. Segment 'bird': 5 samples, both right.
  const keys: string[] = [];
  const floatCorrect: number[] = [];
  const quantizedCorrect: number[] = [];
  const push = (key: string, count: number, f: (i: number) => boolean, q: (i: number) => boolean) => {
    for (let i = 0; i < count; i++) {
      keys.push(key);
      floatCorrect.push(Number(f(i)));
      quantizedCorrect.push(Number(q(i)));
    }
  };
  push('dog', 50, (i) => i < 45, (i) => i < 45);
  push('cat', 40, (i) => i < 36, (i) => i < 30);
  push('bird', 5, () => true, () => true);

  it('gives per-segment accuracies and Δ, worst first, with a paired interval', () => {
    const segments = compareSegments(keys, floatCorrect, quantizedCorrect);
    expect(segments.map((s) => s.key)).toEqual(['cat', 'dog', 'bird']);
    const cat = segments[0];
    expect(cat).toMatchObject({ sampleCount: 40, floatAccuracy: 0.9, quantizedAccuracy: 0.75 });
    expect(cat.deltaPoints).toBeCloseTo(-15, 10);
    expect(cat.intervalPoints.low).toBeLessThan(-15);
    expect(cat.intervalPoints.high).toBeLessThan(0);
    expect(segments[1]).toMatchObject({ deltaPoints: 0, intervalPoints: { low: 0, high: 0 }, tooSmall: false });
  });

  it('flags segments too small to conclude: under 30 samples, or an interval wider than 10 points', () => {
    const segments = compareSegments(keys, floatCorrect, quantizedCorrect);
    const byKey = new Map(segments.map((s) => [s.key, s]));
    expect(byKey.get('bird')?.tooSmall).toBe(true); // 5 samples
    const cat = byKey.get('cat');
    expect(cat && cat.intervalPoints.high - cat.intervalPoints.low).toBeGreaterThan(10);
    expect(cat?.tooSmall).toBe(true); // wide interval
    expect(compareSegments(keys, floatCorrect, quantizedCorrect, { maxIntervalPoints: 100 })
      .find((s) => s.key === 'cat')?.tooSmall).toBe(false);
  });

  it('gives each segment the same interval however the other segments change (seed from the key)', () => {
    const alone = compareSegments(keys.slice(50, 90), floatCorrect.slice(50, 90), quantizedCorrect.slice(50, 90));
    const together = compareSegments(keys, floatCorrect, quantizedCorrect).find((s) => s.key === 'cat');
    expect(together?.intervalPoints).toEqual(alone[0].intervalPoints);
  });

  it('has Δ = 0 and a zero-width interval for a model against itself, in every segment', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 7), fc.boolean()), { maxLength: 120 }), (rows) => {
      const correct = rows.map(([, c]) => c);
      return compareSegments(rows.map(([k]) => k), correct, correct, { resamples: 40 })
        .every((s) => s.deltaPoints === 0 && s.intervalPoints.low === 0 && s.intervalPoints.high === 0);
    }));
  });

  it('rejects arrays of different lengths', () => {
    expect(() => compareSegments(['a'], [1, 0], [1, 0])).toThrow(QuantLensError);
    expect(compareSegments([], [], [])).toEqual([]);
  });
});
