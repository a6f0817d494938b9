import { describe, expect, it } from 'vitest';
import { probeProviders, type NavigatorLike } from '../../../src/runtime/probes.ts';
import { selectProvider, type ProbeResult } from '../../../src/core/providers/table.ts';

// Fake navigators imitating real devices: no NPU or real GPU is reachable from this machine, so
// the probe and selection logic is tested against what those devices' APIs answer.
const notSupported = () => Promise.reject(new DOMException('No backend for this device type', 'NotSupportedError'));

const devices: Record<string, NavigatorLike> = {
  'NPU laptop (WebNN npu+gpu+cpu, WebGPU)': {
    ml: { createContext: async () => ({ destroy() {} }) },
    gpu: { requestAdapter: async () => ({ info: { vendor: 'intel', architecture: 'xe-lpg' } }) },
  },
  'GPU-only laptop (WebNN gpu+cpu)': {
    ml: { createContext: (o?: { deviceType?: string }) => (o?.deviceType === 'npu' ? notSupported() : Promise.resolve({})) },
    gpu: { requestAdapter: async () => ({ info: { vendor: 'nvidia' } }) },
  },
  'Linux Chromium with the WebNN flag but no backend, software WebGPU': {
    ml: { createContext: notSupported },
    gpu: { requestAdapter: async () => ({ isFallbackAdapter: true, info: { vendor: 'google', description: 'SwiftShader' } }) },
  },
  'old phone browser (nothing)': {},
  'WebGPU exposed, no adapter': { gpu: { requestAdapter: async () => null } },
};

async function chosenFor(name: string) {
  const probes = await probeProviders(devices[name]);
  return { probes, quantized: selectProvider('auto', probes), float: selectProvider('wasm', probes) };
}

describe('provider probes and selection', () => {
  it('puts the quantized model on the NPU when WebNN has one', async () => {
    const { quantized, float } = await chosenFor('NPU laptop (WebNN npu+gpu+cpu, WebGPU)');
    expect(quantized.chosen).toBe('webnn-npu');
    expect(float.chosen).toBe('wasm');
  });

  it('takes WebNN GPU when there is no NPU, and says why the NPU was skipped', async () => {
    const { probes, quantized } = await chosenFor('GPU-only laptop (WebNN gpu+cpu)');
    expect(quantized.chosen).toBe('webnn-gpu');
    const npu = probes.find((p) => p.id === 'webnn-npu')!;
    expect(npu.available).toBe(false);
    expect(npu.detail).toMatch(/no npu backend/i);
  });

  it('falls to WebGPU when WebNN is exposed but has no backend (what Linux Chromium does)', async () => {
    const { probes, quantized } = await chosenFor('Linux Chromium with the WebNN flag but no backend, software WebGPU');
    expect(quantized.chosen).toBe('webgpu');
    expect(probes.find((p) => p.id === 'webgpu')!.detail).toMatch(/software adapter/);
  });

  it('uses wasm when nothing else exists, explaining what is missing', async () => {
    for (const name of ['old phone browser (nothing)', 'WebGPU exposed, no adapter']) {
      const { quantized } = await chosenFor(name);
      expect(quantized.chosen).toBe('wasm');
      expect(quantized.reason).toMatch(/no accelerator/);
    }
  });

  it('an explicit but unavailable choice falls back to wasm with the reason', async () => {
    const probes = await probeProviders(devices['old phone browser (nothing)']);
    const selection = selectProvider('webnn-npu', probes);
    expect(selection).toMatchObject({ requested: 'webnn-npu', chosen: 'wasm', fallbackFrom: 'webnn-npu' });
    expect(selection.reason).toMatch(/WebNN NPU is not available here: this browser does not expose WebNN/);
  });

  it('honours an explicit available choice', () => {
    const probes: ProbeResult[] = [{ id: 'webgpu', available: true, detail: 'x' }];
    expect(selectProvider('webgpu', probes)).toMatchObject({ chosen: 'webgpu', reason: 'as requested' });
  });
});
