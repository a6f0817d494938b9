/**
 * The analysis worker's pure helpers: output differences with the worst samples, observed input
 * ranges, strided value samples for histograms, quantization parameters for display; and the
 * provider-check headline.
 */
import { describe, expect, it } from 'vitest';
import { diffTensors, ProviderAgreementAccumulator } from '../../../src/core/diff/index.ts';
import { OutputDiffTracker, argmax, observedRange, quantParamsView, strided } from '../../../src/workers/analysis-outputs.ts';
import { providerHeadline } from '../../../src/state/diagnosis.svelte.ts';

describe('OutputDiffTracker', () => {
  const x = [Float32Array.of(1, 5, 2), Float32Array.of(3, 1, 0), Float32Array.of(0, 0, 4)];
  const y = [Float32Array.of(1, 5, 2), Float32Array.of(0.5, 1.5, 0), Float32Array.of(0.1, 0, 3.9)];
  const tracker = new OutputDiffTracker('logits');
  x.forEach((xs, i) => tracker.add({ index: 10 + i, label: i }, xs, y[i]));
  const report = tracker.report(2);

  it('pools the measures over every sample and keeps per-sample mean and worst', () => {
    const pooled = diffTensors(Float32Array.from(x.flatMap((a) => [...a])), Float32Array.from(y.flatMap((a) => [...a])));
    expect(report.summary.sampleCount).toBe(3);
    expect(report.summary.pooled.mse).toBeCloseTo(pooled.mse, 12);
    expect(report.summary.pooled.sqnrDb).toBeCloseTo(pooled.sqnrDb, 12);
    expect(report.summary.perSample.sqnrDb.nonFiniteCount).toBe(1); // the first sample is exact
    expect(report.summary.perSample.sqnrDb.worstSample).toBe(1);
  });

  it('lists the samples with the largest MSE first, with both top-1 predictions', () => {
    expect(report.worst.map((r) => r.index)).toEqual([11, 12]);
    expect(report.worst[0]).toMatchObject({ position: 1, label: 1, floatTop1: 0, quantizedTop1: 1 });
    expect(report.worst[0].mse).toBeCloseTo(diffTensors(x[1], y[1]).mse, 12);
    expect(report.top1Changed).toBe(1);
    expect(report.tensor).toBe('logits');
  });
});

describe('helpers', () => {
  it('argmax takes the first of equal maxima', () => {
    expect(argmax([1, 3, 3, 2])).toBe(1);
    expect(argmax([])).toBe(-1);
  });

  it('observedRange spans every input and is undefined without samples', () => {
    expect(observedRange([{ input: Float32Array.of(0.5, 0.25) }, { input: Float32Array.of(1, 0) }])).toEqual({ min: 0, max: 1 });
    expect(observedRange([])).toBeUndefined();
  });

  it('strided keeps at most `limit` values at an even stride', () => {
    expect([...strided([0, 1, 2, 3, 4, 5, 6], 3)]).toEqual([0, 3, 6]);
    expect([...strided([1, 2], 10)]).toEqual([1, 2]);
    expect(strided(new Float32Array(100_001), 20_000).length).toBeLessThanOrEqual(20_000);
  });

  it('quantParamsView gives the represented range per dtype, channels unioned', () => {
    expect(quantParamsView({ scales: Float32Array.of(1 / 255), zeroPoints: [0], dtype: 'uint8', axis: undefined })).toEqual({
      dtype: 'uint8', scaleCount: 1, scales: [Math.fround(1 / 255)], zeroPoints: [0], representable: { min: 0, max: 255 * Math.fround(1 / 255) },
    });
    const perChannel = quantParamsView({ scales: Float32Array.of(0.5, 0.25, 1), zeroPoints: [0, 0, 0], dtype: 'int8', axis: 0 }, 2);
    expect(perChannel).toMatchObject({ scaleCount: 3, axis: 0, scales: [0.5, 0.25], zeroPoints: [0, 0], representable: { min: -128, max: 127 } });
  });
});

describe('providerHeadline', () => {
  const compare = (target: Float32Array) => {
    const accumulator = new ProviderAgreementAccumulator('WebAssembly', 'WebGPU');
    accumulator.add(Float32Array.of(0.1, 0.9), target);
    return accumulator.result(30);
  };

  it('says the loss is quantization when the provider gives the same answers', () => {
    expect(providerHeadline('quantized', 'WebGPU', compare(Float32Array.of(0.1, 0.9)))).toBe(
      'The quantized model gives the same answers on WebGPU as on WebAssembly: the loss comes from quantization.',
    );
  });

  it("says part of the gap is the provider's when it differs", () => {
    expect(providerHeadline('quantized', 'WebGPU', compare(Float32Array.of(0.9, 0.1)))).toBe(
      "The quantized model differs between WebGPU and WebAssembly: part of the gap is the provider's.",
    );
    expect(providerHeadline('float', 'WebNN GPU', compare(Float32Array.of(0.9, 0.1)))).toMatch(/^The float model differs between WebNN GPU/);
  });
});
