/**
 * Main-thread side of the workers: spawn, wrap once with Comlink, turn worker deaths and
 * structured errors into QuantLensErrors, and adapt the model worker to the core's ModelRunner.
 */
import * as Comlink from 'comlink';
import { QuantLensError, type ErrorInfo } from '../core/errors.ts';
import type { ModelRunner, PreparedChunk } from '../core/eval/evaluate.ts';
import type { EncodedSample } from '../core/data/dataset.ts';
import type { PreprocessSpec, PreprocessedTensorData } from '../core/preprocess/spec.ts';
import type { ProviderId, ProbeResult } from '../core/providers/table.ts';
import type { Answer, LoadedModel, LoadOptions, ModelWorkerApi } from './model.worker.ts';
import type { DataWorkerApi } from './data.worker.ts';
import type { ModelInfo } from '../core/onnx/info.ts';
import { reportStorageProblem } from '../storage/problems.ts';

export type ModelRole = 'float' | 'quantized';

/** Rebuilds a QuantLensError from its structured form (what crossed the thread boundary). */
export function errorFromInfo(info: ErrorInfo): QuantLensError {
  const code = info.code === 'unexpected' ? 'session-failed' : info.code;
  return new QuantLensError(code, info.message, info.hint, { cause: info.cause });
}

/** Rejects when the worker dies (uncaught error, out of memory, a provider that aborts). */
function watchForCrash(worker: Worker, label: string, hint: string): Promise<never> {
  return new Promise((_, reject) => {
    const crashed = (detail: string) => reject(new QuantLensError('worker-crashed', `The ${label} worker stopped unexpectedly: ${detail}`, hint));
    worker.addEventListener('error', (event) => crashed(event.message || 'uncaught error'));
    worker.addEventListener('messageerror', () => crashed('a message could not be decoded'));
  });
}

/** One worker wrapped once with Comlink; every call fails fast, with a readable error, if the worker dies. */
export class WorkerHandle<Api> {
  readonly remote: Comlink.Remote<Api>;
  readonly #crash: Promise<never>;
  constructor(
    readonly worker: Worker,
    label: string,
    hint = 'Run again; if it keeps happening, pick the WebAssembly provider for this model or a smaller model.',
  ) {
    this.remote = Comlink.wrap<Api>(worker);
    this.#crash = watchForCrash(worker, label, hint);
    this.#crash.catch(() => undefined); // observed through `call`; avoid an unhandled rejection
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
  constructor(readonly role: ModelRole) {
    const worker = new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: `${role}-model` });
    this.#handle = new WorkerHandle(worker, `${role} model`);
  }
  probe(): Promise<ProbeResult[]> {
    return this.#handle.call(this.#handle.remote.probe());
  }
  /** The bytes are transferred to the worker: pass a copy if you still need them. */
  load(modelBytes: Uint8Array, provider: ProviderId, numThreads: number, options: LoadOptions = {}): Promise<LoadedModel> {
    return this.#handle.call(this.#handle.remote.load(Comlink.transfer(modelBytes, [modelBytes.buffer as ArrayBuffer]), provider, numThreads, options));
  }
  setInputShape(dims: number[]): Promise<void> {
    return this.#handle.call(this.#handle.remote.setInputShape(dims));
  }
  /** The core's view of this worker: inputs transferred in, scores transferred back. */
  runner(): ModelRunner {
    return {
      runChunk: (inputs: PreprocessedTensorData[]) =>
        this.#handle.call(this.#handle.remote.runChunk(Comlink.transfer(inputs, inputs.map((a) => a.buffer as ArrayBuffer)))),
    };
  }
  terminate(): void {
    this.#handle.terminate();
  }
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
  inspectModel(modelBytes: Uint8Array): Promise<ModelInfo> {
    return this.#handle.call(Promise.resolve(this.#handle.remote.inspectModel(Comlink.transfer(modelBytes, [modelBytes.buffer as ArrayBuffer]))));
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
