/**
 * Main-thread side of the workers: spawn, wrap once with Comlink, turn worker deaths and
 * structured errors into QuantLensErrors, and adapt the model worker to the core's ModelRunner.
 */
import * as Comlink from 'comlink';
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { assertMemoryFits } from '../core/providers/memory.ts';
import { classifyEngineError, explainEngineError } from '../core/providers/engine-errors.ts';
import { providerById } from '../core/providers/table.ts';
import { readDeviceMemory } from './device-limits.ts';
import type { ModelRunner, PreparedChunk } from '../core/eval/evaluate.ts';
import type { EncodedSample } from '../core/data/dataset.ts';
import type { PreprocessSpec, PreprocessedTensorData } from '../core/preprocess/spec.ts';
import type { ProviderId, ProbeResult } from '../core/providers/table.ts';
import type { Answer, LoadedModel, LoadOptions, ModelWorkerApi } from './model.worker.ts';
import type { DataWorkerApi } from './data.worker.ts';
import type { BundledModel } from '../core/onnx/bundle.ts';
import type { ModelInfo } from '../core/onnx/info.ts';
import { inputProblem } from '../core/onnx/loadable.ts';
import { reportStorageProblem } from '../storage/problems.ts';

export type ModelRole = 'float' | 'quantized';

/** Rebuilds a QuantLensError from its structured form (what crossed the thread boundary). */
export function errorFromInfo(info: ErrorInfo): QuantLensError {
  const code = info.code === 'unexpected' ? 'session-failed' : info.code;
  return new QuantLensError(code, info.message, info.hint, { cause: info.cause });
}

/** Says what died: a worker's label, or a function that writes the whole sentence from the detail. */
export type CrashLabel = string | ((detail: string) => string);

/** Rejects when the worker dies (uncaught error, out of memory, a provider that aborts). */
function watchForCrash(worker: Worker, label: CrashLabel, hint: string): Promise<never> {
  return new Promise((_, reject) => {
    const sentence = typeof label === 'string' ? (detail: string) => `The ${label} worker stopped unexpectedly: ${detail}` : label;
    const crashed = (detail: string) => reject(new QuantLensError('worker-crashed', sentence(detail), hint));
    worker.addEventListener('error', (event) => crashed(event.message || 'uncaught error'));
    worker.addEventListener('messageerror', () => crashed('a message could not be decoded'));
  });
}

/** One worker wrapped once with Comlink; every call fails fast, with a readable error, if the worker dies. */
export class WorkerHandle<Api> {
  readonly remote: Comlink.Remote<Api>;
  readonly #crash: Promise<never>;
  /** False once the worker has died (an idle one too: kept sessions are then not reused). */
  alive = true;
  constructor(
    readonly worker: Worker,
    label: CrashLabel,
    hint = 'Run again; if it keeps happening, pick the WebAssembly provider for this model or a smaller model.',
  ) {
    this.remote = Comlink.wrap<Api>(worker);
    this.#crash = watchForCrash(worker, label, hint);
    this.#crash.catch(() => (this.alive = false)); // observed through `call`; avoid an unhandled rejection
  }
  /** Awaits a worker call, failing fast if the worker dies meanwhile. */
  async call<T>(pending: Promise<Answer<T>>): Promise<T> {
    const answer = await Promise.race([pending, this.#crash]);
    if (!answer.ok) throw errorFromInfo(answer.error);
    return answer.value;
  }
  async plain<T>(pending: Promise<T>): Promise<T> {
    return Promise.race([pending, this.#crash]);
  }
  terminate(): void {
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}

/** A model in its own worker. */
export class ModelWorker {
  readonly #handle: WorkerHandle<ModelWorkerApi>;
  /** Set once a load succeeds: failures after it name the model and its provider. */
  #loaded: { name: string | null; provider: ProviderId; info: ModelInfo } | null = null;
  constructor(readonly role: ModelRole) {
    const worker = new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: `${role}-model` });
    const other = role === 'float' ? 'quantized' : 'float';
    this.#handle = new WorkerHandle(
      worker,
      (detail) => `${this.#subject()} stopped unexpectedly: its worker died (${detail}). The ${other} model and the page are not affected.`,
      'Run again (no reload needed); if it keeps happening, pick the WebAssembly provider for this model, or a smaller model.',
    );
  }
  probe(): Promise<ProbeResult[]> {
    return this.#handle.call(this.#handle.remote.probe());
  }
  get alive(): boolean {
    return this.#handle.alive;
  }
  /**
   * The bytes are transferred to the worker: pass a copy if you still need them. A model the engine
   * cannot hold is refused here, before a byte leaves (it would fail to load, or take the tab down).
   */
  async load(modelBytes: Uint8Array, provider: ProviderId, numThreads: number, options: LoadOptions = {}): Promise<LoadedModel> {
    this.#loaded = null;
    assertMemoryFits([{ label: 'The model', bytes: modelBytes.length }], readDeviceMemory());
    const loaded = await this.#handle.call(this.#handle.remote.load(Comlink.transfer(modelBytes, [modelBytes.buffer as ArrayBuffer]), provider, numThreads, options));
    this.#loaded = { name: options.modelName ?? null, provider: loaded.provider.actual, info: loaded.info };
    return loaded;
  }
  /** Fixes the per-sample input shape; a model with inputs the run cannot feed is refused here, named (after the twin check). */
  async setInputShape(dims: number[]): Promise<void> {
    const problem = this.#loaded ? inputProblem(this.#loaded.info) : null;
    if (problem) throw new QuantLensError(problem.code, `${this.#subject()}: ${problem.message}`, problem.hint);
    return this.#handle.call(this.#handle.remote.setInputShape(dims));
  }
  /** The core's view of this worker: inputs transferred in, scores transferred back; failures name the model. */
  runner(): ModelRunner {
    return {
      runChunk: (inputs: PreprocessedTensorData[]) =>
        this.#handle.call(this.#handle.remote.runChunk(Comlink.transfer(inputs, inputs.map((a) => a.buffer as ArrayBuffer)))).catch((error: unknown) => {
          throw this.#runFailure(error);
        }),
    };
  }
  terminate(): void {
    this.#handle.terminate();
  }

  #subject(): string {
    const name = this.#loaded?.name;
    return name ? `The ${this.role} model '${name}'` : `The ${this.role} model`;
  }

  #runFailure(error: unknown): QuantLensError {
    return runFailure(error, this.#subject(), providerById(this.#loaded?.provider ?? 'wasm').label);
  }
}

/**
 * A model's failed run, said of that model (`subject`, e.g. "The quantized model 'x.onnx'"): out of
 * memory and shape faults explained (core/providers/engine-errors.ts), others named; a dead worker's
 * error passes as it is (it names the model already).
 */
export function runFailure(error: unknown, subject: string, providerLabel: string): QuantLensError {
  const info = toErrorInfo(error);
  if (info.code === 'worker-crashed') return errorFromInfo(info);
  const text = `${info.message} ${info.cause ?? ''}`;
  const kind = classifyEngineError(text).kind;
  if (kind === 'out-of-memory' || kind === 'shape-mismatch') {
    const explained = explainEngineError(text, { provider: providerLabel, stage: 'run', subject });
    return new QuantLensError(explained.code, explained.message, explained.hint, { cause: info.message });
  }
  const message = /^The model\b/.test(info.message) ? info.message.replace(/^The model\b/, subject) : `${subject}: ${info.message}`;
  return errorFromInfo({ ...info, message });
}

/** Decoding and preprocessing in a worker. */
export class DataWorker {
  readonly #handle: WorkerHandle<DataWorkerApi>;
  constructor() {
    const worker = new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' });
    this.#handle = new WorkerHandle(worker, 'data');
    // Its storage problems (a full disk while caching tensors) join this page's (storage/problems.ts).
    void this.#handle.remote.watchStorage(Comlink.proxy(reportStorageProblem)).catch(() => undefined);
  }
  get alive(): boolean {
    return this.#handle.alive;
  }
  /** A picked model's facts, self-contained with the data files picked with it (see core/onnx/bundle.ts); read in the worker. */
  openModel(model: Blob, dataFiles: File[]): Promise<BundledModel> {
    return this.#handle.call(this.#handle.remote.openModel(model, dataFiles));
  }
  prepare(samples: EncodedSample[], spec: PreprocessSpec): Promise<PreparedChunk> {
    return this.#handle.plain(this.#handle.remote.prepare(Comlink.transfer(samples, samples.map((s) => s.bytes)), spec));
  }
  /** Any data-worker call that answers Answer<T> (imports, tensor cache, splits): unwrapped, failing fast if the worker dies. */
  request<T>(pick: (remote: Comlink.Remote<DataWorkerApi>) => Promise<Answer<T>>): Promise<T> {
    return this.#handle.call(pick(this.#handle.remote));
  }
  terminate(): void {
    this.#handle.terminate();
  }
}
