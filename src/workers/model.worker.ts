/**
 * One model per worker (float or quantized). Thin: ORT lives in runtime/ort.ts, selection logic in
 * core/providers. Keep this module free of side effects besides `expose`: ORT's pthread workers
 * re-import it.
 */
import * as Comlink from 'comlink';
import { openSession, type ModelSession } from '../runtime/ort.ts';
import { sessionRunner } from '../runtime/runner.ts';
import { probeProviders, type NavigatorLike } from '../runtime/probes.ts';
import { staticShapeOverrides, type ProviderId, type WebnnOptions } from '../core/providers/table.ts';
import type { ChunkOutput, ModelRunner } from '../core/eval/evaluate.ts';
import type { PreprocessedTensorData } from '../core/preprocess/spec.ts';
import { readModelInfo, type ModelInfo } from '../core/onnx/info.ts';
import { externalDataProblem } from '../core/onnx/loadable.ts';
import { runOnce } from '../runtime/dry-run.ts';
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';

export interface LoadOptions {
  /** WebNN context options and FP16 execution (applied on WebNN providers only). */
  webnn?: WebnnOptions;
  /** The per-sample input shape (batch 1): pins symbolic dims on providers that need static shapes, and shapes the load's trial run. */
  inputDims?: number[];
  /** The model's file name, for messages about failures after loading (the worker is otherwise anonymous). */
  modelName?: string;
}

export interface LoadedModel {
  /** Read from the model file itself (core/onnx), before the engine saw it. */
  info: ModelInfo;
  /** What ran where: the provider, its fallback reason, its WebNN options and the op coverage. */
  provider: ModelSession['provider'];
  numThreads: number;
  loadMs: number;
}

/** Every call answers with a value or a structured error (Error subclasses lose fields across threads). */
export type Answer<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

let session: ModelSession | null = null;
let runner: ModelRunner | null = null;

/**
 * Gives a model's bytes back at once rather than at the next garbage collection, which may be far
 * off (the engine's memory is not the JS heap): 200 MB less held during the run of a 200 MB model.
 */
function freeBytes(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  buffer.transfer?.(0);
}

async function answer<T>(work: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error) };
  }
}

const api = {
  /** Probes the providers from inside the worker, where the sessions will run. */
  probe: () => answer(() => probeProviders(self.navigator as unknown as NavigatorLike)),

  /** Opens a session on the chosen provider; the model bytes are transferred, not copied. */
  load: (modelBytes: Uint8Array, provider: ProviderId, numThreads: number, options: LoadOptions = {}) =>
    answer(async (): Promise<LoadedModel> => {
      const started = performance.now();
      await session?.release();
      session = null;
      runner = null;
      const info = readModelInfo(modelBytes); // a clear 'not an ONNX model' before the engine's own message
      const missingData = externalDataProblem(info); // weights in files not given: said before the engine's own message
      if (missingData) throw missingData;
      const freeDimensionOverrides = options.inputDims ? staticShapeOverrides(info.inputs[0], options.inputDims) : undefined;
      const opened = await openSession(modelBytes, { provider, numThreads, webnn: options.webnn, freeDimensionOverrides });
      session = opened;
      freeBytes(modelBytes); // the engine holds its own copy now
      // One sample of zeros now: layers that refuse the preprocessed shape, or a tensor too big for the engine, fail here, named.
      if (options.inputDims) await runOnce(opened, options.inputDims);
      return { info, provider: opened.provider, numThreads, loadMs: performance.now() - started };
    }),

  /** Fixes the per-sample input shape used by `runChunk` (batch 1). */
  setInputShape: (dims: number[]) =>
    answer(async () => {
      if (!session) throw new QuantLensError('session-failed', 'No model is loaded in this worker.', 'Load the model again.');
      runner = sessionRunner(session, dims);
    }),

  /** Runs each input as its own inference (batch 1) and times each one; outputs are transferred back. */
  runChunk: async (inputs: PreprocessedTensorData[]) => {
    const result = await answer((): Promise<ChunkOutput> => {
      if (!runner) throw new QuantLensError('session-failed', 'No model is loaded in this worker.', 'Load the model again.');
      return runner.runChunk(inputs);
    });
    return result.ok ? Comlink.transfer(result, result.value.outputs.flatMap((tensors) => tensors.map((t) => t.data.buffer as ArrayBuffer))) : result;
  },

  release: () => answer(async () => {
    await session?.release();
    session = null;
    runner = null;
  }),
};

export type ModelWorkerApi = typeof api;

Comlink.expose(api);
