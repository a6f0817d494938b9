/**
 * Semantic segmentation: each model's [1, C, H, W] scores → class map (argmax), mapped back onto
 * the label mask through the preprocessing geometry (nearest pixel; mask pixels outside the
 * model's crop are not scored), then mIoU and pixel accuracy. Agreement: pixels where the two
 * models' class maps are equal.
 */
import { QuantLensError } from '../errors.ts';
import type { OutputTensor, PreparedSample } from '../eval/evaluate.ts';
import { SegmentationAccumulator, argmaxClassMap, metricDelta } from '../metrics/index.ts';
import type { SegmentationResult } from '../metrics/index.ts';
import { planResize } from '../preprocess/resize.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { PairAccumulator, TaskOutcome } from './types.ts';
import { checkSnapshot, replaySegmentationCounts, segmentationCounts, type SegmentationCounts, type SnapshotHeader } from './snapshot.ts';

export interface SegmentationOutcome extends TaskOutcome {
  kind: 'segmentation';
  float: SegmentationResult;
  quantized: SegmentationResult;
  /** The quantized class maps scored against the float ones (pixel agreement, mIoU between them). */
  versusFloat: SegmentationResult;
}

/** Pixel counts of the three accumulators (all they keep). */
export interface SegmentationSnapshot extends SnapshotHeader {
  kind: 'segmentation';
  float: SegmentationCounts;
  quantized: SegmentationCounts;
  versusFloat: SegmentationCounts;
}

export class SegmentationPair implements PairAccumulator<SegmentationOutcome> {
  readonly #float: SegmentationAccumulator;
  readonly #quantized: SegmentationAccumulator;
  readonly #versusFloat: SegmentationAccumulator;

  constructor(
    readonly numClasses: number,
    readonly spec: PreprocessSpec,
    readonly ignoreIndex = 255,
  ) {
    this.#float = new SegmentationAccumulator(numClasses, { ignoreIndex });
    this.#quantized = new SegmentationAccumulator(numClasses, { ignoreIndex });
    this.#versusFloat = new SegmentationAccumulator(numClasses, { ignoreIndex });
  }

  add(sample: PreparedSample, floatOutputs: OutputTensor[], quantizedOutputs: OutputTensor[]): void {
    const mask = sample.target;
    if (mask?.kind !== 'mask') {
      throw new QuantLensError('dataset-invalid', `Sample ${sample.index} has no class mask to compare with: the segmentation task needs images with PNG masks.`, 'Import a segmentation dataset (images with PNG masks) for the segmentation task.');
    }
    const floatMap = this.#classMap(floatOutputs[0]);
    const quantizedMap = this.#classMap(quantizedOutputs[0]);
    this.#versusFloat.add(quantizedMap.data, floatMap.data);
    const [outHeight, outWidth] = [floatMap.height, floatMap.width];
    // For each mask pixel, the model-output pixel that covers it (or the ignore index outside the crop).
    const plan = planResize(mask.height, mask.width, this.spec);
    const labels = new Uint8Array(mask.data);
    const floatOnMask = new Uint16Array(mask.width * mask.height);
    const quantizedOnMask = new Uint16Array(mask.width * mask.height);
    for (let y = 0; y < mask.height; y++) {
      const inputY = ((y + 0.5) * plan.resizedHeight) / mask.height - plan.cropTop;
      const outY = Math.floor((inputY * outHeight) / this.spec.height);
      for (let x = 0; x < mask.width; x++) {
        const p = y * mask.width + x;
        const inputX = ((x + 0.5) * plan.resizedWidth) / mask.width - plan.cropLeft;
        const outX = Math.floor((inputX * outWidth) / this.spec.width);
        if (outX < 0 || outY < 0 || outX >= outWidth || outY >= outHeight) {
          labels[p] = this.ignoreIndex;
          continue;
        }
        floatOnMask[p] = floatMap.data[outY * outWidth + outX];
        quantizedOnMask[p] = quantizedMap.data[outY * outWidth + outX];
      }
    }
    this.#float.add(floatOnMask, labels);
    this.#quantized.add(quantizedOnMask, labels);
  }

  snapshot(): SegmentationSnapshot {
    return { kind: 'segmentation', version: 1, float: segmentationCounts(this.#float), quantized: segmentationCounts(this.#quantized), versusFloat: segmentationCounts(this.#versusFloat) };
  }

  restore(state: SegmentationSnapshot): void {
    const saved = checkSnapshot<SegmentationSnapshot>(state, 'segmentation');
    replaySegmentationCounts(this.#float, saved.float, this.ignoreIndex);
    replaySegmentationCounts(this.#quantized, saved.quantized, this.ignoreIndex);
    replaySegmentationCounts(this.#versusFloat, saved.versusFloat, this.ignoreIndex);
  }

  #classMap(output: OutputTensor): { data: Uint16Array; width: number; height: number } {
    const [batch, classes, height, width] = output.dims;
    if (output.dims.length !== 4 || batch !== 1 || classes !== this.numClasses) {
      throw new QuantLensError('model-mismatch', `The segmentation output has shape [${output.dims.join(', ')}]; expected [1, ${this.numClasses}, H, W].`, 'Pick the model\'s per-pixel class scores output, and a dataset with the same classes.');
    }
    return { data: argmaxClassMap(output.data, classes, height, width), width, height };
  }

  finish(): SegmentationOutcome {
    const float = this.#float.result();
    const quantized = this.#quantized.result();
    const versusFloat = this.#versusFloat.result();
    return {
      kind: 'segmentation',
      metrics: [
        { id: 'miou', name: 'Mean IoU', unit: 'proportion', delta: metricDelta(float.meanIou, quantized.meanIou) },
        { id: 'pixel-accuracy', name: 'Pixel accuracy', unit: 'proportion', delta: metricDelta(float.pixelAccuracy, quantized.pixelAccuracy) },
      ],
      agreement: [
        { id: 'pixel-agreement', name: 'Same class per pixel', value: versusFloat.pixelAccuracy, unit: 'proportion', detail: 'Share of output pixels where both models predict the same class.' },
      ],
      perClass: {
        metricName: 'IoU',
        rows: float.classes.filter((c) => Number.isFinite(c.iou) || Number.isFinite(quantized.classes[c.classIndex].iou)).map((c) => ({ classIndex: c.classIndex, support: c.labelPixels, float: c.iou, quantized: quantized.classes[c.classIndex].iou })),
      },
      float,
      quantized,
      versusFloat,
    };
  }
}
