/**
 * Every calibration method against NumPy (tools/golden/make_golden_calibration.py, which transcribes
 * ONNX Runtime's calibrate.py histogram, percentile and entropy code, and the MSE search).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TensorHistogram } from '../../../../src/core/quantize/histogram.ts';
import { entropyRange, mseRange, percentileRange } from '../../../../src/core/quantize/thresholds.ts';
import type { QuantizedType } from '../../../../src/core/quantize/qdq-math.ts';
import { HistogramCalibrator, MinMaxCalibrator } from '../../../../src/core/quantize/index.ts';

interface GoldenCase {
  name: string;
  bins: number;
  batches: string[];
  histogram: { counts: number[]; first: number; last: number; min: number; max: number; threshold: number };
  percentile: { percentile: number; symmetric: boolean; min: number; max: number }[];
  entropy: { quantizedBins: number; min: number; max: number; candidates: number; divergences: [number, number][] };
  mse: Record<string, { type: QuantizedType; symmetric: boolean; min: number; max: number; errors: [number, number][] }>;
}

const golden = JSON.parse(readFileSync(new URL('../../../golden/calibration-golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };
const float32s = (base64: string) => {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};
const close = (actual: number, expected: number, rel = 1e-12) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));

describe.each(golden.cases)('calibration of "$name" against NumPy', (c) => {
  const histogram = new TensorHistogram(c.bins);
  for (const batch of c.batches) histogram.observe(float32s(batch));
  const snapshot = histogram.snapshot();
  if (!snapshot) throw new Error('no histogram');

  it('streams the same histogram (bins added as the range grows, counts kept in place)', () => {
    expect(Array.from(snapshot.counts)).toEqual(c.histogram.counts);
    expect([snapshot.edges[0], snapshot.edges[snapshot.edges.length - 1]]).toEqual([c.histogram.first, c.histogram.last]);
    expect([snapshot.min, snapshot.max, snapshot.threshold]).toEqual([c.histogram.min, c.histogram.max, c.histogram.threshold]);
  });

  it('percentile ranges (symmetric and asymmetric)', () => {
    for (const p of c.percentile) expect(percentileRange(snapshot, p.percentile, p.symmetric), `${p.percentile} ${p.symmetric}`).toEqual({ min: p.min, max: p.max });
  });

  it('entropy (KL divergence) range and divergence curve', () => {
    const range = entropyRange(snapshot, c.entropy.quantizedBins);
    expect({ min: range.min, max: range.max }).toEqual({ min: c.entropy.min, max: c.entropy.max });
    expect(range.divergences).toHaveLength(c.entropy.candidates);
    for (const [index, value] of c.entropy.divergences) close(range.divergences[index], value, 1e-9);
  });

  it('MSE-optimal clipping for each activation scheme', () => {
    for (const [key, m] of Object.entries(c.mse)) {
      const range = mseRange(snapshot, { type: m.type, symmetric: m.symmetric });
      expect({ min: range.min, max: range.max }, key).toEqual({ min: m.min, max: m.max });
      for (const [index, value] of m.errors) close(range.errors[index], value, 1e-9);
    }
  });
});

describe('HistogramCalibrator', () => {
  it('reads every method from one pass; MinMax equals the MinMax calibrator', () => {
    const c = golden.cases[0];
    const histograms = new HistogramCalibrator({ method: 'entropy' });
    const minMax = new MinMaxCalibrator();
    for (const batch of c.batches) {
      histograms.observe('t', float32s(batch));
      minMax.observe('t', float32s(batch));
    }
    expect(histograms.rangesFor({ method: 'minmax' })).toEqual(minMax.ranges());
    expect(histograms.ranges().get('t')).toEqual({ min: c.entropy.min, max: c.entropy.max });
    expect(histograms.rangesFor({ method: 'percentile' }).get('t')).toEqual({ min: c.percentile[0].min, max: c.percentile[0].max });
  });

  it('holds bins, not values: 1,000 batches of 10,000 values keep the same few thousand bins', () => {
    const calibrator = new HistogramCalibrator();
    const batch = Float32Array.from({ length: 10_000 }, (_, i) => Math.sin(i) * 3);
    calibrator.observe('t', batch);
    const bins = calibrator.binCount();
    for (let n = 1; n < 1000; n++) calibrator.observe('t', batch);
    expect(calibrator.binCount()).toBe(bins);
    expect(bins).toBeLessThanOrEqual(2048);
  });
});
