import type { SampleFailure } from '../data/dataset.ts';
import type { PreprocessedTensorData } from '../preprocess/spec.ts';
import type { AgreementResult, ClassificationResult, LatencySummary, MetricDelta, PerClassReport } from '../metrics/types.ts';
import { AgreementAccumulator, ClassificationAccumulator, metricDelta, summarizeLatencies } from '../metrics/index.ts';
import { topConfidence } from '../metrics/confidence.ts';
import { ProgressClock, type Progress } from './progress.ts';
import { predictionsChecksum } from './checksum.ts';

/**
 * The one evaluation loop, host-agnostic: the browser feeds it from a data worker and two model
 * workers, Node from files and in-process sessions. Same code, same numbers.
 */

export interface PreparedSample {
  index: number;
  label: number | null;
  input: PreprocessedTensorData;
}

export interface PreparedChunk {
  samples: PreparedSample[];
  failures: SampleFailure[];
}

export interface ChunkOutput {
  /** One score vector (logits or probabilities) per input, in input order. */
  scores: Float32Array[];
  /** Per-inference latency, measured around the engine's run call. */
  latenciesMs: number[];
}

/** Runs a model on a chunk of single-sample inputs. The evaluator owns the inputs it passes. */
export interface ModelRunner {
  runChunk(inputs: PreprocessedTensorData[]): Promise<ChunkOutput>;
}

export interface EvaluationPlan {
  /** Number of samples the source will yield (for progress and ETA). */
  total: number;
  chunks: AsyncIterable<PreparedChunk>;
  floatModel: ModelRunner;
  quantizedModel: ModelRunner;
  topK?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  now?: () => number;
}

export interface ModelRunSummary {
  classification: ClassificationResult;
  /** Per-class precision/recall/F1 and the confusion matrix (labelled samples only). */
  perClass: PerClassReport;
  latency: LatencySummary;
  /** FNV-1a of the per-sample top-1 predictions: equal checksums = identical predictions. */
  predictionsChecksum: string;
}

export interface EvaluationResult {
  /** Samples both models ran on. */
  sampleCount: number;
  skipped: SampleFailure[];
  float: ModelRunSummary;
  quantized: ModelRunSummary;
  agreement: AgreementResult;
  /**
   * Per evaluated sample, in run order: which dataset sample it is, its label (-1 when unlabelled)
   * and each model's confidence in its top-1 answer (for the flipped-samples gallery).
   */
  samples: { indices: Int32Array; labels: Int32Array; floatConfidence: Float32Array; quantizedConfidence: Float32Array };
  top1: MetricDelta;
  topK?: MetricDelta & { k: number };
  durationMs: number;
}

export interface EvaluationOutcome {
  /** 'cancelled' is a normal outcome: the result then covers the samples done so far. */
  status: 'complete' | 'cancelled';
  result: EvaluationResult | null;
}

/** Runs both models on every sample, concurrently, and accumulates the metrics as it goes. */
export async function evaluatePair(plan: EvaluationPlan): Promise<EvaluationOutcome> {
  const now = plan.now ?? (() => performance.now());
  const clock = new ProgressClock(plan.total, now);
  const k = plan.topK ?? 5;
  const skipped: SampleFailure[] = [];
  const latencies = { float: [] as number[], quantized: [] as number[] };
  const sampleIndices: number[] = [];
  const sampleLabels: number[] = [];
  const confidences = { float: [] as number[], quantized: [] as number[] };
  let accumulators: { float: ClassificationAccumulator; quantized: ClassificationAccumulator; agreement: AgreementAccumulator } | null = null;
  let cancelled = false;

  for await (const chunk of plan.chunks) {
    if (plan.signal?.aborted) {
      cancelled = true;
      break;
    }
    skipped.push(...chunk.failures);
    if (chunk.samples.length > 0) {
      const inputs = chunk.samples.map((s) => s.input);
      // Each model gets its own buffers: hosts may transfer (detach) what they are given.
      const [floatOut, quantizedOut] = await Promise.all([
        plan.floatModel.runChunk(inputs.map((a) => a.slice())),
        plan.quantizedModel.runChunk(inputs),
      ]);
      accumulators ??= createAccumulators(floatOut.scores[0].length, k);
      chunk.samples.forEach((sample, i) => {
        accumulators!.float.add(floatOut.scores[i], sample.label);
        accumulators!.quantized.add(quantizedOut.scores[i], sample.label);
        accumulators!.agreement.add(floatOut.scores[i], quantizedOut.scores[i], sample.label);
        sampleIndices.push(sample.index);
        sampleLabels.push(sample.label ?? -1);
        confidences.float.push(topConfidence(floatOut.scores[i]));
        confidences.quantized.push(topConfidence(quantizedOut.scores[i]));
      });
      latencies.float.push(...floatOut.latenciesMs);
      latencies.quantized.push(...quantizedOut.latenciesMs);
    }
    plan.onProgress?.(clock.advance(chunk.samples.length + chunk.failures.length));
    if (plan.signal?.aborted) {
      cancelled = true;
      break;
    }
  }

  const status = cancelled ? 'cancelled' : 'complete';
  if (!accumulators) return { status, result: null };
  const float = summarize(accumulators.float, latencies.float);
  const quantized = summarize(accumulators.quantized, latencies.quantized);
  const result: EvaluationResult = {
    sampleCount: float.classification.sampleCount,
    skipped,
    float,
    quantized,
    agreement: accumulators.agreement.result(),
    samples: {
      indices: Int32Array.from(sampleIndices),
      labels: Int32Array.from(sampleLabels),
      floatConfidence: Float32Array.from(confidences.float),
      quantizedConfidence: Float32Array.from(confidences.quantized),
    },
    top1: metricDelta(float.classification.top1Accuracy, quantized.classification.top1Accuracy),
    durationMs: clock.elapsedMs(),
  };
  const [floatTopK, quantizedTopK] = [float.classification.topK, quantized.classification.topK];
  if (floatTopK && quantizedTopK) result.topK = { ...metricDelta(floatTopK.accuracy, quantizedTopK.accuracy), k: floatTopK.k };
  return { status, result };
}

function createAccumulators(numClasses: number, k: number) {
  return {
    float: new ClassificationAccumulator(numClasses, k),
    quantized: new ClassificationAccumulator(numClasses, k),
    agreement: new AgreementAccumulator(),
  };
}

function summarize(accumulator: ClassificationAccumulator, latenciesMs: number[]): ModelRunSummary {
  const classification = accumulator.result();
  return {
    classification,
    perClass: accumulator.perClass(),
    latency: summarizeLatencies(latenciesMs),
    predictionsChecksum: predictionsChecksum(classification.predictions),
  };
}
