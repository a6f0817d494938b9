/**
 * Tasks: how the two models' outputs become metrics. Each task is a PairAccumulator that the one
 * evaluation loop feeds sample by sample; its result has a generic part (metrics, agreement,
 * per-class rows) that every view and export understands, plus task-specific extras.
 */
import type { OutputTensor, PreparedSample } from '../eval/evaluate.ts';
import type { MetricDelta } from '../metrics/types.ts';

export type TaskKind = 'classification' | 'detection' | 'segmentation' | 'embedding';

export const TASKS: readonly { kind: TaskKind; label: string; needs: string }[] = [
  { kind: 'classification', label: 'Classification', needs: 'a labelled dataset; the model outputs one score per class' },
  { kind: 'detection', label: 'Object detection', needs: 'images with boxes (COCO JSON); a YOLOv5, YOLOv8 or SSD-style output' },
  { kind: 'segmentation', label: 'Semantic segmentation', needs: 'images with class masks (PNG); the model outputs [1, C, H, W] scores' },
  { kind: 'embedding', label: 'Embeddings / retrieval', needs: 'a labelled dataset (same class = relevant); the model outputs one vector per input' },
];

/** Options a task needs beyond the models and data. */
export interface TaskSettings {
  kind: TaskKind;
  /** Classification: k of top-k (default 5). */
  topK?: number;
  /**
   * Classification: the model output index of each dataset label (`labelMap[datasetLabel]`); -1 when
   * that class has no output: its samples are scored as unlabelled and counted. Absent: dataset
   * labels are output indices. `labelMapClassNames` then names the outputs (the result's class names).
   */
  labelMap?: Int32Array;
  labelMapClassNames?: string[];
  /** Detection output layout and thresholds. */
  detection?: { layout: 'yolov5' | 'yolov8' | 'ssd'; scoreThreshold?: number; iouThreshold?: number; maxDetections?: number; ssdBackgroundClass?: boolean };
  /** Segmentation label value that is not scored (default 255). */
  ignoreIndex?: number;
  /**
   * Classification: stop as soon as the verdict is statistically settled (anytime-valid sequential
   * test, see core/stats/sequential.ts). Needs the samples in a random order.
   */
  earlyVerdict?: { mode: 'points' | 'relative' | 'significance'; threshold: number; alpha?: number };
  /** Embedding: cut-offs of recall@k / nDCG@k (default [1, 5, 10]); queries kept for retrieval (default 5,000). */
  retrieval?: { ks?: number[]; maxQueries?: number };
}

/** One metric of both models, with its Δ. The first metric of a result is the one the verdict judges. */
export interface MetricRow {
  id: string;
  name: string;
  /** 'proportion': 0..1 shown in percent, Δ in points; 'number': shown as is, Δ in the metric's units. */
  unit: 'proportion' | 'number';
  delta: MetricDelta;
  /** Counts behind a proportion, e.g. 1974 of 2000 correct. */
  counts?: { float: number; quantized: number; of: number };
}

/** How much the quantized model agrees with the float one, measured without labels. */
export interface AgreementRow {
  id: string;
  name: string;
  value: number;
  unit: 'proportion' | 'number';
  /** One sentence on what it means. */
  detail: string;
}

/** A per-class metric of both models (recall, AP, IoU...). */
export interface PerClassRows {
  metricName: string;
  rows: { classIndex: number; support: number; float: number; quantized: number }[];
}

/** The generic part of every task's result. */
export interface TaskOutcome {
  kind: TaskKind;
  metrics: MetricRow[];
  /**
   * When the first metric is a mean of per-sample 0/1 outcomes (accuracy, recall@k): those outcomes
   * for both models, paired by sample, so the document can give Δ an interval and a McNemar test.
   */
  primaryOutcomes?: { float: Uint8Array; quantized: Uint8Array };
  agreement: AgreementRow[];
  perClass?: PerClassRows;
}

/** What a task accumulates, sample by sample, from both models' outputs. */
export interface PairAccumulator<R extends TaskOutcome = TaskOutcome> {
  add(sample: PreparedSample, floatOutputs: OutputTensor[], quantizedOutputs: OutputTensor[]): void;
  finish(): R;
  /** Set once an early verdict has settled: the loop then stops. */
  settled?(): EarlyVerdict | null;
  /**
   * Everything added so far, structured-clone-safe (a checkpoint stored in IndexedDB), detached from
   * the accumulator: later adds do not change it.
   */
  snapshot?(): unknown;
  /**
   * Continues from a snapshot, on a fresh accumulator built with the same settings: finish() then
   * equals that of an accumulator that saw the same samples without interruption.
   */
  restore?(state: unknown): void;
}

/** An early verdict: reached after `samplesUsed` samples with error probability at most `alpha`. */
export interface EarlyVerdict {
  outcome: 'within' | 'exceeds';
  samplesUsed: number;
  alpha: number;
  method: string;
}
