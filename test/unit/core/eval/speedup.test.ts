import { describe, expect, it } from 'vitest';
import { formatSpeedUp, speedUp } from '../../../../src/core/eval/speedup.ts';

const latency = (medianMs: number, p95Ms: number) => ({ count: 10, medianMs, p95Ms, meanMs: medianMs });

describe('speed-up of the quantized model', () => {
  it('is float ÷ quantized, for the median and the p95', () => {
    expect(speedUp({ float: latency(2, 5), quantized: latency(0.5, 4) })).toEqual({ median: 4, p95: 1.25 });
    // The demo on wasm: the INT8 model is slower (its QDQ nodes cost more than they save there).
    expect(speedUp({ float: latency(0.05, 0.1), quantized: latency(0.12, 0.2) }).median).toBeCloseTo(0.4167, 4);
  });
  it('has no value without latencies, and says which way it goes', () => {
    expect(speedUp({ float: latency(Number.NaN, 1), quantized: latency(1, 0) })).toEqual({ median: null, p95: null });
    expect(formatSpeedUp(4)).toBe('4.00× faster');
    expect(formatSpeedUp(0.4167)).toBe('0.42× (slower)');
    expect(formatSpeedUp(1.001)).toBe('1.00× (same)');
    expect(formatSpeedUp(null)).toBe('n/a');
  });
});
