/**
 * The result document: one versioned JSON shape for a finished (or cancelled) run of any task. The
 * app stores it in its history, exports it, imports it back, and renders it; the CLI writes the
 * same shape. Bump RESULT_VERSION on any breaking change and keep `parseResultDocument` reading
 * older versions.
 */
import type { EvaluationResult } from '../eval/evaluate.ts';
import type { SampleFailure } from '../data/dataset.ts';
import type { AgreementResult, LatencySummary, PerClassReport } from '../metrics/types.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { AgreementRow, EarlyVerdict, MetricRow, PerClassRows, TaskKind, TaskOutcome } from '../tasks/types.ts';
import type { ClassificationOutcome } from '../tasks/classification.ts';
import type { SegmentTable } from '../tasks/segments.ts';
import type { VerdictSettings } from './verdict.ts';
import type { ProviderRecordExtras } from '../providers/coverage.ts';
import { pairedUncertainty, type Top1Uncertainty } from '../eval/uncertainty.ts';

export const RESULT_SCHEMA = 'quantlens-result';
export const RESULT_VERSION = 1;

export type ModelRole = 'float' | 'quantized';

export interface ModelRecord {
  /** File name as the user picked it. */
  name: string;
  /** SHA-256 of the model bytes, hex, when computed. */
  sha256?: string;
  format?: string;
  /** What ran the model; `coverage` and `webnn` as recorded by the app (read them with providerRecordExtras, which validates). */
  provider: { requested: string; actual: string; label: string; fallbackReason?: string; threads?: number; detail?: string } & ProviderRecordExtras;
  latency: LatencySummary;
  /** Classification: FNV-1a of the per-sample top-1 predictions. */
  predictionsChecksum?: string;
}

/** Classification's own detail: confusion matrices, flips and per-sample outcomes. */
export interface ClassificationDetail {
  perClass: Record<ModelRole, PerClassReport>;
  agreement: AgreementResult;
  /** Per evaluated sample, in run order. Labels are -1 when unknown; confidences are top-1 probabilities (3 decimals). */
  samples: { index: number[]; label: number[]; floatPrediction: number[]; quantizedPrediction: number[]; floatConfidence: number[]; quantizedConfidence: number[] };
  /** Accuracy per class, input size and manifest tag, worst Δ first. */
  segments: SegmentTable[];
}

/** One stored dataset of a run over several: its samples' run indices are its own plus `indexOffset`. */
export interface DatasetPart {
  id: string;
  name: string;
  /** The value of the `source` tag its samples carried in the run ('test', 'field'). */
  source: string;
  sampleCount: number;
  indexOffset: number;
  fingerprint?: string;
}

/** Which stored dataset (and index in it) a run's sample index refers to. */
export function sampleOrigin(dataset: Pick<ResultDocument['dataset'], 'id' | 'parts'>, index: number): { datasetId: string; index: number } {
  let part: DatasetPart | undefined;
  for (const candidate of dataset.parts ?? []) if (candidate.indexOffset <= index && (!part || candidate.indexOffset > part.indexOffset)) part = candidate;
  return part ? { datasetId: part.id, index: index - part.indexOffset } : { datasetId: dataset.id, index };
}

export interface ResultDocument {
  schema: typeof RESULT_SCHEMA;
  version: typeof RESULT_VERSION;
  id: string;
  /** ISO 8601. */
  createdAt: string;
  status: 'complete' | 'cancelled' | 'settled';
  /** When the run stopped early because the verdict was statistically settled. */
  early?: EarlyVerdict;
  task: TaskKind;
  environment: { host: 'browser' | 'node'; userAgent?: string; hardwareConcurrency?: number; crossOriginIsolated?: boolean };
  models: Record<ModelRole, ModelRecord>;
  /**
   * With `parts`, the run evaluated several stored datasets one after the other (a test set, then the
   * field samples): `id` is the first one's, `sampleCount` the sum, and `fingerprint` that of the
   * combination (see `combinedFingerprint` in state/field-segment.ts) or absent.
   */
  dataset: { id: string; name: string; sampleCount: number; classNames: string[]; fingerprint?: string; parts?: DatasetPart[] };
  preprocess: { spec: PreprocessSpec; fingerprint?: string };
  /** How the verdict was judged when the run was saved (the viewer may change it). */
  verdictSettings: VerdictSettings;
  /** The task's metrics; the first is the one the verdict judges. */
  metrics: MetricRow[];
  /** Interval and test of the first metric's Δ, when the task supports one (classification). */
  uncertainty?: Top1Uncertainty;
  agreement: AgreementRow[];
  perClass?: PerClassRows;
  classification?: ClassificationDetail;
  skipped: SampleFailure[];
  sampleCount: number;
  durationMs: number;
}

export interface DocumentContext {
  id: string;
  createdAt: Date;
  status: ResultDocument['status'];
  environment: ResultDocument['environment'];
  models: Record<ModelRole, Omit<ModelRecord, 'latency' | 'predictionsChecksum'>>;
  dataset: ResultDocument['dataset'];
  preprocess: ResultDocument['preprocess'];
  verdictSettings: VerdictSettings;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Builds the document of a run from the core's result and what the host knows about the run. */
export function toResultDocument(result: EvaluationResult<TaskOutcome>, context: DocumentContext): ResultDocument {
  const task = result.task;
  const classification = task.kind === 'classification' ? (task as ClassificationOutcome) : null;
  const model = (role: ModelRole): ModelRecord => ({
    ...context.models[role],
    latency: result.latency[role],
    ...(classification ? { predictionsChecksum: classification[role].predictionsChecksum } : {}),
  });
  return {
    schema: RESULT_SCHEMA,
    version: RESULT_VERSION,
    id: context.id,
    createdAt: context.createdAt.toISOString(),
    status: context.status,
    ...(result.early ? { early: result.early } : {}),
    task: task.kind,
    environment: context.environment,
    models: { float: model('float'), quantized: model('quantized') },
    dataset: context.dataset,
    preprocess: context.preprocess,
    verdictSettings: context.verdictSettings,
    metrics: task.metrics,
    ...(task.primaryOutcomes ? { uncertainty: pairedUncertainty(task.primaryOutcomes.float, task.primaryOutcomes.quantized) } : {}),
    agreement: task.agreement,
    ...(task.perClass ? { perClass: task.perClass } : {}),
    ...(classification ? { classification: classificationDetail(classification) } : {}),
    skipped: result.skipped,
    sampleCount: result.sampleCount,
    durationMs: result.durationMs,
  };
}

function classificationDetail(outcome: ClassificationOutcome): ClassificationDetail {
  return {
    perClass: { float: outcome.float.perClass, quantized: outcome.quantized.perClass },
    agreement: outcome.agreementDetail,
    segments: outcome.segments,
    samples: {
      index: Array.from(outcome.samples.indices),
      label: Array.from(outcome.samples.labels),
      floatPrediction: Array.from(outcome.float.classification.predictions),
      quantizedPrediction: Array.from(outcome.quantized.classification.predictions),
      floatConfidence: Array.from(outcome.samples.floatConfidence, round3),
      quantizedConfidence: Array.from(outcome.samples.quantizedConfidence, round3),
    },
  };
}
