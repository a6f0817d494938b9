import { describe, expect, it } from 'vitest';
import { PROVIDERS, parseProviderChoice, wasmThreadsPerModel } from '../../../../src/core/providers/table.ts';
import { QuantLensError } from '../../../../src/core/errors.ts';

describe('provider table', () => {
  it('lists the NPU first and wasm last, and WebNN/WebGPU run on the build that computes QDQ correctly', () => {
    expect(PROVIDERS[0].id).toBe('webnn-npu');
    expect(PROVIDERS.at(-1)!.id).toBe('wasm');
    for (const p of PROVIDERS) expect(p.build).toBe(p.ortName === 'wasm' ? 'wasm' : 'webgpu');
  });

  it('parses valid names and lists the valid ones for a wrong name', () => {
    expect(parseProviderChoice('auto')).toBe('auto');
    expect(parseProviderChoice('webnn-gpu')).toBe('webnn-gpu');
    expect(() => parseProviderChoice('cuda')).toThrowError(QuantLensError);
    try {
      parseProviderChoice('cuda');
    } catch (error) {
      expect((error as QuantLensError).hint).toBe('Use one of: auto, webnn-npu, webnn-gpu, webgpu, webnn-cpu, wasm.');
    }
  });

  it('splits cores between the two concurrent models, and needs isolation for threads', () => {
    expect(wasmThreadsPerModel(2, true)).toBe(1);
    expect(wasmThreadsPerModel(8, true)).toBe(4);
    expect(wasmThreadsPerModel(16, true)).toBe(4);
    expect(wasmThreadsPerModel(8, false)).toBe(1);
    expect(wasmThreadsPerModel(0, true)).toBe(1);
  });
});
