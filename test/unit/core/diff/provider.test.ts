/** Provider vs quantization: one sentence that says whose gap it is. */
import { describe, expect, it } from 'vitest';
import { ProviderAgreementAccumulator } from '../../../../src/core/diff/provider.ts';

const outputs = [Float32Array.of(0.1, 2.5, -1), Float32Array.of(3, 0.2, 0.1), Float32Array.of(-2, -1, 0.5)];

function compare(target: (scores: Float32Array, i: number) => Float32Array, quantizationSqnrDb?: number) {
  const accumulator = new ProviderAgreementAccumulator('wasm', 'webgpu');
  outputs.forEach((scores, i) => accumulator.add(scores, target(scores, i)));
  return accumulator.result(quantizationSqnrDb);
}

describe('ProviderAgreementAccumulator', () => {
  it('identical outputs: the gap is quantization', () => {
    const result = compare((s) => s.slice());
    expect(result).toMatchObject({ verdict: 'identical', top1Agree: 3, top1Agreement: 1, sampleCount: 3 });
    expect(result.output.pooled.sqnrDb).toBe(Infinity);
    expect(result.sentence).toBe('webgpu gives exactly the same outputs as wasm on all 3 samples, so any gap you see is quantization, not the provider.');
  });

  it('rounding noise with every top-1 equal: negligible', () => {
    const result = compare((s) => Float32Array.from(s, (v) => v * (1 + 1e-5)));
    expect(result.verdict).toBe('negligible');
    expect(result.output.pooled.sqnrDb).toBeCloseTo(100, 0);
    expect(result.sentence).toMatch(/^webgpu differs from wasm only by rounding noise \(output SQNR 100\.0 dB, every top-1 equal on 3 samples\)/);
  });

  it('changed predictions: part of the gap is the provider’s', () => {
    const result = compare((s, i) => (i === 1 ? Float32Array.of(0, 1, 0) : s.slice()), 20);
    expect(result).toMatchObject({ verdict: 'provider-gap', top1Agree: 2 });
    expect(result.sentence).toContain('1 of 3 top-1 predictions changed');
    expect(result.sentence).toContain('noisier than quantization itself (20.0 dB)');
    expect(result.sentence).toMatch(/part of the gap on webgpu is the provider's, not quantization's\.$/);
  });

  it('a provider noise larger than the quantization noise is the provider’s even without flips', () => {
    const result = compare((s) => Float32Array.from(s, (v) => v * 1.001), 70);
    expect(result.verdict).toBe('provider-gap');
    expect(result.sentence).toContain('no top-1 changes');
  });

  it('before any sample', () => {
    expect(new ProviderAgreementAccumulator('wasm', 'webnn').result().sentence).toBe('No samples were compared between webnn and wasm yet.');
  });
});
