/**
 * The layer-analysis loop, host-agnostic like eval/evaluate.ts: the host gives two LayerRunners
 * (each runs one input through a model that exposes the matched tensors, see layerOutputs and
 * addOutputs) and prepared samples; per matched tensor the accumulated error (float model vs
 * quantized model) and, for QDQ, the local error (before vs after its own Q/DQ pair) are folded into
 * streaming accumulators, so no activation outlives its sample.
 */
import type { PreparedSample } from '../eval/evaluate.ts';
import type { PreprocessedTensorData } from '../preprocess/spec.ts';
import { DiffAccumulator } from './accumulator.ts';
import { dequantize } from './graph.ts';
import type { TensorMatch, TensorMatching, UnmatchedTensor } from './layers.ts';
import { rankSensitivity, type SensitivityRanking, type TensorDiffResult } from './sensitivity.ts';

/** Runs one prepared input and returns the named tensors (integers as numbers, float32 storage is fine). */
export interface LayerRunner {
  run(input: PreprocessedTensorData): Promise<Record<string, ArrayLike<number>>>;
}

/** What to analyse and with what. */
export interface LayerAnalysisPlan {
  matching: TensorMatching;
  floatModel: LayerRunner;
  quantizedModel: LayerRunner;
  samples: AsyncIterable<PreparedSample> | Iterable<PreparedSample>;
  /** Samples to analyse at most (default 64). */
  maxSamples?: number;
  /**
   * Run the two models one after the other instead of concurrently (default false). Needed when both
   * runners share one engine instance: two onnxruntime-web sessions in one wasm module (Node, one
   * worker) fail with "output name cannot be empty" when their runs with many outputs interleave.
   */
  sequential?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** A matched tensor that could not be compared on some sample, and why. */
export interface TensorProblem {
  floatTensor: string;
  reason: string;
}

/** The analysis result; 'cancelled' covers the samples done before the abort. */
export interface LayerAnalysisOutcome {
  status: 'complete' | 'cancelled';
  sampleCount: number;
  /** In float graph order. */
  tensors: TensorDiffResult[];
  sensitivity: SensitivityRanking;
  unmatched: UnmatchedTensor[];
  problems: TensorProblem[];
}

/** Default number of samples: enough for stable pooled measures, few enough for a quick pass. */
export const DEFAULT_LAYER_SAMPLES = 64;

/** Runs both models sample by sample and aggregates per-tensor measures without keeping activations. */
export async function analyzeLayers(plan: LayerAnalysisPlan): Promise<LayerAnalysisOutcome> {
  const maxSamples = plan.maxSamples ?? DEFAULT_LAYER_SAMPLES;
  const entries = plan.matching.matches.map((match) => ({
    match,
    accumulated: new DiffAccumulator(),
    local: match.beforeQuantize && match.kind === 'dequantized' ? new DiffAccumulator() : undefined,
  }));
  const problems = new Map<string, string>();
  let sampleCount = 0;
  let status: LayerAnalysisOutcome['status'] = 'complete';

  for await (const sample of plan.samples) {
    if (sampleCount >= maxSamples) break;
    if (plan.signal?.aborted) {
      status = 'cancelled';
      break;
    }
    // Each runner gets its own copy: a host may transfer (detach) the buffer it is given.
    const [floatTensors, quantizedTensors] = plan.sequential
      ? [await plan.floatModel.run(sample.input.slice()), await plan.quantizedModel.run(sample.input.slice())]
      : await Promise.all([plan.floatModel.run(sample.input.slice()), plan.quantizedModel.run(sample.input.slice())]);
    for (const entry of entries) {
      if (problems.has(entry.match.floatTensor)) continue;
      const problem = foldSample(entry, sample.input, floatTensors, quantizedTensors);
      if (problem) problems.set(entry.match.floatTensor, problem);
    }
    sampleCount++;
    plan.onProgress?.(sampleCount, maxSamples);
  }
  if (plan.signal?.aborted) status = 'cancelled';

  const tensors: TensorDiffResult[] = entries
    .filter((e) => !problems.has(e.match.floatTensor))
    .map((e) => ({ match: e.match, accumulated: e.accumulated.summary(), ...(e.local ? { local: e.local.summary() } : {}) }));
  return {
    status,
    sampleCount,
    tensors,
    sensitivity: rankSensitivity(tensors),
    unmatched: plan.matching.unmatched,
    problems: [...problems].map(([floatTensor, reason]) => ({ floatTensor, reason })),
  };
}

interface Entry {
  match: TensorMatch;
  accumulated: DiffAccumulator;
  local: DiffAccumulator | undefined;
}

/** Adds one sample's tensors; returns a reason when the tensor cannot be compared. */
function foldSample(
  entry: Entry, input: ArrayLike<number>, floatTensors: Record<string, ArrayLike<number>>, quantizedTensors: Record<string, ArrayLike<number>>,
): string | undefined {
  const { match } = entry;
  // A graph input (floatNode null) is the sample itself in both models.
  const isGraphInput = match.floatNode === null;
  const reference = isGraphInput ? input : floatTensors[match.floatTensor];
  const raw = quantizedTensors[match.quantizedTensor];
  if (!reference) return `the float model did not return '${match.floatTensor}'`;
  if (!raw) return `the quantized model did not return '${match.quantizedTensor}'`;
  if (reference.length !== raw.length) return `'${match.floatTensor}' has ${reference.length} values in the float model but ${raw.length} in the quantized one`;
  // Integer tensors are per-tensor quantized (QLinear outputs, graph-input QuantizeLinear).
  const quantized = match.dequantize ? dequantize(raw, match.dequantize) : raw;
  entry.accumulated.add(reference, quantized);
  if (entry.local && match.beforeQuantize) {
    const before = isGraphInput ? input : quantizedTensors[match.beforeQuantize];
    if (!before) return `the quantized model did not return '${match.beforeQuantize}'`;
    if (before.length !== quantized.length) return `'${match.beforeQuantize}' and '${match.quantizedTensor}' differ in size`;
    entry.local.add(before, quantized);
  }
  return undefined;
}
