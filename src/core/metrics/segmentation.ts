/**
 * Streaming semantic-segmentation metrics over (predicted class map, label map) pairs: one
 * confusion matrix of float64 counts (exact up to 2^53 pixels), whatever the number of images.
 */
import { QuantLensError } from '../errors.ts';

/** Intersection over union and pixel accuracy of one class. */
export interface SegmentationClassResult {
  classIndex: number;
  /** Labelled pixels of this class. */
  labelPixels: number;
  /** Pixels predicted as this class (ignored pixels excluded). */
  predictedPixels: number;
  truePositives: number;
  /** TP / (TP + FP + FN); NaN when the class is in neither the labels nor the predictions. */
  iou: number;
  /** TP / labelled pixels of the class (per-class recall); NaN when it has none. */
  accuracy: number;
}

/** Confusion matrix, per-class IoU, mean IoU and pixel accuracy. */
export interface SegmentationResult {
  imageCount: number;
  /** Pixels compared (the ignore index excluded). */
  pixelCount: number;
  ignoredPixelCount: number;
  /** Correct pixels / pixels compared; NaN when none. */
  pixelAccuracy: number;
  /**
   * Mean of the per-class IoU over the classes present in the labels or the predictions (classes
   * in neither are left out, as numpy.nanmean in torchvision's and mmsegmentation's references).
   */
  meanIou: number;
  /** Mean of the per-class accuracy over the classes present in the labels (mmsegmentation's mAcc). */
  meanClassAccuracy: number;
  /** How many classes meanIou includes. */
  presentClassCount: number;
  classes: SegmentationClassResult[];
  /** confusionMatrix[labelClass][predictedClass], pixel counts. */
  confusionMatrix: number[][];
}

/** Options of SegmentationAccumulator. */
export interface SegmentationOptions {
  /** Label value of pixels that are not scored (255 as in Pascal VOC and Cityscapes). */
  ignoreIndex?: number;
}

/** Accumulates the pixel confusion matrix of one model's class maps against label maps. */
export class SegmentationAccumulator {
  readonly #numClasses: number;
  readonly #ignoreIndex: number;
  readonly #confusion: Float64Array;
  #imageCount = 0;
  #ignoredPixelCount = 0;

  constructor(numClasses: number, options: SegmentationOptions = {}) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new QuantLensError('invalid-input', `A segmentation model needs at least 1 class (got ${numClasses}).`,
        'Check the number of classes the model outputs.');
    }
    this.#numClasses = numClasses;
    this.#ignoreIndex = options.ignoreIndex ?? 255;
    this.#confusion = new Float64Array(numClasses * numClasses);
  }

  /** Adds one image: a predicted class per pixel and the label per pixel, in the same order. */
  add(predicted: ArrayLike<number>, labels: ArrayLike<number>): void {
    if (predicted.length !== labels.length) {
      throw new QuantLensError('model-mismatch',
        `The predicted class map has ${predicted.length} pixels but the label map has ${labels.length}.`,
        'Resize the prediction to the label size (or the labels to the model output) before comparing.');
    }
    const n = this.#numClasses;
    // Check first, so that a bad image leaves the counts untouched.
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (label === this.#ignoreIndex) continue;
      if (!isClass(label, n)) {
        throw new QuantLensError('dataset-invalid', `The label map holds ${label}, which is neither a class (0 to ${n - 1}) nor the ignore index ${this.#ignoreIndex}.`,
          'Check that label maps store class indices, and set the ignore index the dataset uses.');
      }
      if (!isClass(predicted[i], n)) {
        throw new QuantLensError('model-mismatch', `The predicted class map holds ${predicted[i]}, which is not a class (0 to ${n - 1}).`,
          'Check the number of classes, or take the argmax of the logits first.');
      }
    }
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === this.#ignoreIndex) this.#ignoredPixelCount++;
      else this.#confusion[labels[i] * n + predicted[i]]++;
    }
    this.#imageCount++;
  }

  /** The metrics so far. */
  result(): SegmentationResult {
    const n = this.#numClasses;
    const confusionMatrix: number[][] = [];
    for (let row = 0; row < n; row++) confusionMatrix.push(Array.from(this.#confusion.subarray(row * n, (row + 1) * n)));
    let pixelCount = 0;
    let correct = 0;
    const classes: SegmentationClassResult[] = [];
    for (let c = 0; c < n; c++) {
      let labelPixels = 0;
      let predictedPixels = 0;
      for (let other = 0; other < n; other++) {
        labelPixels += this.#confusion[c * n + other];
        predictedPixels += this.#confusion[other * n + c];
      }
      const truePositives = this.#confusion[c * n + c];
      const union = labelPixels + predictedPixels - truePositives;
      classes.push({
        classIndex: c, labelPixels, predictedPixels, truePositives,
        iou: union === 0 ? Number.NaN : truePositives / union,
        accuracy: labelPixels === 0 ? Number.NaN : truePositives / labelPixels,
      });
      pixelCount += labelPixels;
      correct += truePositives;
    }
    const present = classes.filter((item) => !Number.isNaN(item.iou));
    const labelled = classes.filter((item) => item.labelPixels > 0);
    return {
      imageCount: this.#imageCount,
      pixelCount,
      ignoredPixelCount: this.#ignoredPixelCount,
      pixelAccuracy: pixelCount === 0 ? Number.NaN : correct / pixelCount,
      meanIou: mean(present.map((item) => item.iou)),
      meanClassAccuracy: mean(labelled.map((item) => item.accuracy)),
      presentClassCount: present.length,
      classes,
      confusionMatrix,
    };
  }
}

/**
 * Class map of [C, H, W] logits (or probabilities): the highest channel per pixel, ties to the
 * lowest class and NaN above every number, exactly as numpy.argmax(logits, axis=0).
 */
export function argmaxClassMap(logits: ArrayLike<number>, numClasses: number, height: number, width: number): Uint16Array {
  const pixels = height * width;
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 65536 || logits.length !== numClasses * pixels) {
    throw new QuantLensError('model-mismatch',
      `The segmentation output has ${logits.length} values, not ${numClasses} classes × ${height} × ${width}.`,
      'Check the output shape [C, H, W] and the number of classes.');
  }
  const classMap = new Uint16Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let best = 0;
    let bestScore = logits[p];
    if (Number.isNaN(bestScore)) continue;
    for (let c = 1; c < numClasses; c++) {
      const score = logits[c * pixels + p];
      if (Number.isNaN(score)) {
        best = c;
        break;
      }
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    classMap[p] = best;
  }
  return classMap;
}

function isClass(value: number, numClasses: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < numClasses;
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
