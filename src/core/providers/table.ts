import { QuantLensError } from '../errors.ts';
import type { ModelInputInfo } from '../preprocess/spec.ts';

/**
 * Execution providers as data (STYLE.md: a table plus probes, never scattered ifs).
 * Order = preference for the quantized model on "auto": the NPU first, then GPUs, then CPU paths.
 */
export type ProviderId = 'webnn-npu' | 'webnn-gpu' | 'webgpu' | 'webnn-cpu' | 'wasm';

export interface ProviderDescriptor {
  id: ProviderId;
  /** What the user reads. */
  label: string;
  /** The name onnxruntime-web knows it by. */
  ortName: 'webnn' | 'webgpu' | 'wasm';
  deviceType?: 'npu' | 'gpu' | 'cpu';
  /**
   * Which onnxruntime-web build runs it. 'wasm' = onnxruntime-web/wasm (the reference build, same
   * kernels as in Node); 'webgpu' = onnxruntime-web/webgpu, the build that computes quantized models
   * correctly on WebGPU (the default JSEP build gave wrong QDQ results, see KNOWLEDGE.md) and carries WebNN.
   */
  build: 'wasm' | 'webgpu';
  accelerator: boolean;
  /** WebNN compiles a graph for fixed shapes: symbolic dims (a 'batch') must be pinned, or it takes almost no node. */
  needsStaticShapes?: boolean;
  /**
   * ORT's WebGPU provider logs every kernel launch with the session's log level: a verbose session
   * (the source of op coverage) would distort the latencies, so coverage comes from a separate session.
   */
  logsEachRun?: boolean;
}

export const PROVIDERS: readonly ProviderDescriptor[] = [
  { id: 'webnn-npu', label: 'WebNN NPU', ortName: 'webnn', deviceType: 'npu', build: 'webgpu', accelerator: true, needsStaticShapes: true },
  { id: 'webnn-gpu', label: 'WebNN GPU', ortName: 'webnn', deviceType: 'gpu', build: 'webgpu', accelerator: true, needsStaticShapes: true },
  { id: 'webgpu', label: 'WebGPU', ortName: 'webgpu', build: 'webgpu', accelerator: true, logsEachRun: true },
  { id: 'webnn-cpu', label: 'WebNN CPU', ortName: 'webnn', deviceType: 'cpu', build: 'webgpu', accelerator: false, needsStaticShapes: true },
  { id: 'wasm', label: 'WebAssembly (CPU)', ortName: 'wasm', build: 'wasm', accelerator: false },
];

/** The reference provider: always present, the same kernels as the Node host. */
export const REFERENCE_PROVIDER: ProviderId = 'wasm';

export function providerById(id: ProviderId): ProviderDescriptor {
  const found = PROVIDERS.find((p) => p.id === id);
  if (!found) throw unknownProvider(id);
  return found;
}

/** Parses a user-supplied provider name; a wrong one throws an error listing the valid ones. */
export function parseProviderChoice(value: string): ProviderChoiceId {
  if (value === 'auto') return 'auto';
  const found = PROVIDERS.find((p) => p.id === value);
  if (!found) throw unknownProvider(value);
  return found.id;
}

function unknownProvider(value: string): QuantLensError {
  const valid = ['auto', ...PROVIDERS.map((p) => p.id)].join(', ');
  return new QuantLensError('invalid-input', `Unknown execution provider '${value}'.`, `Use one of: ${valid}.`);
}

/** What a probe found out about one provider on this device. */
export interface ProbeResult {
  id: ProviderId;
  available: boolean;
  /** Why not, or what was found (e.g. "software adapter (SwiftShader)"). */
  detail: string;
}

export type ProviderChoiceId = ProviderId | 'auto';

export type PowerPreference = 'default' | 'high-performance' | 'low-power';
export const POWER_PREFERENCES: readonly PowerPreference[] = ['default', 'high-performance', 'low-power'];

/** The WebNN context options that matter for quantized models on NPUs; recorded with each run. */
export interface WebnnOptions {
  powerPreference: PowerPreference;
  /** Run the model in FP16 (a converted copy, float32 in and out). WebNN only: wasm stays FP32. */
  fp16: boolean;
}
export const DEFAULT_WEBNN_OPTIONS: WebnnOptions = { powerPreference: 'default', fp16: false };

/** A provider as the user picked it: a plain id (default options) or an id with WebNN options. */
export type ProviderChoice = ProviderChoiceId | ({ id: ProviderChoiceId } & Partial<WebnnOptions>);

export function choiceId(choice: ProviderChoice): ProviderChoiceId {
  return typeof choice === 'string' ? choice : choice.id;
}

export function choiceWebnnOptions(choice: ProviderChoice): WebnnOptions {
  if (typeof choice === 'string') return { ...DEFAULT_WEBNN_OPTIONS };
  return { powerPreference: choice.powerPreference ?? DEFAULT_WEBNN_OPTIONS.powerPreference, fp16: choice.fp16 ?? DEFAULT_WEBNN_OPTIONS.fp16 };
}

export interface ProviderSelection {
  requested: ProviderChoiceId;
  chosen: ProviderId;
  /** Set when the requested provider was not available and another was chosen instead. */
  fallbackFrom?: ProviderId;
  reason: string;
  /** The WebNN options the run uses: present only when the chosen provider is a WebNN one. */
  webnn?: WebnnOptions;
}

/**
 * Picks the provider for one model. 'auto' takes the first available accelerator in table order
 * (then any available provider, wasm last); an explicit choice that is unavailable falls back to
 * wasm and says why.
 */
export function selectProvider(choice: ProviderChoice, probes: readonly ProbeResult[]): ProviderSelection {
  const selection = selectProviderId(choiceId(choice), probes);
  return providerById(selection.chosen).ortName === 'webnn' ? { ...selection, webnn: choiceWebnnOptions(choice) } : selection;
}

function selectProviderId(choice: ProviderChoiceId, probes: readonly ProbeResult[]): ProviderSelection {
  const availability = new Map(probes.map((p) => [p.id, p]));
  const isAvailable = (id: ProviderId) => id === REFERENCE_PROVIDER || availability.get(id)?.available === true;
  if (choice === 'auto') {
    const best = PROVIDERS.find((p) => p.accelerator && isAvailable(p.id)) ?? PROVIDERS.find((p) => isAvailable(p.id));
    const chosen = best?.id ?? REFERENCE_PROVIDER;
    const reason = providerById(chosen).accelerator ? 'best accelerator found on this device' : 'no accelerator found on this device';
    return { requested: choice, chosen, reason };
  }
  if (isAvailable(choice)) return { requested: choice, chosen: choice, reason: 'as requested' };
  const why = availability.get(choice)?.detail ?? 'not probed';
  return {
    requested: choice,
    chosen: REFERENCE_PROVIDER,
    fallbackFrom: choice,
    reason: `${providerById(choice).label} is not available here: ${why}`,
  };
}

/** Default: the float model on wasm as the reference, the quantized one on the best accelerator. */
export const DEFAULT_CHOICES: { float: ProviderChoice; quantized: ProviderChoice } = { float: REFERENCE_PROVIDER, quantized: 'auto' };

/**
 * wasm threads per model worker. Two models run at once, so each gets half the cores (at most 4,
 * ORT's own cap); without cross-origin isolation there is no SharedArrayBuffer, hence one thread.
 */
export function wasmThreadsPerModel(hardwareConcurrency: number, crossOriginIsolated: boolean, concurrentModels = 2): number {
  if (!crossOriginIsolated) return 1;
  const cores = Number.isFinite(hardwareConcurrency) && hardwareConcurrency > 0 ? hardwareConcurrency : 1;
  return Math.max(1, Math.min(4, Math.floor(cores / concurrentModels)));
}

/**
 * freeDimensionOverrides that pin a model input's symbolic dims ('batch', ...) to the shape the
 * runner feeds (batch 1), for providers that compile for fixed shapes.
 */
export function staticShapeOverrides(input: ModelInputInfo | undefined, dims: readonly number[]): Record<string, number> {
  const overrides: Record<string, number> = {};
  input?.shape.forEach((dim, i) => {
    if (typeof dim === 'string' && dim !== '' && Number.isInteger(dims[i]) && dims[i] > 0) overrides[dim] = dims[i];
  });
  return overrides;
}
