/**
 * Quantization off the main thread: one calibration pass of the float model on the calibration
 * samples (read from IndexedDB, decoded and preprocessed here, run through onnxruntime-web on wasm
 * with every activation to calibrate exposed), kept as streaming histograms; then any number of
 * variants built from it (each calibration method, scheme, kept-in-float list, or FP16). Keep this
 * module free of side effects besides `expose`: ORT's pthread workers re-import it.
 */
import * as Comlink from 'comlink';
import type { DatasetSummary } from '../core/data/dataset.ts';
import { QuantLensError } from '../core/errors.ts';
import { parseModel } from '../core/onnx/model.ts';
import { tensorShape, type PreprocessSpec } from '../core/preprocess/index.ts';
import {
  buildVariant, HistogramCalibrator, nodesToKeepFloat, planCalibration, recipeOptions,
  type QuantizeReport, type RankedTensor, type VariantRecipe,
} from '../core/quantize/index.ts';
import { openSession, type TensorIn } from '../runtime/ort.ts';
import { readCalibrationSamples } from '../storage/catalog.ts';
import { getDataset, readSamples, type SampleRow } from '../storage/db.ts';
import { prepareRows } from '../storage/prepare-rows.ts';
import { answer } from './answer.ts';
import { browserDecoder } from './browser-decoder.ts';

/** Where the calibration samples come from: a dataset's calibration split, or all of a calibration-only dataset. */
export interface CalibrationSource {
  datasetId: string;
  part: 'calibration' | 'all';
  spec: PreprocessSpec;
}

/** What the calibration pass saw. */
export interface CalibrationSummary {
  status: 'complete' | 'cancelled';
  samples: number;
  /** Samples that could not be decoded or preprocessed. */
  failures: number;
  tensors: number;
  /** Histogram bins held for all tensors together (8 bytes each): the pass's memory, whatever the sample count. */
  bins: number;
  durationMs: number;
}

/** A built variant: its bytes (transferred) and what the quantizer did. */
export interface BuiltModel {
  model: Uint8Array;
  report: QuantizeReport;
}

const READ_BATCH = 64;
let floatModel: Uint8Array | null = null;
let calibrator: HistogramCalibrator | null = null;
let abort: AbortController | null = null;

async function* calibrationRows(source: CalibrationSource, summary: DatasetSummary): AsyncGenerator<SampleRow[]> {
  if (source.part === 'calibration') {
    yield* readCalibrationSamples(source.datasetId, READ_BATCH);
    return;
  }
  for (let from = 0; from < summary.sampleCount; from += READ_BATCH) yield await readSamples(source.datasetId, from, from + READ_BATCH);
}

async function calibrate(bytes: Uint8Array, source: CalibrationSource, signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<CalibrationSummary> {
  const started = performance.now();
  const summary = await getDataset(source.datasetId);
  if (!summary) throw new QuantLensError('dataset-invalid', 'The calibration dataset is not stored in this browser.', 'Import it again, or pick another dataset.');
  const total = source.part === 'calibration' ? summary.split?.calibrationCount ?? 0 : summary.sampleCount;
  if (total === 0) {
    throw new QuantLensError('dataset-invalid', `'${summary.name}' has no calibration part.`, 'Split the dataset (Split: a share for calibration), then quantize again.');
  }
  floatModel = bytes;
  calibrator = null;
  const plan = planCalibration(bytes);
  const session = await openSession(plan.augmentedModel, { provider: 'wasm', numThreads: 1, fallbackToReference: false });
  const pending = new HistogramCalibrator();
  const dims = tensorShape(source.spec, 1);
  const inputName = session.inputs[0].name;
  let samples = 0;
  let failures = 0;
  try {
    for await (const rows of calibrationRows(source, summary)) {
      if (signal.aborted) break;
      const chunk = await prepareRows(rows, source.spec, summary.content ?? 'images', browserDecoder);
      failures += chunk.failures.length;
      for (const sample of chunk.samples) {
        const outputs = await session.run({ [inputName]: { data: sample.input as TensorIn['data'], dims } });
        for (const name of plan.tensorNames) pending.observe(name, outputs[name].data);
        samples++;
      }
      onProgress(samples + failures, total);
    }
  } finally {
    await session.release();
  }
  const status = signal.aborted ? 'cancelled' : 'complete';
  if (status === 'complete') {
    if (samples === 0) throw new QuantLensError('dataset-empty', 'None of the calibration samples could be read.', 'Check the calibration dataset and the preprocessing settings.');
    calibrator = pending;
  }
  return { status, samples, failures, tensors: plan.tensorNames.length, bins: pending.binCount(), durationMs: performance.now() - started };
}

function calibrated(): { bytes: Uint8Array; histograms: HistogramCalibrator } {
  if (!floatModel || !calibrator) throw new QuantLensError('quantize-failed', 'The float model has not been calibrated yet.', 'Quantize again: calibration runs first.');
  return { bytes: floatModel, histograms: calibrator };
}

const api = {
  /** Calibrates the float model (its bytes are transferred and kept for the variants). */
  calibrate: (bytes: Uint8Array, source: CalibrationSource, onProgress: (done: number, total: number) => void) =>
    answer(() => {
      const controller = new AbortController();
      abort = controller;
      return calibrate(bytes, source, controller.signal, onProgress);
    }),

  /** Builds one variant from the calibration pass; the model bytes are transferred back. */
  build: (recipe: VariantRecipe) =>
    answer((): BuiltModel => {
      const { bytes, histograms } = calibrated();
      const { model, report } = buildVariant(bytes, histograms, recipe);
      return { model, report };
    }, (built) => [built.model.buffer as ArrayBuffer]),

  /** The quantized nodes behind ranked tensors (most damaged first), minus those the recipe already keeps in float. */
  nodesToKeepFloat: (ranked: RankedTensor[], recipe: VariantRecipe) =>
    answer(() => nodesToKeepFloat(parseModel(calibrated().bytes), ranked, recipeOptions(recipe))),

  /** Stops the calibration pass after the batch in flight (its summary then says 'cancelled'). */
  cancel: () => abort?.abort(),
};

export type QuantizeWorkerApi = typeof api;

Comlink.expose(api);
