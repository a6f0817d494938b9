/**
 * Main-thread side of the quantize worker: spawned and wrapped once, structured errors turned back
 * into QuantLensErrors, a dead worker turned into a readable error instead of a hang.
 */
import * as Comlink from 'comlink';
import { QuantLensError } from '../core/errors.ts';
import type { RankedTensor, VariantRecipe } from '../core/quantize/index.ts';
import { errorFromInfo } from './client.ts';
import type { Answer } from './model.worker.ts';
import type { BuiltModel, CalibrationSource, CalibrationSummary, QuantizeWorkerApi } from './quantize.worker.ts';

export type { BuiltModel, CalibrationSource, CalibrationSummary } from './quantize.worker.ts';

/** Calibration and quantization in their own worker; terminate it when done (it holds the float model and the histograms). */
export class QuantizeWorker {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<QuantizeWorkerApi>;
  readonly #crash: Promise<never>;

  constructor() {
    this.#worker = new Worker(new URL('./quantize.worker.ts', import.meta.url), { type: 'module', name: 'quantize' });
    this.#remote = Comlink.wrap<QuantizeWorkerApi>(this.#worker);
    this.#crash = new Promise((_, reject) => {
      const crashed = (detail: string) =>
        reject(new QuantLensError('worker-crashed', `The quantize worker stopped unexpectedly: ${detail}`, 'Try again; a very large model may not fit in this tab.'));
      this.#worker.addEventListener('error', (event) => crashed(event.message || 'uncaught error'));
      this.#worker.addEventListener('messageerror', () => crashed('a message could not be decoded'));
    });
    this.#crash.catch(() => undefined); // observed through #call
  }

  async #call<T>(pending: Promise<Answer<T>>): Promise<T> {
    const result = await Promise.race([pending, this.#crash]);
    if (!result.ok) throw errorFromInfo(result.error);
    return result.value;
  }

  /** One calibration pass; the bytes are transferred (pass a copy to keep yours). */
  calibrate(floatBytes: Uint8Array, source: CalibrationSource, onProgress: (done: number, total: number) => void): Promise<CalibrationSummary> {
    return this.#call(this.#remote.calibrate(Comlink.transfer(floatBytes, [floatBytes.buffer as ArrayBuffer]), source, Comlink.proxy(onProgress)));
  }

  build(recipe: VariantRecipe): Promise<BuiltModel> {
    return this.#call(this.#remote.build(recipe));
  }

  nodesToKeepFloat(ranked: RankedTensor[], recipe: VariantRecipe): Promise<string[]> {
    return this.#call(this.#remote.nodesToKeepFloat(ranked, recipe));
  }

  cancel(): Promise<void> {
    return this.#remote.cancel();
  }

  terminate(): void {
    this.#remote[Comlink.releaseProxy]();
    this.#worker.terminate();
  }
}
