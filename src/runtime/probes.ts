import { PROVIDERS, type ProbeResult, type ProviderDescriptor } from '../core/providers/table.ts';

/**
 * The parts of `navigator` the probes look at, typed loosely on purpose: WebNN and WebGPU are not
 * in TypeScript's DOM lib yet, and tests pass fake navigators that imitate real devices.
 */
export interface NavigatorLike {
  ml?: { createContext(options?: { deviceType?: string }): Promise<unknown> };
  gpu?: { requestAdapter(options?: unknown): Promise<AdapterLike | null> };
}
interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

type Probe = (nav: NavigatorLike, provider: ProviderDescriptor) => Promise<Omit<ProbeResult, 'id'>>;

/**
 * WebNN: with the feature on and no backend, ORT throws instead of falling back, so ask for a
 * context of the exact device type ourselves first.
 */
const probeWebnn: Probe = async (nav, provider) => {
  if (!nav.ml) return { available: false, detail: 'this browser does not expose WebNN (navigator.ml)' };
  try {
    const context = await nav.ml.createContext({ deviceType: provider.deviceType });
    (context as { destroy?: () => void } | null)?.destroy?.();
    return { available: true, detail: `WebNN context for deviceType '${provider.deviceType}' created` };
  } catch (error) {
    return { available: false, detail: `WebNN has no ${provider.deviceType} backend here (${errorText(error)})` };
  }
};

const probeWebgpu: Probe = async (nav) => {
  if (!nav.gpu) return { available: false, detail: 'this browser does not expose WebGPU (navigator.gpu)' };
  try {
    const adapter = await nav.gpu.requestAdapter();
    if (!adapter) return { available: false, detail: 'no WebGPU adapter (requestAdapter returned null)' };
    const info = adapter.info ?? {};
    const fallback = adapter.isFallbackAdapter ?? info.isFallbackAdapter ?? false;
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
    return { available: true, detail: fallback ? `software adapter (${name}), slow` : name };
  } catch (error) {
    return { available: false, detail: `requestAdapter failed (${errorText(error)})` };
  }
};

const probeWasm: Probe = async () => ({ available: true, detail: 'WebAssembly SIMD, always available' });

const PROBES: Record<ProviderDescriptor['ortName'], Probe> = { webnn: probeWebnn, webgpu: probeWebgpu, wasm: probeWasm };

/** Probes every provider of the table on this device (run it where the sessions run: in the worker). */
export async function probeProviders(nav: NavigatorLike): Promise<ProbeResult[]> {
  return Promise.all(
    PROVIDERS.map(async (provider) => ({ id: provider.id, ...(await PROBES[provider.ortName](nav, provider)) })),
  );
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
