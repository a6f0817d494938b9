/**
 * Will a model fit? Decided from its size before any byte goes to an engine: a model the engine
 * cannot hold fails to load at best, and at worst (a worker's JavaScript heap running out) takes the
 * whole tab down with it, which no error handler can report. Pure: the limits are passed in
 * (workers/device-limits.ts reads them from the browser).
 */
import { QuantLensError } from '../errors.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** What wasm32 can address: onnxruntime-web's builds (wasm and webgpu) are 32-bit, so one model gets at most this. */
export const WASM32_MEMORY_BYTES = 4 * GiB;

/**
 * WebAssembly memory onnxruntime-web 1.30 reaches while loading a model of `bytes` (file plus
 * external data). Measured in Node, the wasm memory's size after creating a session (MatMul and Add
 * models): 4 MB → 28 MB, 128 MB → 458 MB, 256 MB → 810 MB, 512 MB → 1386 MB, 1 GB → 2346 MB,
 * 1.5 GB → 3370 MB; a 1.875 GB model failed with std::bad_alloc at 4 GiB. That is 2 × the model
 * (copied into the heap, then its weights built from the copy) plus the heap's growth steps, which
 * level off near 320 MB. Working memory for activations comes on top.
 */
export function engineMemoryEstimate(bytes: number): number {
  return 2 * bytes + Math.min(320 * MiB, 32 * MiB + 1.3 * bytes);
}

/** The largest model (file plus external data) whose load estimate fits in `wasmMemoryBytes`. */
export function largestLoadableModel(wasmMemoryBytes = WASM32_MEMORY_BYTES): number {
  return (wasmMemoryBytes - 320 * MiB) / 2;
}

/** The device's memory as the browser reports it; absent fields are not judged. */
export interface DeviceMemory {
  /** navigator.deviceMemory in bytes (Chromium rounds it down to a power of two and caps it at 8 GiB). */
  deviceMemoryBytes?: number;
  /** performance.memory.jsHeapSizeLimit (Chromium): the JavaScript heap one page or worker may use. */
  jsHeapSizeLimit?: number;
  /** The engine's addressable memory per model; WASM32_MEMORY_BYTES unless a test says otherwise. */
  wasmMemoryBytes?: number;
}

/** A model about to be loaded: how it is named in messages and its size with external data. */
export interface ModelFootprint {
  /** e.g. "The quantized model 'resnet50-int8.onnx'". */
  label: string;
  bytes: number;
}

export interface MemoryCheck {
  /** Reasons to stop before loading: each would fail to load, or endanger the tab. */
  problems: string[];
  /** Reasons for caution that do not stop a run (shown in the preflight). */
  warnings: string[];
}

export const TOO_LARGE_HINT = `Use a smaller model (under about ${size(largestLoadableModel())} with its weights), or evaluate this pair with the command line (quantlens eval --engine onnxruntime-node), which is not bound by the browser's memory.`;

/**
 * Checks models that load at the same time (the pair, each in its own worker): each against the
 * engine's addressable memory, all together against the device's memory.
 */
export function checkMemory(models: readonly ModelFootprint[], device: DeviceMemory): MemoryCheck {
  const wasm = device.wasmMemoryBytes ?? WASM32_MEMORY_BYTES;
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const model of models) {
    const need = engineMemoryEstimate(model.bytes);
    if (need > wasm) {
      problems.push(`${model.label} is ${size(model.bytes)}: onnxruntime-web needs about ${size(need)} of WebAssembly memory to load it (the file is copied in, then its weights are built from the copy), and WebAssembly gives one model at most ${size(wasm)}. Loading it would fail, or take the tab down.`);
    }
  }
  const total = models.reduce((n, m) => n + engineMemoryEstimate(m.bytes) + m.bytes, 0); // + the page's own copy of each file
  const both = models.length > 1 ? 'Both models together need' : 'The model needs';
  const reported = device.deviceMemoryBytes;
  if (reported !== undefined && reported > 0 && problems.length === 0) {
    if (total > reported) {
      problems.push(`${both} about ${size(total)} of memory while loading, more than this device has (the browser reports ${size(reported)}): the browser would close the tab.`);
    } else if (total > reported / 2) {
      warnings.push(`${both} about ${size(total)} of memory while loading, more than half of what this device reports (${size(reported)}): close other tabs first, or the browser may close this one.`);
    }
  }
  const heap = device.jsHeapSizeLimit;
  const files = models.reduce((n, m) => n + m.bytes, 0);
  if (heap !== undefined && heap > 0 && files > heap / 2) {
    warnings.push(`The model files are ${size(files)}, more than half the JavaScript memory this browser gives a page (${size(heap)}): the diagnosis and quantization steps, which read the graphs in JavaScript, may run out.`);
  }
  const pairNeed = models.reduce((n, m) => n + engineMemoryEstimate(m.bytes), 0);
  if (models.length === 2 && problems.length === 0 && pairNeed > wasm) {
    warnings.push(`The layer-by-layer diagnosis loads both models into one WebAssembly instance (about ${size(pairNeed)}, over its ${size(wasm)}): it will fail for this pair; the evaluation itself loads them apart and can run.`);
  }
  return { problems, warnings };
}

/** Throws QuantLensError('model-too-large') when `checkMemory` finds a reason to stop. */
export function assertMemoryFits(models: readonly ModelFootprint[], device: DeviceMemory): void {
  const { problems } = checkMemory(models, device);
  if (problems.length > 0) throw new QuantLensError('model-too-large', problems.join(' '), TOO_LARGE_HINT);
}

/** Sizes as people read them, in binary units like the rest of the app (1 GB = 1024³ bytes). */
export function size(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(bytes >= 10 * GiB ? 0 : 1)} GB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(0)} MB`;
  return `${Math.max(0, Math.round(bytes / 1024))} KB`;
}
