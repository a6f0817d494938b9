/**
 * "Why this one?": the layer pass of the diagnosis on ONE input, in the analysis worker (both models
 * on wasm with their inner tensors exposed). The worker reads its samples from IndexedDB, so the
 * input is stored as a one-sample scratch dataset for the pass and removed after it.
 */
import type { LayerSensitivity } from '../core/diff/index.ts';
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { AnalysisWorker } from '../workers/analysis-client.ts';
import { clearScratchInput, storeScratchInput, type SpotInput } from './field-samples.ts';
import type { SpotPair } from './spotcheck.svelte.ts';

/** The per-layer error for one input. */
export interface InputLayers {
  /** Which result it explains (SpotResult.id). */
  resultId: number;
  /** In float graph order. */
  graphOrder: LayerSensitivity[];
  /** Most added noise first: the first is where the two models diverge. */
  byAddedNoise: LayerSensitivity[];
  /** SQNR of the output for this input, as the layer pass measured it. */
  outputSqnrDb: number;
}

export class SpotWhy {
  layers = $state.raw<InputLayers | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  busy = $state(false);
  #worker: AnalysisWorker | null = null;
  #loadedFor: SpotPair | null = null;

  /** Runs the layer pass on this input (opening the augmented pair on the first call for a pair). */
  async explain(pair: SpotPair, input: SpotInput, resultId: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      if (this.#loadedFor !== pair || !this.#worker) {
        this.#worker?.terminate();
        this.#worker = new AnalysisWorker();
        this.#loadedFor = pair;
        const [floatBytes, quantizedBytes] = await Promise.all([pair.floatModel.blob.arrayBuffer(), pair.quantizedModel.blob.arrayBuffer()]);
        await this.#worker.load(new Uint8Array(floatBytes), new Uint8Array(quantizedBytes), pair.spec);
      }
      const datasetId = await storeScratchInput({ ...input, bytes: input.bytes.slice(0) });
      try {
        const pass = await this.#worker.analyze({ datasetId, spec: pair.spec, count: 1 }, () => undefined);
        if (pass.outcome.sampleCount === 0) throw new QuantLensError('image-undecodable', pass.failures[0]?.reason ?? 'The input could not be analysed.', 'Check another input.');
        const { graphOrder, byAddedNoise } = pass.outcome.sensitivity;
        this.layers = { resultId, graphOrder, byAddedNoise, outputSqnrDb: pass.outputs.summary.pooled.sqnrDb };
      } finally {
        await clearScratchInput();
      }
    } catch (error) {
      this.error = toErrorInfo(error);
      this.#release();
    } finally {
      this.busy = false;
    }
  }

  /** Ends the analysis worker (it holds two augmented wasm sessions). */
  dispose(): void {
    this.#release();
    this.layers = null;
  }

  #release(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#loadedFor = null;
  }
}
