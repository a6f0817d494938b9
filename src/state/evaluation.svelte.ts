/**
 * One evaluation's lifecycle: spawn the workers, load both models on their providers, check that
 * they are twins and fit the preprocessing, run, report progress, cancel. Results are immutable.
 */
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { evaluatePair, type EvaluationResult } from '../core/eval/evaluate.ts';
import type { Progress } from '../core/eval/progress.ts';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { checkSpecAgainstInput, tensorShape } from '../core/preprocess/index.ts';
import { compareTwins } from '../core/onnx/twins.ts';
import { assertOutputsFitTask, createTaskAccumulator, type TaskSettings } from '../core/tasks/index.ts';
import { DEFAULT_VERDICT, toResultDocument, type DatasetPart, type ModelRecord, type ResultDocument, type VerdictSettings } from '../core/report/index.ts';
import { providerById, selectProvider, wasmThreadsPerModel, type ProbeResult, type ProviderChoice, type ProviderSelection } from '../core/providers/table.ts';
import { DataWorker, ModelWorker, type ModelRole } from '../workers/client.ts';
import type { LoadedModel } from '../workers/model.worker.ts';
import { planInputs, preparedChunks, shuffledChunks, type InputPlan, type InputStats } from './pipeline.ts';
import { combinedChunks, planCombined } from './field-segment.ts';
import { openRunJournal, type ResumePoint, type RunJournal } from './checkpoint.ts';

/** Seed of the random sample order of early-verdict runs (the same order on every device). */
const EARLY_VERDICT_ORDER_SEED = 7;
/** At most this often does the progress on screen change (a chunk takes a few ms on small models). */
const PROGRESS_EVERY_MS = 200;

export interface ModelSource {
  name: string;
  blob: Blob;
  /** Where the file can be fetched again (the bundled demo): a resumable run stores this, not the bytes. */
  url?: string;
}

export interface RunConfig {
  floatModel: ModelSource;
  quantizedModel: ModelSource;
  dataset: DatasetSummary;
  spec: PreprocessSpec;
  providers: Record<ModelRole, ProviderChoice>;
  /** What the outputs are measured as; classification when absent. */
  task?: TaskSettings;
  /**
   * The field samples of the dataset's classes, evaluated after its test part as their own segment
   * (`source: test` / `source: field`; see state/field-segment.ts). Such a run is neither cached nor
   * resumable; ignored for other tasks and with an early verdict (that needs one random order over all samples).
   */
  fieldSamples?: DatasetSummary;
}

export type Phase = 'idle' | 'loading' | 'running' | 'done' | 'cancelled' | 'failed';

export interface ModelReport {
  name: string;
  selection: ProviderSelection;
  loaded: LoadedModel;
}

export class Evaluation {
  phase = $state<Phase>('idle');
  progress = $state.raw<Progress | null>(null);
  probes = $state.raw<ProbeResult[] | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  config = $state.raw<RunConfig | null>(null);
  /** The run as a result document: what the results page shows, the history keeps and exports carry. */
  document = $state.raw<ResultDocument | null>(null);
  /** How the verdict is judged (mode and acceptable loss); the verdict follows it live. */
  verdictSettings = $state<VerdictSettings>({ ...DEFAULT_VERDICT });
  /** How the last run got its inputs (decoded, or from the tensor cache) and how long it waited for them. */
  inputStats = $state.raw<InputStats | null>(null);
  readonly busy = $derived(this.phase === 'loading' || this.phase === 'running');
  /** Why the running run could not be kept resumable (storage full…); the run itself goes on. */
  checkpointProblem = $state.raw<ErrorInfo | null>(null);

  #abort: AbortController | null = null;
  #workers: { float: ModelWorker; quantized: ModelWorker; data: DataWorker } | null = null;
  /**
   * The sessions the workers hold after a run that ended well, and what they were opened for: a run of
   * the same files on the same providers reuses them (no start-up, engine code already optimised).
   */
  #warm: { key: string; models: Record<ModelRole, ModelReport>; probes: ProbeResult[] } | null = null;

  /**
   * Runs both models on the dataset. Resolves when done, cancelled or failed (never throws).
   * With `resume`, continues an interrupted run from its checkpoint (see state/checkpoint.ts).
   */
  async start(config: RunConfig, resume?: ResumePoint): Promise<void> {
    this.cancel();
    const abort = new AbortController();
    this.#abort = abort;
    Object.assign(this, { config, phase: 'loading', progress: null, document: null, error: null, checkpointProblem: null });
    let journal: RunJournal | null = null;
    const startedAt = performance.now();
    const threads = wasmThreadsPerModel(navigator.hardwareConcurrency, globalThis.crossOriginIsolated);
    const key = sessionKey(config, threads);
    const warm = this.#warm?.key === key && Object.values(this.#workers ?? {}).every((w) => w.alive) && this.#workers ? this.#warm : null;
    this.#warm = null; // taken: given back only if this run ends well
    const workers = warm && this.#workers ? this.#workers : this.#spawnWorkers();
    try {
      const probes = warm?.probes ?? await workers.quantized.probe();
      this.probes = probes;
      const load = async (role: ModelRole): Promise<ModelReport> => {
        const source = role === 'float' ? config.floatModel : config.quantizedModel;
        const selection = selectProvider(config.providers[role], probes);
        const bytes = new Uint8Array(await source.blob.arrayBuffer());
        // WebNN options ride along; the input shape pins symbolic dims for providers that need static shapes.
        const options = { webnn: selection.webnn, inputDims: tensorShape(config.spec, 1), modelName: source.name };
        const loaded = await workers[role].load(bytes, selection.chosen, threads, options).catch((error: unknown) => {
          throw withModelName(error, role, source.name);
        });
        return { name: source.name, selection, loaded };
      };
      const [float, quantized] = warm ? [warm.models.float, warm.models.quantized] : await Promise.all([load('float'), load('quantized')]);
      checkRunnable(float.loaded, quantized.loaded, config);
      const dims = tensorShape(config.spec, 1);
      await Promise.all([workers.float.setInputShape(dims), workers.quantized.setInputShape(dims)]);
      if (abort.signal.aborted) return;
      // Where the time went, for the benchmark and the browser's performance panel.
      const loopAt = performance.now();
      performance.measure('quantlens:load', { start: startedAt, end: loopAt, detail: { warm: Boolean(warm) } });
      this.phase = 'running';
      // What the run reads (the split's test part; cached tensors when this dataset + spec ran before) and its fingerprints.
      // Field samples only next to a classification test set, and never under an early verdict (see RunConfig).
      const field = (config.task?.kind ?? 'classification') === 'classification' && !config.task?.earlyVerdict ? config.fieldSamples : undefined;
      const combined = field ? await planCombined(config.dataset, field, config.spec) : null;
      const inputs = combined ? combined.plan : await planInputs(config.dataset, config.spec);
      this.inputStats = null;
      const inputStats = {} as InputStats;
      if (!combined) journal = openRunJournal({ config, total: inputs.total, verdictSettings: $state.snapshot(this.verdictSettings), resume, onProblem: (problem) => (this.checkpointProblem = problem) });
      const startChunk = resume?.checkpoint.chunksDone ?? 0;
      let lastProgress: Progress | null = null;
      let shownAt = Number.NEGATIVE_INFINITY;
      const outcome = await evaluatePair({
        total: inputs.total,
        // An early verdict needs the samples in a random order; otherwise stream in dataset order (cacheable).
        chunks: combined && field
          ? combinedChunks(config.dataset, field, combined, config.spec, workers.data, abort.signal, inputStats, startChunk)
          : config.task?.earlyVerdict
          ? shuffledChunks(config.dataset, inputs, config.spec, workers.data, abort.signal, EARLY_VERDICT_ORDER_SEED, startChunk)
          : preparedChunks(config.dataset, inputs, config.spec, workers.data, abort.signal, inputStats, startChunk),
        ...(resume ? { resumeFrom: resume.checkpoint } : {}),
        onCheckpoint: (checkpoint) => journal?.save(checkpoint),
        floatModel: workers.float.runner(),
        quantizedModel: workers.quantized.runner(),
        task: createTaskAccumulator(config.task ?? { kind: 'classification' }, config.dataset.classNames, config.spec),
        signal: abort.signal,
        onProgress: (progress) => {
          lastProgress = progress;
          if (performance.now() - shownAt < PROGRESS_EVERY_MS) return;
          shownAt = performance.now();
          this.progress = progress;
        },
      });
      if (this.#abort !== abort) return; // superseded by a newer run
      performance.measure('quantlens:loop', { start: loopAt, detail: { status: outcome.status, samples: outcome.result?.sampleCount ?? 0 } });
      this.progress = lastProgress;
      this.inputStats = inputStats;
      if (outcome.result) this.document = documentOf(outcome.result, outcome.status, config, { float, quantized }, $state.snapshot(this.verdictSettings), inputs, combined?.parts);
      this.phase = outcome.status === 'cancelled' ? 'cancelled' : 'done';
      if (outcome.status === 'complete' && !outcome.result) {
        throw new QuantLensError('dataset-empty', `None of the ${config.dataset.sampleCount} samples could be decoded.`, 'Check the dataset: every image was skipped.');
      }
      // Ended well: keep the sessions for the next run of these files (a cancelled run may leave a chunk running).
      if (outcome.status !== 'cancelled') this.#warm = { key, models: { float, quantized }, probes };
    } catch (error) {
      if (this.#abort !== abort) return;
      this.error = toErrorInfo(error);
      this.phase = 'failed';
    } finally {
      if (this.#abort === abort) this.#abort = null;
      // However it ended here, there is nothing left to resume (a reload or a closed tab never gets here).
      await journal?.close().catch((error: unknown) => (this.checkpointProblem = toErrorInfo(error)));
    }
  }

  /** Stops after the chunk in flight; what was done so far stays on screen. Not an error. */
  cancel(): void {
    this.#abort?.abort();
    if (this.phase === 'loading') this.phase = 'cancelled';
  }

  /** Ends the workers (idle workers hold memory and, on wasm, threads). */
  dispose(): void {
    this.cancel();
    this.#terminateWorkers();
  }

  #spawnWorkers() {
    // Fresh workers unless the last run ended well with these files: a crashed or wedged worker never leaks into a run.
    this.#terminateWorkers();
    this.#workers = { float: new ModelWorker('float'), quantized: new ModelWorker('quantized'), data: new DataWorker() };
    return this.#workers;
  }

  #terminateWorkers(): void {
    this.#warm = null;
    if (!this.#workers) return;
    for (const worker of Object.values(this.#workers)) worker.terminate();
    this.#workers = null;
  }
}

function documentOf(result: EvaluationResult, status: ResultDocument['status'], config: RunConfig, models: Record<ModelRole, ModelReport>, verdictSettings: VerdictSettings, inputs: InputPlan, parts?: DatasetPart[]): ResultDocument {
  const record = (role: ModelRole) => {
    const { loaded, selection, name } = models[role];
    const actual = loaded.provider.actual;
    const fallbackReason = loaded.provider.fallbackReason ?? (selection.fallbackFrom ? selection.reason : undefined);
    const provider: ModelRecord['provider'] = {
      requested: selection.requested,
      actual,
      label: providerById(actual).label,
      detail: selection.requested === 'auto' ? `auto: ${selection.reason}` : 'as chosen',
      ...(fallbackReason ? { fallbackReason } : {}),
      ...(actual === 'wasm' ? { threads: loaded.numThreads } : {}),
      // Recorded with the run (read back with providerRecordExtras): op coverage and WebNN options.
      ...(loaded.provider.coverage ? { coverage: loaded.provider.coverage } : {}),
      ...(loaded.provider.webnn ? { webnn: loaded.provider.webnn } : {}),
    };
    return { name, format: loaded.info.format, provider };
  };
  const { dataset, spec } = config;
  return toResultDocument(result, {
    id: `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    createdAt: new Date(),
    status,
    environment: { host: 'browser', userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated: globalThis.crossOriginIsolated },
    models: { float: record('float'), quantized: record('quantized') },
    // With a label mapping, labels are output indices: the outputs' names name them.
    dataset: {
      id: dataset.id,
      name: parts ? parts.map((p) => p.name).join(' + ') : dataset.name,
      sampleCount: parts ? parts.reduce((n, p) => n + p.sampleCount, 0) : dataset.sampleCount,
      classNames: config.task?.labelMapClassNames ?? dataset.classNames,
      ...(inputs.datasetFingerprint ? { fingerprint: inputs.datasetFingerprint } : {}),
      ...(parts ? { parts } : {}),
    },
    preprocess: { spec, fingerprint: inputs.preprocessFingerprint },
    verdictSettings,
  });
}

const blobIds = new WeakMap<Blob, number>();
let nextBlobId = 0;
/** What the sessions of a run depend on: the two files (by URL, or the very same Blob), providers, shape and threads. */
function sessionKey(config: RunConfig, threads: number): string {
  const file = (source: ModelSource) => {
    if (source.url) return `${source.url}#${source.blob.size}`;
    if (!blobIds.has(source.blob)) blobIds.set(source.blob, nextBlobId++);
    return `blob:${blobIds.get(source.blob)}`;
  };
  return JSON.stringify([file(config.floatModel), file(config.quantizedModel), config.providers, tensorShape(config.spec, 1), threads]);
}

function withModelName(error: unknown, role: ModelRole, name: string): QuantLensError {
  const info = toErrorInfo(error);
  const code = info.code === 'unexpected' ? 'session-failed' : info.code;
  return new QuantLensError(code, `The ${role} model '${name}': ${info.message}`, info.hint, { cause: error });
}

/** Before any sample runs: the two models must be twins and the preprocessing must fit them. */
function checkRunnable(float: LoadedModel, quantized: LoadedModel, config: RunConfig): void {
  const differences = compareTwins(float.info, quantized.info);
  if (differences.length > 0) {
    throw new QuantLensError('model-mismatch', `These two models are not a float/quantized pair: ${differences.map((d) => d.message).join(' ')}`, 'Pick the quantized model that was made from this float model.');
  }
  const problems = checkSpecAgainstInput(config.spec, float.info.inputs[0]);
  if (problems.length > 0) {
    throw new QuantLensError('preprocess-mismatch', `The preprocessing does not fit the model: ${problems.join(' ')}`, 'Adjust the preprocessing settings to the model input shown, then run again.');
  }
  assertOutputsFitTask(config.task ?? { kind: 'classification' }, float.info.outputs, config.task?.labelMapClassNames?.length ?? config.dataset.classNames.length);
}
