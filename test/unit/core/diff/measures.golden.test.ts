/**
 * The difference measures against NumPy (tools/golden/make_golden_diff.py → test/golden/diff-golden.json),
 * to 1e-9 relative; non-finite values must match exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEASURES, diffTensors, type MeasureId, type TensorDiff } from '../../../../src/core/diff/measures.ts';
import { DiffAccumulator, type PerSampleStat } from '../../../../src/core/diff/accumulator.ts';

type Golden = number | 'Infinity' | '-Infinity' | 'NaN';
type GoldenDiff = Record<MeasureId, Golden> & { count: number };
interface DiffGolden {
  pairs: { name: string; x: number[]; y: number[]; expected: GoldenDiff }[];
  streams: {
    name: string;
    samples: { x: number[]; y: number[] }[];
    expected: {
      sampleCount: number;
      pooled: GoldenDiff;
      perSample: Record<MeasureId, { mean: Golden; worst: Golden; worstSample: number; nonFiniteCount: number }>;
    };
  }[];
}

const golden = JSON.parse(readFileSync(new URL('../../../golden/diff-golden.json', import.meta.url), 'utf8')) as DiffGolden;
const ids = Object.keys(MEASURES) as MeasureId[];

function value(expected: Golden): number {
  return expected === 'Infinity' ? Infinity : expected === '-Infinity' ? -Infinity : expected === 'NaN' ? NaN : expected;
}

function expectClose(actual: number, expectedGolden: Golden, what: string): void {
  const expected = value(expectedGolden);
  if (!Number.isFinite(expected)) {
    expect(actual, what).toBe(expected);
    return;
  }
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs(actual - expected) / scale, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
}

function expectDiff(actual: TensorDiff, expected: GoldenDiff, what: string): void {
  expect(actual.count).toBe(expected.count);
  for (const id of ids) expectClose(actual[id], expected[id], `${what} ${id}`);
}

describe('difference measures match NumPy', () => {
  for (const pair of golden.pairs) {
    it(pair.name, () => {
      expectDiff(diffTensors(Float32Array.from(pair.x), Float32Array.from(pair.y)), pair.expected, pair.name);
    });
  }
});

describe('DiffAccumulator matches NumPy over samples', () => {
  for (const stream of golden.streams) {
    it(stream.name, () => {
      const accumulator = new DiffAccumulator();
      for (const sample of stream.samples) accumulator.add(Float32Array.from(sample.x), Float32Array.from(sample.y));
      const summary = accumulator.summary();
      expect(summary.sampleCount).toBe(stream.expected.sampleCount);
      expectDiff(summary.pooled, stream.expected.pooled, 'pooled');
      for (const id of ids) {
        const actual: PerSampleStat = summary.perSample[id];
        const expected = stream.expected.perSample[id];
        expectClose(actual.mean, expected.mean, `${id} mean`);
        expectClose(actual.worst, expected.worst, `${id} worst`);
        expect(actual.worstSample, `${id} worst sample`).toBe(expected.worstSample);
        expect(actual.nonFiniteCount, `${id} non-finite`).toBe(expected.nonFiniteCount);
      }
    });
  }
});

describe('measure edge cases', () => {
  it('cosine is 1 for two zero tensors and 0 when only one is zero', () => {
    expect(diffTensors([0, 0], [0, 0]).cosine).toBe(1);
    expect(diffTensors([0, 0], [1, 0]).cosine).toBe(0);
    expect(diffTensors([1, 0], [0, 0]).cosine).toBe(0);
  });
  it('SQNR is +Infinity for an exact match, NMSE then 0', () => {
    const d = diffTensors([1, -2, 3], [1, -2, 3]);
    expect(d.sqnrDb).toBe(Infinity);
    expect(d.normalizedMse).toBe(0);
    expect(d.psnrDb).toBeCloseTo(20 * Math.log10((3 + 1e-5) / 1e-10), 9);
  });
  it('rejects tensors of different lengths with a QuantLensError', () => {
    expect(() => diffTensors([1, 2], [1])).toThrowError(/2 and 1 elements/);
  });
  it('an empty accumulator reports NaN, not zeros', () => {
    const summary = new DiffAccumulator().summary();
    expect(summary.sampleCount).toBe(0);
    expect(summary.pooled.sqnrDb).toBeNaN();
    expect(summary.perSample.sqnrDb.worstSample).toBe(-1);
  });
  it('every measure has a formula for its tooltip', () => {
    for (const id of ids) expect(MEASURES[id].formula.length).toBeGreaterThan(5);
  });
});
