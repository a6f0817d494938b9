/**
 * Main-thread side of the analysis worker: spawned and wrapped once, structured errors turned back
 * into QuantLensErrors, a dead worker turned into a readable error instead of a hang.
 */
import * as Comlink from 'comlink';
import type { ProviderComparison } from '../core/diff/index.ts';
import type { PreprocessSpec, PreprocessedTensorData } from '../core/preprocess/spec.ts';
import { WorkerHandle } from './client.ts';
import type { Answer } from './model.worker.ts';
import type { AnalysisWorkerApi, DiagnosedRole, LayerDetail, LayerPass, PreflightResult, SampleSource } from './analysis.worker.ts';

export type { DiagnosedRole, LayerDetail, LayerPass, PreflightResult, SampleSource } from './analysis.worker.ts';

const transferBytes = (bytes: Uint8Array) => Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);

/** Preflight and layer analysis in their own worker; terminate it when done (it holds two wasm sessions). */
export class AnalysisWorker {
  readonly #handle: WorkerHandle<AnalysisWorkerApi>;

  constructor() {
    const worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module', name: 'analysis' });
    this.#handle = new WorkerHandle<AnalysisWorkerApi>(worker, 'analysis', 'Try again with fewer samples; a very large model may not fit in this tab.');
  }

  #call<T>(pending: Promise<Answer<T>>): Promise<T> {
    return this.#handle.call(pending);
  }

  /** Both graphs read in the worker, plus the range of the first `source.count` preprocessed samples. The bytes are transferred. */
  preflight(floatBytes: Uint8Array, quantizedBytes: Uint8Array, source: SampleSource | null): Promise<PreflightResult> {
    return this.#call(this.#handle.remote.preflight(transferBytes(floatBytes), transferBytes(quantizedBytes), source));
  }

  /** Opens both models with their matched tensors exposed, on wasm. The bytes are transferred. */
  load(floatBytes: Uint8Array, quantizedBytes: Uint8Array, spec: PreprocessSpec): Promise<{ matched: number; unmatched: number }> {
    return this.#call(this.#handle.remote.load(transferBytes(floatBytes), transferBytes(quantizedBytes), spec));
  }

  analyze(source: SampleSource, onProgress: (done: number, total: number) => void): Promise<LayerPass> {
    return this.#call(this.#handle.remote.analyze(source, Comlink.proxy(onProgress)));
  }

  cancel(): Promise<void> {
    return this.#handle.remote.cancel();
  }

  layerDetail(floatTensor: string, position: number): Promise<LayerDetail> {
    return this.#call(this.#handle.remote.layerDetail(floatTensor, position));
  }

  /** Copies of the analysed inputs, in order. */
  inputs(): Promise<PreprocessedTensorData[]> {
    return this.#call(this.#handle.remote.inputs());
  }

  /** Compares `role`'s outputs on the target provider (`targetScores`, transferred) with its wasm outputs here. */
  compareProvider(role: DiagnosedRole, referenceLabel: string, targetLabel: string, targetScores: Float32Array[], quantizationSqnrDb: number | undefined): Promise<ProviderComparison> {
    const transferred = Comlink.transfer(targetScores, targetScores.map((s) => s.buffer as ArrayBuffer));
    return this.#call(this.#handle.remote.compareProvider(role, referenceLabel, targetLabel, transferred, quantizationSqnrDb));
  }

  terminate(): void {
    this.#handle.terminate();
  }
}
