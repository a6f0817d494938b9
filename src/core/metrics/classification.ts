/**
 * Streaming classification metrics: one sample at a time, memory O(classes²) for the confusion
 * matrix plus one Int32 prediction per sample.
 */
import { QuantLensError } from '../errors.ts';
import { perClassReport } from './per-class.ts';
import { argmax, isInTopK } from './ranking.ts';
import { GrowableArray } from './growable.ts';
import type { ClassificationResult, PerClassReport } from './types.ts';

/** Accumulates top-1 / top-k accuracy and a confusion matrix over one model's outputs. */
export class ClassificationAccumulator {
  readonly #numClasses: number;
  readonly #k: number;
  readonly #confusion: Uint32Array;
  readonly #predictions = new GrowableArray('int32', 1024);
  #labelledCount = 0;
  #top1Correct = 0;
  #topKCorrect = 0;

  constructor(numClasses: number, k = 5) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new QuantLensError('invalid-input', `A classifier needs at least 1 class (got ${numClasses}).`,
        'Check the number of classes the model outputs.');
    }
    if (!Number.isInteger(k) || k < 1) {
      throw new QuantLensError('invalid-input', `Top-k needs k to be a whole number above 0 (got ${k}).`,
        'Choose k = 5 or another positive whole number.');
    }
    this.#numClasses = numClasses;
    this.#k = k;
    this.#confusion = new Uint32Array(numClasses * numClasses);
  }

  /** Adds one sample's scores (logits or probabilities); returns its predicted class. */
  add(scores: ArrayLike<number>, label: number | null): number {
    checkScores(scores, this.#numClasses);
    if (label !== null) checkLabel(label, this.#numClasses);
    const prediction = argmax(scores);
    this.#predictions.push(prediction);
    if (label === null) return prediction;

    this.#labelledCount++;
    if (prediction === label) this.#top1Correct++;
    if (this.#hasTopK() && isInTopK(scores, label, this.#k)) this.#topKCorrect++;
    this.#confusion[label * this.#numClasses + prediction]++;
    return prediction;
  }

  /**
   * Counts and accuracies so far. Accuracies are proportions of the labelled samples, NaN when
   * none is labelled. topK is present only when there are more classes than k.
   */
  result(): ClassificationResult {
    const labelled = this.#labelledCount;
    const result: ClassificationResult = {
      sampleCount: this.#predictions.length,
      labelledCount: labelled,
      top1Correct: this.#top1Correct,
      top1Accuracy: labelled === 0 ? Number.NaN : this.#top1Correct / labelled,
      predictions: this.#predictions.copy(),
    };
    if (this.#hasTopK()) {
      result.topK = {
        k: this.#k,
        correct: this.#topKCorrect,
        accuracy: labelled === 0 ? Number.NaN : this.#topKCorrect / labelled,
      };
    }
    return result;
  }

  /** Confusion matrix and per-class precision / recall / F1 with macro and weighted averages. */
  perClass(): PerClassReport {
    return perClassReport(this.#confusion, this.#numClasses);
  }

  #hasTopK(): boolean {
    return this.#numClasses > this.#k;
  }

}

/** Throws when a sample's scores do not have one value per class. */
export function checkScores(scores: ArrayLike<number>, numClasses: number): void {
  if (scores.length !== numClasses) {
    throw new QuantLensError('model-mismatch',
      `The model output ${scores.length} scores for a sample, but ${numClasses} classes were expected.`,
      'Check that the model is a classifier over the same classes as the dataset labels.');
  }
}

/** Throws when a label is not a class index of this classifier. */
export function checkLabel(label: number, numClasses: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
    throw new QuantLensError('dataset-invalid',
      `The label ${label} is not a class of this model (0 to ${numClasses - 1}).`,
      'Check that the dataset labels are class indices in the model\'s output order.');
  }
}
