import { describe, expect, it } from 'vitest';
import { PROVIDERS, choiceId, parseProviderChoice, selectProvider, staticShapeOverrides, wasmThreadsPerModel } from '../../../../src/core/providers/table.ts';
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

describe('WebNN options and static shapes', () => {
  const probes = PROVIDERS.map((p) => ({ id: p.id, available: true, detail: 'fake device with everything' }));

  it('records the WebNN options with a WebNN selection, and drops them elsewhere (wasm stays FP32)', () => {
    expect(selectProvider({ id: 'webnn-npu', powerPreference: 'low-power', fp16: true }, probes)).toMatchObject({ chosen: 'webnn-npu', requested: 'webnn-npu', webnn: { powerPreference: 'low-power', fp16: true } });
    expect(selectProvider('webnn-gpu', probes).webnn).toEqual({ powerPreference: 'default', fp16: false });
    expect(selectProvider({ id: 'wasm', fp16: true }, probes).webnn).toBeUndefined();
    const noWebnn = probes.map((p) => (p.id.startsWith('webnn') ? { ...p, available: false } : p));
    const fellBack = selectProvider({ id: 'webnn-npu', fp16: true }, noWebnn);
    expect(fellBack).toMatchObject({ chosen: 'wasm', fallbackFrom: 'webnn-npu' });
    expect(fellBack.webnn).toBeUndefined();
  });

  it('pins symbolic dims to the shape the runner feeds', () => {
    const input = { name: 'input', dtype: 'float32', shape: ['batch', 1, 'height', null] as (string | number | null)[] };
    expect(staticShapeOverrides(input, [1, 1, 28, 28])).toEqual({ batch: 1, height: 28 });
    expect(staticShapeOverrides(undefined, [1])).toEqual({});
    expect(choiceId({ id: 'auto' })).toBe('auto');
  });
});
