/**
 * The quantize → evaluate → fix loop. From a float model and a dataset with a calibration part:
 * one calibration pass in the quantize worker, then variants built from it (method, scheme, layers
 * kept in float, FP16), each evaluated on the test split through the app's one Evaluation (so it
 * shows on the results page, is diagnosed there and kept in the history like any run). The
 * accuracy-aware mode returns the most damaging layers to float one at a time, re-diagnosing each
 * new variant, until the loss is within the verdict's threshold or the step budget is spent.
 */
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import type { TaskSettings } from '../core/tasks/types.ts';
import type { ProviderChoice } from '../core/providers/table.ts';
import { documentVerdict, type ResultDocument } from '../core/report/index.ts';
import { DEFAULT_RECIPE, describeRecipe, type QuantizeReport, type VariantRecipe } from '../core/quantize/index.ts';
import { getDataset } from '../storage/db.ts';
import { AnalysisWorker } from '../workers/analysis-client.ts';
import { errorFromInfo, type ModelRole } from '../workers/client.ts';
import { QuantizeWorker, type CalibrationSummary } from '../workers/quantize-client.ts';
import { importDataset } from './dataset-import.ts';
import { ensureDemoDataset, fetchDemoModel, loadDemoManifest } from './demo.ts';
import { demoFileUrl } from './checkpoint.ts';
import type { Evaluation, ModelSource, RunConfig } from './evaluation.svelte.ts';

/** What variants are made from and measured on. */
export interface VariantBase {
  floatModel: ModelSource;
  /** Evaluated on its test part (every sample when it has no split). */
  testDataset: DatasetSummary;
  calibration: { datasetId: string; part: 'calibration' | 'all'; label: string };
  spec: PreprocessSpec;
  task?: TaskSettings;
}

export interface Variant {
  id: string;
  name: string;
  recipe: VariantRecipe;
  model: Blob;
  report: QuantizeReport;
  status: 'evaluating' | 'done' | 'failed' | 'cancelled';
  document: ResultDocument | null;
  error?: ErrorInfo;
}

/** One step of the accuracy-aware mode: the layer it returned to float and what that bought. */
export interface AwareStep {
  variantId: string;
  keptNode: string | null;
  deltaPoints: number;
  /** Δ change against the previous step, in points (null for the full INT8 start). */
  boughtPoints: number | null;
}

export interface AwareReport {
  steps: AwareStep[];
  outcome: 'within' | 'budget-spent' | 'nothing-left' | 'cancelled' | 'running';
}

export type VariantsPhase = 'idle' | 'calibrating' | 'quantizing' | 'evaluating' | 'diagnosing';

const DEMO_CALIBRATION = { file: 'mnist-calibration.pack.json', id: 'demo-mnist-calibration-v1' };
/** Samples the accuracy-aware mode diagnoses per step (the diagnosis panel's default). */
const AWARE_DIAGNOSIS_SAMPLES = 64;

export class Variants {
  base = $state.raw<VariantBase | null>(null);
  calibration = $state.raw<CalibrationSummary | null>(null);
  variants = $state.raw<Variant[]>([]);
  /** The recipe the form edits. */
  recipe = $state<VariantRecipe>({ ...DEFAULT_RECIPE, calibration: { ...DEFAULT_RECIPE.calibration } });
  phase = $state<VariantsPhase>('idle');
  progress = $state.raw<{ done: number; total: number } | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  aware = $state.raw<AwareReport | null>(null);
  awareBudget = $state(4);
  readonly busy = $derived(this.phase !== 'idle');
  /** The verdict settings of the app's evaluation (what "within the threshold" means here). */
  get verdictSettings() {
    return this.evaluation.verdictSettings;
  }

  #worker: QuantizeWorker | null = null;
  #calibrated = false;
  #cancelled = false;

  constructor(
    private readonly evaluation: Evaluation,
    private readonly providers: () => Record<ModelRole, ProviderChoice>,
  ) {}

  /** The bundled demo: its float model, its test set, and its 500 calibration digits (imported once). */
  async useDemo(): Promise<void> {
    await this.#guard(async () => {
      const manifest = await loadDemoManifest();
      const [testDataset, blob, calibration] = await Promise.all([ensureDemoDataset(manifest), fetchDemoModel(manifest.floatModel), ensureDemoCalibration()]);
      this.#setBase({
        // By URL too: a variant's resumable run then stores where the float model is, not its bytes again.
        floatModel: { name: manifest.floatModel, blob, url: demoFileUrl(manifest.floatModel) }, testDataset, spec: manifest.preprocess,
        calibration: { datasetId: calibration.id, part: 'all', label: `${calibration.sampleCount} demo calibration digits` },
        ...(manifest.task ? { task: manifest.task } : {}),
      });
    });
  }

  /** A picked float model and a dataset whose stored split has a calibration part. */
  useOwn(floatModel: ModelSource, dataset: DatasetSummary, spec: PreprocessSpec, task?: TaskSettings): void {
    this.error = null;
    if (!dataset.split?.calibrationCount) {
      this.error = toErrorInfo(new QuantLensError('dataset-invalid', `'${dataset.name}' has no calibration part.`, 'Split the dataset (a share for calibration) in the dataset list, then quantize.'));
      return;
    }
    this.#setBase({ floatModel, testDataset: dataset, spec, calibration: { datasetId: dataset.id, part: 'calibration', label: `${dataset.split.calibrationCount} calibration samples of '${dataset.name}'` }, ...(task ? { task } : {}) });
  }

  /** Makes a variant (calibrating first when needed) and evaluates it. Never throws. */
  async quantize(recipe: VariantRecipe = $state.snapshot(this.recipe)): Promise<Variant | null> {
    let made: Variant | null = null;
    await this.#guard(async () => {
      made = await this.#make(recipe);
    });
    return made;
  }

  /** "Keep these layers in float": a new variant of the pair on screen with the ranked tensors' quantized nodes in float. */
  async keepInFloat(floatTensors: string[]): Promise<void> {
    await this.#guard(async () => {
      const config = this.evaluation.config;
      if (!config) throw new QuantLensError('invalid-input', 'Run a pair first.', 'Quantize a variant or run the demo, then diagnose it.');
      await this.#ensureBaseFor(config);
      const source = this.variants.find((v) => v.model === config.quantizedModel.blob);
      const recipe = source ? source.recipe : $state.snapshot(this.recipe);
      await this.#ensureCalibrated();
      const nodes = await this.#quantizer().nodesToKeepFloat(floatTensors.map((floatTensor) => ({ floatTensor })), recipe);
      if (nodes.length === 0) throw new QuantLensError('invalid-input', 'These layers are not quantized (or are already kept in float).', 'Pick a layer that follows a quantized Conv, Gemm or MatMul.');
      await this.#make({ ...recipe, precision: 'int8', nodesToExclude: [...recipe.nodesToExclude, ...nodes] });
    });
  }

  /** From full INT8 (the form's recipe, nothing kept in float): return the most damaging layer to float, one per step. */
  async accuracyAware(): Promise<void> {
    const steps: AwareStep[] = [];
    this.aware = { steps, outcome: 'running' };
    await this.#guard(async () => {
      let current = await this.#make({ ...$state.snapshot(this.recipe), precision: 'int8', nodesToExclude: [] });
      const record = (variant: Variant, keptNode: string | null) => {
        const delta = variant.document?.metrics[0].delta.absolutePoints ?? NaN;
        steps.push({ variantId: variant.id, keptNode, deltaPoints: delta, boughtPoints: steps.length ? delta - steps[steps.length - 1].deltaPoints : null });
        this.aware = { steps: [...steps], outcome: 'running' };
      };
      record(current, null);
      for (let step = 0; ; step++) {
        if (this.#cancelled || !current.document) return void (this.aware = { steps, outcome: 'cancelled' });
        if (documentVerdict(current.document, this.evaluation.verdictSettings).outcome === 'within') return void (this.aware = { steps, outcome: 'within' });
        if (step >= this.awareBudget) return void (this.aware = { steps, outcome: 'budget-spent' });
        const ranked = await this.#diagnose(current);
        const [node] = await this.#quantizer().nodesToKeepFloat(ranked, current.recipe);
        if (!node) return void (this.aware = { steps, outcome: 'nothing-left' });
        current = await this.#make({ ...current.recipe, nodesToExclude: [...current.recipe.nodesToExclude, node] });
        record(current, node);
      }
    });
    if (this.aware?.outcome === 'running') this.aware = { steps, outcome: 'cancelled' };
  }

  cancel(): void {
    this.#cancelled = true;
    void this.#worker?.cancel();
    this.evaluation.cancel();
  }

  dispose(): void {
    this.cancel();
    this.#worker?.terminate();
    this.#worker = null;
  }

  #setBase(base: VariantBase): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#calibrated = false;
    Object.assign(this, { base, calibration: null, variants: [], aware: null, error: null });
  }

  /** When the pair on screen is not from this base: the demo's float model, or a run whose dataset has a calibration part. */
  async #ensureBaseFor(config: RunConfig): Promise<void> {
    if (this.base?.floatModel.blob === config.floatModel.blob) return;
    if (config.dataset.split?.calibrationCount) return this.useOwn(config.floatModel, config.dataset, config.spec, config.task);
    const manifest = await loadDemoManifest();
    if (config.dataset.id !== manifest.testSetId || config.floatModel.name !== manifest.floatModel) {
      throw new QuantLensError('dataset-invalid', `'${config.dataset.name}' has no calibration part to quantize with.`, 'Split the dataset (a share for calibration), run again, then keep layers in float.');
    }
    const calibration = await ensureDemoCalibration();
    this.#setBase({ floatModel: config.floatModel, testDataset: config.dataset, spec: config.spec, calibration: { datasetId: calibration.id, part: 'all', label: `${calibration.sampleCount} demo calibration digits` } });
  }

  #quantizer(): QuantizeWorker {
    this.#worker ??= new QuantizeWorker();
    return this.#worker;
  }

  async #ensureCalibrated(): Promise<void> {
    const base = this.base;
    if (!base) throw new QuantLensError('invalid-input', 'Pick a float model and a calibration dataset first.', 'Use the demo, or pick your float model and a dataset with a calibration split.');
    if (this.#calibrated) return;
    this.phase = 'calibrating';
    const bytes = new Uint8Array(await base.floatModel.blob.arrayBuffer());
    const summary = await this.#quantizer().calibrate(bytes, { datasetId: base.calibration.datasetId, part: base.calibration.part, spec: $state.snapshot(base.spec) }, (done, total) => (this.progress = { done, total }));
    this.calibration = summary;
    if (summary.status === 'cancelled') throw new Cancelled();
    this.#calibrated = true;
  }

  async #make(recipe: VariantRecipe): Promise<Variant> {
    await this.#ensureCalibrated();
    const base = this.base as VariantBase;
    this.phase = 'quantizing';
    const built = await this.#quantizer().build(recipe);
    const name = describeRecipe(recipe);
    const variant: Variant = { id: `variant-${this.variants.length + 1}`, name, recipe, model: new Blob([built.model as BlobPart]), report: built.report, status: 'evaluating', document: null };
    this.variants = [...this.variants, variant];
    this.phase = 'evaluating';
    const config: RunConfig = {
      floatModel: base.floatModel, quantizedModel: { name: `${variant.id} (${name}).onnx`, blob: variant.model }, dataset: base.testDataset, spec: base.spec, providers: this.providers(),
      ...(base.task ? { task: base.task } : {}),
    };
    await this.evaluation.start(config);
    const ours = this.evaluation.config === config;
    const done: Variant = {
      ...variant,
      status: !ours || this.evaluation.phase === 'cancelled' ? 'cancelled' : this.evaluation.phase === 'failed' ? 'failed' : 'done',
      document: ours ? this.evaluation.document : null,
      ...(ours && this.evaluation.error ? { error: this.evaluation.error } : {}),
    };
    this.variants = this.variants.map((v) => (v.id === variant.id ? done : v));
    if (done.status === 'cancelled') throw new Cancelled();
    if (done.status === 'failed') throw errorOf(done.error);
    return done;
  }

  /** The diagnosis's layer pass on the variant (wasm, first test samples): ranked tensors, most damaging first. */
  async #diagnose(variant: Variant): Promise<{ floatTensor: string }[]> {
    const base = this.base as VariantBase;
    this.phase = 'diagnosing';
    const analysis = new AnalysisWorker();
    try {
      const [floatBytes, variantBytes] = await Promise.all([base.floatModel.blob.arrayBuffer(), variant.model.arrayBuffer()]);
      await analysis.load(new Uint8Array(floatBytes), new Uint8Array(variantBytes), $state.snapshot(base.spec));
      const count = Math.min(AWARE_DIAGNOSIS_SAMPLES, base.testDataset.sampleCount);
      const pass = await analysis.analyze({ datasetId: base.testDataset.id, spec: $state.snapshot(base.spec), count }, (done, total) => (this.progress = { done, total }));
      return pass.outcome.sensitivity.byAddedNoise.map((layer) => ({ floatTensor: layer.floatTensor }));
    } finally {
      analysis.terminate();
    }
  }

  async #guard(work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.error = null;
    this.#cancelled = false;
    try {
      await work();
    } catch (error) {
      if (!(error instanceof Cancelled)) this.error = toErrorInfo(error);
    } finally {
      this.phase = 'idle';
      this.progress = null;
    }
  }
}

/** Cancel is a normal outcome: it unwinds the loop without an error banner. */
class Cancelled extends Error {}

function errorOf(info: ErrorInfo | undefined): QuantLensError {
  return info ? errorFromInfo(info) : new QuantLensError('session-failed', 'The variant could not be evaluated.', 'See the run status above.');
}

async function ensureDemoCalibration(): Promise<DatasetSummary> {
  const cached = await getDataset(DEMO_CALIBRATION.id);
  if (cached?.fingerprint) return cached;
  const url = new URL(`demo/${DEMO_CALIBRATION.file}`, new URL(import.meta.env.BASE_URL, location.href)).href;
  return importDataset({ kind: 'pack', url, id: DEMO_CALIBRATION.id });
}
