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

/** Precision, recall and F1 of one class, from the confusion matrix (scikit-learn's definitions). */
export interface ClassMetrics {
  classIndex: number;
  /** Labelled samples of this class. */
  support: number;
  /** Labelled samples predicted as this class. */
  predictedCount: number;
  truePositives: number;
  /** 0 when nothing was predicted as this class (scikit-learn's zero_division default). */
  precision: number;
  /** 0 when the class has no labelled sample. */
  recall: number;
  /** 2PR / (P + R); 0 when P + R is 0. */
  f1: number;
}

export interface PerClassReport {
  classes: ClassMetrics[];
  /** confusionMatrix[trueClass][predictedClass], labelled samples only (scikit-learn's orientation). */
  confusionMatrix: number[][];
  /**
   * Unweighted means over the classes that occur as a label or a prediction; classes with neither
   * are left out, as scikit-learn does when `labels` is not given. NaN when there are none.
   */
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  /** Mean F1 weighted by support; NaN when nothing is labelled. */
  weightedF1: number;
  /** How many classes the macro averages include. */
  averagedClassCount: number;
}
