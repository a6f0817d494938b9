/** Result types shared by the metric accumulators, the evaluation loop and the UI. */

export interface ClassificationResult {
  sampleCount: number;
  /** Samples whose label was known (unlabelled samples only count towards agreement). */
  labelledCount: number;
  top1Correct: number;
  top1Accuracy: number; // 0..1
  /** Present only when the model has more than k classes. */
  topK?: { k: number; correct: number; accuracy: number };
  /** Per-sample argmax, in sample order (kept for flips and cross-host equality checks). */
  predictions: Int32Array;
}

export interface AgreementResult {
  sampleCount: number;
  top1Agree: number;
  top1Agreement: number; // 0..1
  /** Labelled samples the float model got right and the quantized one wrong. */
  correctToWrong: number;
  wrongToCorrect: number;
  /** Both wrong, with different predictions. */
  wrongToOtherWrong: number;
  /** Sample indices that flipped correct->wrong / wrong->correct. */
  flippedToWrong: number[];
  flippedToCorrect: number[];
}

export interface MetricDelta {
  float: number;
  quantized: number;
  /** quantized - float, in percentage points when the metric is a proportion. */
  absolutePoints: number;
  /** (quantized - float) / float; NaN when float is 0. */
  relative: number;
  higherIsBetter: boolean;
}

export type VerdictOutcome = 'within' | 'exceeds' | 'inconclusive';

export interface Verdict {
  outcome: VerdictOutcome;
  thresholdPoints: number;
  /** One plain sentence a manager understands. */
  sentence: string;
}

export interface LatencySummary {
  count: number;
  medianMs: number;
  p95Ms: number;
  meanMs: number;
}
