/**
 * Main-thread side of the quantize worker: spawned and wrapped once, structured errors turned back
 * into QuantLensErrors, a dead worker turned into a readable error instead of a hang.
 */
import * as Comlink from 'comlink';
import type { RankedTensor, VariantRecipe } from '../core/quantize/index.ts';
import { WorkerHandle } from './client.ts';
import type { Answer } from './model.worker.ts';
import type { BuiltModel, CalibrationSource, CalibrationSummary, QuantizeWorkerApi } from './quantize.worker.ts';

export type { BuiltModel, CalibrationSource, CalibrationSummary } from './quantize.worker.ts';

/** Calibration and quantization in their own worker; terminate it when done (it holds the float model and the histograms). */
export class QuantizeWorker {
  readonly #handle: WorkerHandle<QuantizeWorkerApi>;

  constructor() {
    const worker = new Worker(new URL('./quantize.worker.ts', import.meta.url), { type: 'module', name: 'quantize' });
    this.#handle = new WorkerHandle<QuantizeWorkerApi>(worker, 'quantize', 'Try again; a very large model may not fit in this tab.');
  }

  #call<T>(pending: Promise<Answer<T>>): Promise<T> {
    return this.#handle.call(pending);
  }

  /** One calibration pass; the bytes are transferred (pass a copy to keep yours). */
  calibrate(floatBytes: Uint8Array, source: CalibrationSource, onProgress: (done: number, total: number) => void): Promise<CalibrationSummary> {
    return this.#call(this.#handle.remote.calibrate(Comlink.transfer(floatBytes, [floatBytes.buffer as ArrayBuffer]), source, Comlink.proxy(onProgress)));
  }

  build(recipe: VariantRecipe): Promise<BuiltModel> {
    return this.#call(this.#handle.remote.build(recipe));
  }

  nodesToKeepFloat(ranked: RankedTensor[], recipe: VariantRecipe): Promise<string[]> {
    return this.#call(this.#handle.remote.nodesToKeepFloat(ranked, recipe));
  }

  cancel(): Promise<void> {
    return this.#handle.remote.cancel();
  }

  terminate(): void {
    this.#handle.terminate();
  }
}
