/**
 * The result document: one versioned JSON shape for a finished (or cancelled) run. The app stores
 * it in its history, exports it, imports it back, and renders it; the CLI writes the same shape.
 * Bump RESULT_VERSION on any breaking change and keep `parseResultDocument` reading older versions.
 */
import type { EvaluationResult } from '../eval/evaluate.ts';
import type { SampleFailure } from '../data/dataset.ts';
import type { AgreementResult, LatencySummary, MetricDelta, PerClassReport } from '../metrics/types.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { VerdictSettings } from './verdict.ts';
import { top1Uncertainty, type Top1Uncertainty } from '../eval/uncertainty.ts';

export const RESULT_SCHEMA = 'quantlens-result';
export const RESULT_VERSION = 1;

export type ModelRole = 'float' | 'quantized';

export interface ModelRecord {
  /** File name as the user picked it. */
  name: string;
  /** SHA-256 of the model bytes, hex, when computed. */
  sha256?: string;
  format?: string;
  provider: { requested: string; actual: string; label: string; fallbackReason?: string; threads?: number; detail?: string };
  latency: LatencySummary;
  predictionsChecksum: string;
  top1Correct: number;
  topKCorrect?: number;
}

export interface ResultDocument {
  schema: typeof RESULT_SCHEMA;
  version: typeof RESULT_VERSION;
  id: string;
  /** ISO 8601. */
  createdAt: string;
  status: 'complete' | 'cancelled';
  task: 'classification';
  environment: { host: 'browser' | 'node'; userAgent?: string; hardwareConcurrency?: number; crossOriginIsolated?: boolean };
  models: Record<ModelRole, ModelRecord>;
  dataset: { id: string; name: string; sampleCount: number; classNames: string[]; fingerprint?: string };
  preprocess: { spec: PreprocessSpec; fingerprint?: string };
  /** How the verdict was judged when the run was saved (the viewer may change it). */
  verdictSettings: VerdictSettings;
  metrics: { top1: MetricDelta; topK?: MetricDelta & { k: number }; top1Uncertainty?: Top1Uncertainty };
  agreement: AgreementResult;
  perClass: Record<ModelRole, PerClassReport>;
  /** Per evaluated sample, in run order. Labels are -1 when unknown; confidences are top-1 probabilities (3 decimals). */
  samples: { index: number[]; label: number[]; floatPrediction: number[]; quantizedPrediction: number[]; floatConfidence?: number[]; quantizedConfidence?: number[] };
  skipped: SampleFailure[];
  sampleCount: number;
  durationMs: number;
}

export interface DocumentContext {
  id: string;
  createdAt: Date;
  status: 'complete' | 'cancelled';
  environment: ResultDocument['environment'];
  models: Record<ModelRole, Omit<ModelRecord, 'latency' | 'predictionsChecksum' | 'top1Correct' | 'topKCorrect'>>;
  dataset: ResultDocument['dataset'];
  preprocess: ResultDocument['preprocess'];
  verdictSettings: VerdictSettings;
}

/** Builds the document of a run from the core's result and what the host knows about the run. */
export function toResultDocument(result: EvaluationResult, context: DocumentContext): ResultDocument {
  const model = (role: ModelRole): ModelRecord => {
    const summary = result[role];
    return {
      ...context.models[role],
      latency: summary.latency,
      predictionsChecksum: summary.predictionsChecksum,
      top1Correct: summary.classification.top1Correct,
      ...(summary.classification.topK ? { topKCorrect: summary.classification.topK.correct } : {}),
    };
  };
  return {
    schema: RESULT_SCHEMA,
    version: RESULT_VERSION,
    id: context.id,
    createdAt: context.createdAt.toISOString(),
    status: context.status,
    task: 'classification',
    environment: context.environment,
    models: { float: model('float'), quantized: model('quantized') },
    dataset: context.dataset,
    preprocess: context.preprocess,
    verdictSettings: context.verdictSettings,
    metrics: {
      top1: result.top1,
      ...(result.topK ? { topK: result.topK } : {}),
      top1Uncertainty: top1Uncertainty(result.samples.labels, result.float.classification.predictions, result.quantized.classification.predictions),
    },
    agreement: result.agreement,
    perClass: { float: result.float.perClass, quantized: result.quantized.perClass },
    samples: {
      index: Array.from(result.samples.indices),
      label: Array.from(result.samples.labels),
      floatPrediction: Array.from(result.float.classification.predictions),
      quantizedPrediction: Array.from(result.quantized.classification.predictions),
      floatConfidence: Array.from(result.samples.floatConfidence, round3),
      quantizedConfidence: Array.from(result.samples.quantizedConfidence, round3),
    },
    skipped: result.skipped,
    sampleCount: result.sampleCount,
    durationMs: result.durationMs,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
