/**
 * "Why it degraded", after a run: the layer pass on wasm in the analysis worker (per-layer measures,
 * ranking, output differences, weight errors), then, for each model that ran on another provider,
 * the same samples on that provider in a model worker against wasm: quantization or provider?
 * Results are immutable; cancel is a normal outcome.
 */
import { DEFAULT_LAYER_SAMPLES, type ProviderComparison } from '../core/diff/index.ts';
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { tensorShape } from '../core/preprocess/index.ts';
import { choiceWebnnOptions, PROVIDERS, providerById, wasmThreadsPerModel, type ProviderId } from '../core/providers/table.ts';
import type { ResultDocument } from '../core/report/index.ts';
import { AnalysisWorker, type DiagnosedRole, type LayerDetail, type LayerPass } from '../workers/analysis-client.ts';
import { ModelWorker } from '../workers/client.ts';
import type { RunConfig } from './evaluation.svelte.ts';

export type DiagnosisPhase = 'idle' | 'loading' | 'layers' | 'provider' | 'done' | 'cancelled' | 'failed';

/** One model's provider check: ran on `provider`, compared with itself on wasm. */
export interface ProviderCheck {
  role: DiagnosedRole;
  provider: ProviderId;
  providerLabel: string;
  /** The one sentence: quantization or provider? */
  headline: string;
  comparison: ProviderComparison | null;
}

const REFERENCE_LABEL = 'WebAssembly';
const PROVIDER_CHUNK = 8;
const MODEL_NAMES: Record<DiagnosedRole, string> = { float: 'The float model', quantized: 'The quantized model' };

/** The headline sentence of a provider check (the core's sentence gives the numbers). */
export function providerHeadline(role: DiagnosedRole, providerLabel: string, comparison: ProviderComparison): string {
  const model = MODEL_NAMES[role];
  if (comparison.verdict === 'provider-gap') return `${model} differs between ${providerLabel} and ${REFERENCE_LABEL}: part of the gap is the provider's.`;
  const consequence = role === 'quantized' ? 'the loss comes from quantization' : 'the float reference is the same on both';
  return `${model} gives the same answers on ${providerLabel} as on ${REFERENCE_LABEL}: ${consequence}.`;
}

export class Diagnosis {
  phase = $state<DiagnosisPhase>('idle');
  progress = $state.raw<{ done: number; total: number } | null>(null);
  /** How many samples the layer pass analyses (the first ones of the run's dataset). */
  sampleCount = $state(DEFAULT_LAYER_SAMPLES);
  pass = $state.raw<LayerPass | null>(null);
  providerChecks = $state.raw<ProviderCheck[]>([]);
  selected = $state<string | null>(null);
  detailPosition = $state(0);
  detail = $state.raw<LayerDetail | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  /** The run this diagnosis belongs to. */
  runId = $state<string | null>(null);
  readonly busy = $derived(this.phase === 'loading' || this.phase === 'layers' || this.phase === 'provider');

  #worker: AnalysisWorker | null = null;
  #abort: AbortController | null = null;

  /** Analyses the run's pair on its dataset and spec. Resolves when done, cancelled or failed (never throws). */
  async start(doc: ResultDocument, config: RunConfig): Promise<void> {
    this.cancel();
    const abort = new AbortController();
    this.#abort = abort;
    Object.assign(this, { runId: doc.id, phase: 'loading', progress: null, pass: null, providerChecks: [], selected: null, detail: null, error: null });
    this.#worker?.terminate();
    const worker = new AnalysisWorker();
    this.#worker = worker;
    const count = Math.max(1, Math.floor(this.sampleCount));
    try {
      const [floatBytes, quantizedBytes] = await Promise.all([bytesOf(config.floatModel.blob), bytesOf(config.quantizedModel.blob)]);
      await worker.load(floatBytes, quantizedBytes, config.spec);
      if (abort.signal.aborted) return this.#settle(abort, 'cancelled');
      this.phase = 'layers';
      this.progress = { done: 0, total: count };
      const onProgress = (done: number, total: number) => this.#abort === abort && (this.progress = { done, total });
      const pass = await worker.analyze({ datasetId: doc.dataset.id, spec: config.spec, count }, onProgress);
      if (this.#abort !== abort) return;
      this.pass = pass;
      if (pass.outcome.sampleCount === 0) throw new QuantLensError('dataset-empty', 'None of the samples could be analysed.', 'Check that the dataset is still stored in this browser.');
      if (pass.outcome.status === 'cancelled') return this.#settle(abort, 'cancelled');
      const top = pass.outcome.sensitivity.byAddedNoise[0];
      if (top) void this.select(top.floatTensor);
      for (const role of ['quantized', 'float'] as const) {
        const provider = PROVIDERS.find((p) => p.id === doc.models[role].provider.actual)?.id;
        if (!provider || provider === 'wasm' || abort.signal.aborted) continue;
        await this.#checkProvider(role, provider, config, pass, abort.signal);
      }
      this.#settle(abort, abort.signal.aborted ? 'cancelled' : 'done');
    } catch (error) {
      if (this.#abort !== abort) return;
      this.error = toErrorInfo(error);
      this.#settle(abort, 'failed');
    }
  }

  /** Stops after the sample in flight; what was measured so far stays. */
  cancel(): void {
    const abort = this.#abort;
    if (!abort) return;
    abort.abort();
    void this.#worker?.cancel();
  }

  /** Shows one layer on one analysed sample (histogram, measures, scale and zero point). */
  async select(floatTensor: string, position = this.detailPosition): Promise<void> {
    const worker = this.#worker;
    if (!worker || !this.pass) return;
    this.selected = floatTensor;
    this.detailPosition = position;
    try {
      const detail = await worker.layerDetail(floatTensor, position);
      if (this.selected === floatTensor && this.detailPosition === position) this.detail = detail;
    } catch (error) {
      this.error = toErrorInfo(error);
    }
  }

  /** Ends the worker (it holds two wasm sessions and the analysed inputs). */
  dispose(): void {
    this.cancel();
    this.#worker?.terminate();
    this.#worker = null;
  }

  #settle(abort: AbortController, phase: DiagnosisPhase): void {
    if (this.#abort !== abort) return;
    this.phase = phase;
    this.#abort = null;
  }

  async #checkProvider(role: DiagnosedRole, provider: ProviderId, config: RunConfig, pass: LayerPass, signal: AbortSignal): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.phase = 'provider';
    const providerLabel = providerById(provider).label;
    const inputs = await worker.inputs();
    this.progress = { done: 0, total: inputs.length };
    const target = new ModelWorker(role);
    try {
      const source = role === 'float' ? config.floatModel : config.quantizedModel;
      const threads = wasmThreadsPerModel(navigator.hardwareConcurrency, globalThis.crossOriginIsolated);
      const dims = tensorShape(config.spec, 1);
      // The same WebNN options as the run (an FP16 WebNN run is checked as it ran).
      const loaded = await target.load(await bytesOf(source.blob), provider, threads, { webnn: choiceWebnnOptions(config.providers[role]), inputDims: dims });
      if (loaded.provider.actual !== provider) {
        const headline = `${MODEL_NAMES[role]} could not be opened on ${providerLabel} again (${loaded.provider.fallbackReason ?? 'it fell back to WebAssembly'}), so the provider check was skipped.`;
        this.providerChecks = [...this.providerChecks, { role, provider, providerLabel, headline, comparison: null }];
        return;
      }
      await target.setInputShape(dims);
      const scores: Float32Array[] = [];
      for (let from = 0; from < inputs.length && !signal.aborted; from += PROVIDER_CHUNK) {
        const chunk = await target.runner().runChunk(inputs.slice(from, from + PROVIDER_CHUNK));
        scores.push(...chunk.outputs.map((outputs) => outputs[0].data));
        this.progress = { done: scores.length, total: inputs.length };
      }
      const comparison = await worker.compareProvider(role, REFERENCE_LABEL, providerLabel, scores, pass.outputs.summary.pooled.sqnrDb);
      this.providerChecks = [...this.providerChecks, { role, provider, providerLabel, headline: providerHeadline(role, providerLabel, comparison), comparison }];
    } finally {
      target.terminate();
    }
  }
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}
