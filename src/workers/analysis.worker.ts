/**
 * "Why it degraded", off the main thread: the preflight of a pair (graphs read here, a few samples
 * decoded from IndexedDB for the input-range check) and the layer pass on wasm (both models, with
 * their matched tensors exposed as outputs, in this one worker, run one after the other: two
 * sessions of one wasm instance fail when runs with many outputs interleave). Keep this module free
 * of side effects besides `expose`: ORT's pthread workers re-import it.
 */
import * as Comlink from 'comlink';
import {
  addOutputs, analyzeLayers, layerOutputs, matchTensors, preflight, ProviderAgreementAccumulator, weightErrors, diffTensors,
  type LayerAnalysisOutcome, type LayerRunner, type PreflightReport, type ProviderComparison, type TensorDiff, type TensorMatching, type WeightError,
} from '../core/diff/index.ts';
import { dequantize, indexGraph, qdqNodeParams } from '../core/diff/graph.ts';
import type { EncodedSample } from '../core/data/dataset.ts';
import type { PreparedSample } from '../core/eval/evaluate.ts';
import { prepareChunk } from '../core/eval/prepare.ts';
import { QuantLensError } from '../core/errors.ts';
import type { ModelProto } from '../core/onnx/gen/onnx_pb.ts';
import { modelInfoOf } from '../core/onnx/info.ts';
import { parseModel } from '../core/onnx/model.ts';
import { compareTwins, type TwinDifference } from '../core/onnx/twins.ts';
import { loadProblems, operatorWarnings } from '../core/onnx/loadable.ts';
import { tensorShape, type PreprocessSpec } from '../core/preprocess/index.ts';
import { openSession, type ModelSession } from '../runtime/ort.ts';
import { readSamples } from '../storage/db.ts';
import { answer } from './answer.ts';
import { OutputDiffTracker, observedRange, quantParamsView, strided, type OutputDiffReport, type QuantParamsView } from './analysis-outputs.ts';
import { browserDecoder } from './browser-decoder.ts';

export type DiagnosedRole = 'float' | 'quantized';

/** The preflight of a pair, with the twin check and how many samples gave the data range. */
export interface PreflightResult {
  report: PreflightReport;
  twinDifferences: TwinDifference[];
  sampledInputs: number;
  /** What will stop a model from loading, or is known to fail on the engine, read from the models (core/onnx/loadable.ts). */
  modelFaults: string[];
}

/** Where the test samples come from: the first `count` of a stored dataset, preprocessed by `spec`. */
export interface SampleSource {
  datasetId: string;
  spec: PreprocessSpec;
  count: number;
}

/** The layer pass: per-tensor measures and ranking, output differences and weight errors. */
export interface LayerPass {
  outcome: LayerAnalysisOutcome;
  outputs: OutputDiffReport;
  weights: WeightError[];
  /** Samples read but not decodable, with the reason. */
  failures: { index: number; reason: string }[];
}

/** One layer on one sample: value samples for a histogram, its measures and its quantization. */
export interface LayerDetail {
  floatTensor: string;
  position: number;
  sampleIndex: number;
  valueCount: number;
  /** At most HISTOGRAM_VALUES values each, at the same stride. */
  floatValues: Float32Array;
  quantizedValues: Float32Array;
  measures: TensorDiff;
  local?: TensorDiff;
  params?: QuantParamsView;
}

const HISTOGRAM_VALUES = 20_000;
const READ_CHUNK = 16;

interface LoadedPair {
  float: { proto: ModelProto; session: ModelSession };
  quantized: { proto: ModelProto; session: ModelSession };
  matching: TensorMatching;
  dims: number[];
  inputs: PreparedSample[];
}

let pair: LoadedPair | null = null;
let abort: AbortController | null = null;
let queue: Promise<unknown> = Promise.resolve();

/** Runs calls that use the sessions one at a time: concurrent runs in one wasm instance fail. */
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work);
  queue = next.catch(() => undefined);
  return next;
}

/** The first `count` decodable samples of a dataset, read in small chunks. */
async function* preparedSamples(source: SampleSource, failures: { index: number; reason: string }[]): AsyncGenerator<PreparedSample> {
  let yielded = 0;
  for (let from = 0; yielded < source.count; from += READ_CHUNK) {
    const rows = await readSamples(source.datasetId, from, from + READ_CHUNK);
    if (rows.length === 0) return;
    const encoded = rows.filter((row): row is EncodedSample & typeof row => row.kind !== 'tensor');
    const chunk = await prepareChunk(encoded, source.spec, browserDecoder);
    failures.push(...chunk.failures.map((f) => ({ index: f.index, reason: f.reason })));
    for (const row of rows) if (row.kind === 'tensor') failures.push({ index: row.index, reason: 'tensor samples are not analysed layer by layer yet' });
    for (const sample of chunk.samples) {
      if (yielded++ >= source.count) return;
      yield sample;
    }
  }
}

function layerRunner(session: ModelSession, dims: readonly number[], onOutputs?: (outputs: Record<string, Float32Array>) => void): LayerRunner {
  const inputName = session.inputs[0].name;
  return {
    async run(input) {
      const outputs = await session.run({ [inputName]: { data: input, dims } });
      const values = Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, tensor.data]));
      onOutputs?.(values);
      return values;
    },
  };
}

function loaded(): LoadedPair {
  if (!pair) throw new QuantLensError('session-failed', 'The layer analysis has no models loaded.', 'Start the diagnosis again.');
  return pair;
}

async function releasePair(): Promise<void> {
  const old = pair;
  pair = null;
  await Promise.all([old?.float.session.release(), old?.quantized.session.release()]);
}

/** The layer pass itself (see `analyze`). */
async function layerPass(source: SampleSource, signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<LayerPass> {
  const { float, quantized, matching, dims } = loaded();
  const outputName = float.session.outputs[0].name;
  const tracker = new OutputDiffTracker(outputName);
  const failures: { index: number; reason: string }[] = [];
  const inputs: PreparedSample[] = [];
  let floatOutput: Float32Array | undefined;
  async function* samples() {
    for await (const sample of preparedSamples(source, failures)) {
      inputs.push(sample);
      yield sample;
    }
  }
  const outcome = await analyzeLayers({
    matching,
    floatModel: layerRunner(float.session, dims, (values) => (floatOutput = values[outputName])),
    quantizedModel: layerRunner(quantized.session, dims, (values) => {
      const sample = inputs[inputs.length - 1];
      if (floatOutput && values[outputName]) tracker.add(sample, floatOutput, values[outputName]);
    }),
    samples: samples(),
    maxSamples: source.count,
    sequential: true,
    signal,
    onProgress: (done) => void onProgress(done, source.count),
  });
  loaded().inputs = inputs.slice(0, outcome.sampleCount);
  return { outcome, outputs: tracker.report(), weights: weightErrors(float.proto, quantized.proto), failures };
}

const api = {
  /** Reads both graphs and checks the data range; the bytes are transferred. */
  preflight: (floatBytes: Uint8Array, quantizedBytes: Uint8Array, source: SampleSource | null) =>
    answer(async (): Promise<PreflightResult> => {
      const floatProto = parseModel(floatBytes);
      const quantizedProto = parseModel(quantizedBytes);
      const infos = { float: modelInfoOf(floatProto), quantized: modelInfoOf(quantizedProto) };
      const twinDifferences = compareTwins(infos.float, infos.quantized);
      const modelFaults = (['float', 'quantized'] as const).flatMap((role) =>
        [...loadProblems(infos[role]).map((e) => `${e.message} ${e.hint}`), ...operatorWarnings(infos[role])].map((text) => `The ${role} model: ${text}`));
      const samples: PreparedSample[] = [];
      if (source) for await (const sample of preparedSamples(source, [])) samples.push(sample);
      const range = observedRange(samples);
      const inputName = infos.quantized.inputs[0]?.name;
      const observed = range && inputName ? { [inputName]: range } : {};
      const report = preflight({ proto: floatProto, byteLength: floatBytes.length }, { proto: quantizedProto, byteLength: quantizedBytes.length }, observed);
      return { report, twinDifferences, sampledInputs: samples.length, modelFaults };
    }),

  /** Matches the tensors and opens both models, their matched tensors exposed, on wasm. */
  load: (floatBytes: Uint8Array, quantizedBytes: Uint8Array, spec: PreprocessSpec) =>
    answer(() => exclusive(async () => {
      await releasePair();
      const floatProto = parseModel(floatBytes);
      const quantizedProto = parseModel(quantizedBytes);
      const matching = matchTensors(floatProto, quantizedProto);
      const outputs = layerOutputs(matching);
      const options = { provider: 'wasm', numThreads: 1, fallbackToReference: false } as const;
      const floatSession = await openSession(addOutputs(floatBytes, outputs.float, floatProto), options);
      const quantizedSession = await openSession(addOutputs(quantizedBytes, outputs.quantized, quantizedProto), options).catch(async (error: unknown) => {
        await floatSession.release();
        throw error;
      });
      pair = {
        float: { proto: floatProto, session: floatSession },
        quantized: { proto: quantizedProto, session: quantizedSession },
        matching,
        dims: tensorShape(spec, 1),
        inputs: [],
      };
      return { matched: matching.matches.length, unmatched: matching.unmatched.length };
    })),

  /** Runs the layer pass over the first samples of the dataset; `cancel` stops it after the sample in flight. */
  analyze: (source: SampleSource, onProgress: (done: number, total: number) => void) =>
    answer(() => {
      const controller = new AbortController();
      abort = controller;
      return exclusive(() => layerPass(source, controller.signal, onProgress));
    }),


  /** Stops the pass in flight (not an error: its outcome says 'cancelled'). */
  cancel: () => abort?.abort(),

  /** One matched tensor on one analysed sample: values for a histogram, measures, scale and zero point. */
  layerDetail: (floatTensor: string, position: number) =>
    answer(() => exclusive(async (): Promise<LayerDetail> => {
      const { float, quantized, matching, dims, inputs } = loaded();
      const match = matching.matches.find((m) => m.floatTensor === floatTensor);
      const sample = inputs[position];
      if (!match || !sample) throw new QuantLensError('invalid-input', `No analysed tensor '${floatTensor}' on sample ${position + 1}.`, 'Run the diagnosis again.');
      const floatOutputs = await layerRunner(float.session, dims).run(sample.input.slice());
      const quantizedOutputs = await layerRunner(quantized.session, dims).run(sample.input.slice());
      const reference = match.floatNode === null ? sample.input : floatOutputs[match.floatTensor];
      const raw = quantizedOutputs[match.quantizedTensor];
      const values = match.dequantize ? dequantize(raw, match.dequantize) : raw;
      const before = match.beforeQuantize ? (match.floatNode === null ? sample.input : quantizedOutputs[match.beforeQuantize]) : undefined;
      const params = paramsOf(quantized.proto, match.quantizedTensor) ?? (match.dequantize ? quantParamsView(match.dequantize) : undefined);
      const detail: LayerDetail = {
        floatTensor, position, sampleIndex: sample.index, valueCount: reference.length,
        floatValues: strided(reference, HISTOGRAM_VALUES), quantizedValues: strided(values, HISTOGRAM_VALUES),
        measures: diffTensors(reference, values),
        ...(before ? { local: diffTensors(before, values) } : {}),
        ...(params ? { params } : {}),
      };
      return detail;
    }), (detail) => [detail.floatValues.buffer as ArrayBuffer, detail.quantizedValues.buffer as ArrayBuffer]),

  /** Copies of the analysed inputs, for running them on another provider; transferred. */
  inputs: () =>
    answer(
      () => loaded().inputs.map((s) => s.input.slice()),
      (copies) => copies.map((c) => c.buffer as ArrayBuffer),
    ),

  /** Compares one model's outputs on `target` (the scores given, in analysed-sample order) with its outputs here on wasm. */
  compareProvider: (role: DiagnosedRole, referenceLabel: string, targetLabel: string, targetScores: Float32Array[], quantizationSqnrDb: number | undefined) =>
    answer(() => exclusive(async (): Promise<ProviderComparison> => {
      const current = loaded();
      const { session } = current[role];
      const outputName = session.outputs[0].name;
      const accumulator = new ProviderAgreementAccumulator(referenceLabel, targetLabel);
      for (let i = 0; i < targetScores.length && i < current.inputs.length; i++) {
        const outputs = await layerRunner(session, current.dims).run(current.inputs[i].input.slice());
        accumulator.add(outputs[outputName], targetScores[i]);
      }
      return accumulator.result(Number.isFinite(quantizationSqnrDb) ? quantizationSqnrDb : undefined);
    })),

  release: () => answer(() => exclusive(releasePair)),
};

/** The scale and zero point of a DequantizeLinear output (a QDQ tensor), when `tensor` is one. */
function paramsOf(model: ModelProto, tensor: string): QuantParamsView | undefined {
  if (!model.graph) return undefined;
  const index = indexGraph(model.graph);
  const producer = index.producer.get(tensor)?.node;
  if (producer?.opType !== 'DequantizeLinear') return undefined;
  const params = qdqNodeParams(index, producer);
  return typeof params === 'string' ? undefined : quantParamsView(params);
}

export type AnalysisWorkerApi = typeof api;

Comlink.expose(api);
