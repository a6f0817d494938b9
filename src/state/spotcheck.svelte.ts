/**
 * The spot check: one input (a camera frame, a photo, a drawing) through the same preprocessing as
 * the evaluation, then through both models, each in its own worker on its provider. Live camera
 * frames go one at a time: the next frame is taken only when both models answered the previous one.
 */
import { diffTensors } from '../core/diff/index.ts';
import { toErrorInfo, QuantLensError, type ErrorInfo } from '../core/errors.ts';
import { argmax } from '../core/metrics/index.ts';
import { compareTwins } from '../core/onnx/twins.ts';
import { checkSpecAgainstInput, tensorShape, type PreprocessSpec } from '../core/preprocess/index.ts';
import { providerById, selectProvider, wasmThreadsPerModel, type ProviderChoice } from '../core/providers/table.ts';
import { DataWorker, ModelWorker, type ModelRole } from '../workers/client.ts';
import type { LoadedModel } from '../workers/model.worker.ts';
import type { ModelSource } from './evaluation.svelte.ts';
import type { SpotInput } from './field-samples.ts';
import { classNamesFor, RollingWindow, tensorToImage, topK, type RankedClass, type SeenImage, type WindowStats } from './spotcheck-math.ts';

/** The pair a spot check uses: the demo's, or the one picked in the setup, with its spec and providers. */
export interface SpotPair {
  label: string;
  floatModel: ModelSource;
  quantizedModel: ModelSource;
  spec: PreprocessSpec;
  providers: Record<ModelRole, ProviderChoice>;
  /** The class names of the pair's dataset, when known (else the output indices are shown). */
  classNames: readonly string[] | null;
}

/** What one model made of the input. */
export interface ModelAnswer {
  top: RankedClass[];
  scores: Float32Array;
  latencyMs: number;
}

/** One checked input. */
export interface SpotResult {
  /** Increments with every result (a live view keys on it). */
  id: number;
  input: SpotInput;
  seen: SeenImage;
  float: ModelAnswer;
  quantized: ModelAnswer;
  classNames: string[];
  agree: boolean;
  /** Output (scores) cosine and SQNR, float = reference (diffTensors). */
  cosine: number;
  sqnrDb: number;
}

/** Where each model runs, as the user reads it. */
export interface RunsOn {
  label: string;
  fallbackReason?: string;
}

export type SpotPhase = 'idle' | 'loading' | 'ready' | 'failed';

const TOP_K = 3;
/** Live frames kept for the running agreement and frames per second. */
export const LIVE_WINDOW = 30;

export class SpotCheck {
  phase = $state<SpotPhase>('idle');
  pair = $state.raw<SpotPair | null>(null);
  runsOn = $state.raw<Record<ModelRole, RunsOn> | null>(null);
  result = $state.raw<SpotResult | null>(null);
  /** Running agreement and throughput over the last LIVE_WINDOW camera frames (null when not live). */
  live = $state.raw<WindowStats | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  checking = $state(false);

  #workers: { float: ModelWorker; quantized: ModelWorker; data: DataWorker } | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #window = new RollingWindow(LIVE_WINDOW);
  #count = 0;
  #loadId = 0;

  /** Opens both models in their workers on their providers (fresh workers for every pair). */
  async usePair(pair: SpotPair): Promise<void> {
    const loadId = ++this.#loadId;
    this.#terminate();
    Object.assign(this, { phase: 'loading', pair, runsOn: null, result: null, live: null, error: null });
    const workers = { float: new ModelWorker('float'), quantized: new ModelWorker('quantized'), data: new DataWorker() };
    this.#workers = workers;
    try {
      const probes = await workers.quantized.probe();
      const threads = wasmThreadsPerModel(navigator.hardwareConcurrency, globalThis.crossOriginIsolated);
      const dims = tensorShape(pair.spec, 1);
      const load = async (role: ModelRole): Promise<LoadedModel> => {
        const selection = selectProvider(pair.providers[role], probes);
        const source = role === 'float' ? pair.floatModel : pair.quantizedModel;
        return workers[role].load(new Uint8Array(await source.blob.arrayBuffer()), selection.chosen, threads, { webnn: selection.webnn, inputDims: dims });
      };
      const [float, quantized] = await Promise.all([load('float'), load('quantized')]);
      checkPair(float, quantized, pair.spec);
      await Promise.all([workers.float.setInputShape(dims), workers.quantized.setInputShape(dims)]);
      if (loadId !== this.#loadId) return;
      this.runsOn = { float: runsOn(float), quantized: runsOn(quantized) };
      this.phase = 'ready';
    } catch (error) {
      if (loadId !== this.#loadId) return;
      this.error = toErrorInfo(error);
      this.phase = 'failed';
      this.#terminate();
    }
  }

  /**
   * Checks one input with both models. Calls are served one at a time, in order. Resolves with the
   * result (also in `result`), or null when no pair is ready or the check failed (`error` says why).
   */
  check(input: SpotInput): Promise<SpotResult | null> {
    const next = this.#queue.then(() => this.#check(input));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Live frames until `signal` aborts or `nextFrame` gives none: each frame is taken after both
   * models answered the previous one, so the rate is what the models allow (and the camera gives).
   */
  async runLive(nextFrame: () => Promise<SpotInput | null>, signal: AbortSignal): Promise<void> {
    this.#window.clear();
    this.live = this.#window.stats();
    while (!signal.aborted && this.phase === 'ready') {
      const input = await nextFrame();
      if (!input || signal.aborted) break;
      const result = await this.check(input);
      if (!result) break;
      if (!signal.aborted) this.live = this.#window.add({ at: performance.now(), agree: result.agree });
    }
  }

  /** Ends the workers (two model sessions and a decoder). */
  dispose(): void {
    this.#loadId++;
    this.#terminate();
    this.phase = 'idle';
  }

  async #check(input: SpotInput): Promise<SpotResult | null> {
    const workers = this.#workers;
    const pair = this.pair;
    if (!workers || !pair || this.phase !== 'ready') return null;
    this.checking = true;
    try {
      // The data worker takes the bytes (transferred): the input keeps its own copy, for saving.
      const prepared = await workers.data.prepare([{ index: 0, name: `spot-check (${input.source})`, label: null, mime: input.mime, bytes: input.bytes.slice(0) }], pair.spec);
      const sample = prepared.samples[0];
      if (!sample) throw new QuantLensError('image-undecodable', prepared.failures[0]?.reason ?? 'The image could not be decoded.', 'Try another image (PNG, JPEG or WebP).');
      const tensor = sample.input;
      const [floatRun, quantizedRun] = await Promise.all([workers.float.runner().runChunk([tensor.slice()]), workers.quantized.runner().runChunk([tensor.slice()])]);
      if (this.#workers !== workers) return null;
      const floatScores = floatRun.outputs[0][0].data;
      const quantizedScores = quantizedRun.outputs[0][0].data;
      const classNames = classNamesFor(floatScores.length, pair.classNames);
      const diff = diffTensors(floatScores, quantizedScores);
      const result: SpotResult = {
        id: ++this.#count,
        input,
        seen: tensorToImage(tensor, pair.spec),
        float: { top: topK(floatScores, TOP_K, classNames), scores: floatScores, latencyMs: floatRun.latenciesMs[0] },
        quantized: { top: topK(quantizedScores, TOP_K, classNames), scores: quantizedScores, latencyMs: quantizedRun.latenciesMs[0] },
        classNames,
        agree: argmax(floatScores) === argmax(quantizedScores),
        cosine: diff.cosine,
        sqnrDb: diff.sqnrDb,
      };
      this.result = result;
      this.error = null;
      return result;
    } catch (error) {
      if (this.#workers === workers) this.error = toErrorInfo(error);
      return null;
    } finally {
      this.checking = false;
    }
  }

  #terminate(): void {
    if (!this.#workers) return;
    for (const worker of Object.values(this.#workers)) worker.terminate();
    this.#workers = null;
  }
}

function runsOn(loaded: LoadedModel): RunsOn {
  const label = providerById(loaded.provider.actual).label;
  return loaded.provider.fallbackReason ? { label, fallbackReason: loaded.provider.fallbackReason } : { label };
}

/** The same checks as a run: a float/quantized pair, and a spec that fits the model's input. */
function checkPair(float: LoadedModel, quantized: LoadedModel, spec: PreprocessSpec): void {
  const differences = compareTwins(float.info, quantized.info);
  if (differences.length) throw new QuantLensError('model-mismatch', `These two models are not a float/quantized pair: ${differences.map((d) => d.message).join(' ')}`, 'Pick the quantized model that was made from this float model.');
  const problems = float.info.inputs[0] ? checkSpecAgainstInput(spec, float.info.inputs[0]) : [];
  if (problems.length) throw new QuantLensError('preprocess-mismatch', `The preprocessing does not fit the model: ${problems.join(' ')}`, 'Adjust the preprocessing in the setup, then use the pair again.');
}
