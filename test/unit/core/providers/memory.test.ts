import { describe, expect, it } from 'vitest';
import { assertMemoryFits, checkMemory, engineMemoryEstimate, largestLoadableModel, size, WASM32_MEMORY_BYTES } from '../../../../src/core/providers/memory.ts';
import { QuantLensError } from '../../../../src/core/errors.ts';

const MB = 1024 ** 2;
const GB = 1024 ** 3;
const pair = (floatBytes: number, quantizedBytes: number) => [
  { label: "The float model 'f.onnx'", bytes: floatBytes },
  { label: "The quantized model 'q.onnx'", bytes: quantizedBytes },
];

describe('engine memory estimate (measured in Node, see memory.ts)', () => {
  it('matches the wasm heap sizes measured, within 10 %, and refuses the size that failed', () => {
    const measured: [number, number][] = [[4, 28], [128, 458], [256, 810], [512, 1386], [1024, 2346], [1536, 3370]];
    for (const [model, heap] of measured) {
      const estimate = engineMemoryEstimate(model * MB) / MB;
      expect(estimate / heap).toBeGreaterThan(0.9);
      expect(estimate / heap).toBeLessThan(1.65); // small models: the estimate is generous (28 MB measured, 45 estimated)
    }
    expect(engineMemoryEstimate(1536 * MB)).toBeLessThanOrEqual(WASM32_MEMORY_BYTES); // loaded
    expect(engineMemoryEstimate(1920 * MB)).toBeGreaterThan(WASM32_MEMORY_BYTES); // std::bad_alloc
    expect(largestLoadableModel() / MB).toBe(1888);
  });
});

describe('checkMemory with fake limits', () => {
  it('passes the demo pair on any device that reports memory at all', () => {
    expect(checkMemory(pair(209_960, 60_772), { deviceMemoryBytes: 0.25 * GB, jsHeapSizeLimit: 512 * MB })).toEqual({ problems: [], warnings: [] });
  });

  it('refuses a model WebAssembly cannot hold, whatever the device', () => {
    const { problems } = checkMemory(pair(2.5 * GB, 700 * MB), {});
    expect(problems).toEqual([
      "The float model 'f.onnx' is 2.5 GB: onnxruntime-web needs about 5.3 GB of WebAssembly memory to load it (the file is copied in, then its weights are built from the copy), and WebAssembly gives one model at most 4.0 GB. Loading it would fail, or take the tab down.",
    ]);
    expect(() => assertMemoryFits(pair(2.5 * GB, 700 * MB), {})).toThrow(QuantLensError);
    try {
      assertMemoryFits(pair(2.5 * GB, 700 * MB), {});
    } catch (error) {
      expect((error as QuantLensError).code).toBe('model-too-large');
      expect((error as QuantLensError).hint).toBe('Use a smaller model (under about 1.8 GB with its weights), or evaluate this pair with the command line (quantlens eval --engine onnxruntime-node), which is not bound by the browser\'s memory.');
    }
  });

  it('refuses a pair the device does not have the memory for, and warns past half of it', () => {
    expect(checkMemory(pair(450 * MB, 110 * MB), { deviceMemoryBytes: 2 * GB }).problems).toEqual([
      'Both models together need about 2.1 GB of memory while loading, more than this device has (the browser reports 2.0 GB): the browser would close the tab.',
    ]);
    expect(checkMemory(pair(450 * MB, 110 * MB), { deviceMemoryBytes: 4 * GB })).toEqual({
      problems: [],
      warnings: ['Both models together need about 2.1 GB of memory while loading, more than half of what this device reports (4.0 GB): close other tabs first, or the browser may close this one.'],
    });
    expect(checkMemory(pair(450 * MB, 110 * MB), { deviceMemoryBytes: 8 * GB })).toEqual({ problems: [], warnings: [] });
    expect(checkMemory([{ label: 'The model', bytes: 900 * MB }], { deviceMemoryBytes: 2 * GB }).problems[0]).toMatch(/^The model needs about 2\.9 GB/);
  });

  it('warns when the files crowd the JavaScript heap, and when the layer diagnosis cannot hold both in one instance', () => {
    expect(checkMemory(pair(300 * MB, 100 * MB), { jsHeapSizeLimit: 512 * MB }).warnings).toEqual([
      'The model files are 400 MB, more than half the JavaScript memory this browser gives a page (512 MB): the diagnosis and quantization steps, which read the graphs in JavaScript, may run out.',
    ]);
    expect(checkMemory(pair(1200 * MB, 900 * MB), {}).warnings).toEqual([
      'The layer-by-layer diagnosis loads both models into one WebAssembly instance (about 4.7 GB, over its 4.0 GB): it will fail for this pair; the evaluation itself loads them apart and can run.',
    ]);
  });

  it('takes a smaller engine memory from a test, and prints sizes as the app does', () => {
    expect(checkMemory([{ label: 'The model', bytes: 100 * MB }], { wasmMemoryBytes: 256 * MB }).problems).toHaveLength(1);
    expect([size(512), size(5 * MB), size(1.5 * GB), size(12 * GB)]).toEqual(['1 KB', '5 MB', '1.5 GB', '12 GB']);
  });
});
