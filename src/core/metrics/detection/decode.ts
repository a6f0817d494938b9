/**
 * Decoders for common detector output layouts (batch of 1): candidates above a score threshold,
 * class-wise NMS (torchvision.ops.batched_nms), the best maxDetections, then boxes mapped back to
 * original-image pixels as COCO [x, y, w, h]. Class indices are the model's own (e.g. COCO's 80
 * contiguous classes, not its 91 category ids). All arithmetic is in float64.
 */
import { QuantLensError } from '../../errors.ts';
import { classWiseNms } from './nms.ts';
import type { BoxTransform, DecodedDetections } from './types.ts';

/** Options shared by the decoders. */
export interface DecodeOptions {
  /** Candidates need a score strictly above this (0.001 as YOLO's val.py for mAP). */
  scoreThreshold?: number;
  /** NMS IoU threshold (0.6 as YOLOv5's val.py; YOLOv8 uses 0.7). */
  iouThreshold?: number;
  /** Detections kept after NMS, best first (100, COCO's cap). */
  maxDetections?: number;
  /** One candidate per class score above the threshold, instead of the best class only. */
  multiLabel?: boolean;
  /** How preprocessing mapped the original image to the model input (default: identity). */
  transform?: BoxTransform;
  /** Clip boxes to the original image, as ultralytics' scale_boxes does. */
  clipTo?: { width: number; height: number };
}

/** SSD outputs hold normalized corners; the model input size turns them into input pixels. */
export interface SsdDecodeOptions extends DecodeOptions {
  inputWidth: number;
  inputHeight: number;
  /** Score column 0 is a background class (TF Object Detection API raw scores): skip it, shift classes down. */
  scoresIncludeBackground?: boolean;
}

/** Transform for an image resized to the input size without keeping its aspect ratio. */
export function stretchTransform(originalWidth: number, originalHeight: number, inputWidth: number, inputHeight: number): BoxTransform {
  return { scaleX: inputWidth / originalWidth, scaleY: inputHeight / originalHeight, padX: 0, padY: 0 };
}

/** Transform for a letterbox: one scale that fits the image, then equal padding on both sides. */
export function letterboxTransform(originalWidth: number, originalHeight: number, inputWidth: number, inputHeight: number): BoxTransform {
  const scale = Math.min(inputWidth / originalWidth, inputHeight / originalHeight);
  return {
    scaleX: scale, scaleY: scale,
    padX: (inputWidth - originalWidth * scale) / 2, padY: (inputHeight - originalHeight * scale) / 2,
  };
}

/** YOLOv5-style output [1, N, 5 + C]: cx, cy, w, h, objectness, class scores; score = objectness × class score. */
export function decodeYoloV5(output: ArrayLike<number>, dims: readonly number[], options: DecodeOptions = {}): DecodedDetections {
  const [rows, columns] = matrixShape(output, dims, 'YOLOv5 [1, N, 5+C]');
  if (columns < 6) throw layoutError('YOLOv5 [1, N, 5+C]', dims);
  const candidates = new Candidates(options);
  const classScores = new Float64Array(columns - 5);
  for (let row = 0; row < rows; row++) {
    const base = row * columns;
    const objectness = output[base + 4];
    if (!(objectness > candidates.scoreThreshold)) continue;
    for (let c = 0; c < classScores.length; c++) classScores[c] = objectness * output[base + 5 + c];
    candidates.addCentered(output[base], output[base + 1], output[base + 2], output[base + 3], classScores);
  }
  return candidates.finish();
}

/** YOLOv8-style output [1, 4 + C, N] (transposed, no objectness): cx, cy, w, h, class scores. */
export function decodeYoloV8(output: ArrayLike<number>, dims: readonly number[], options: DecodeOptions = {}): DecodedDetections {
  const [channels, boxCount] = matrixShape(output, dims, 'YOLOv8 [1, 4+C, N]');
  if (channels < 5) throw layoutError('YOLOv8 [1, 4+C, N]', dims);
  const candidates = new Candidates(options);
  const classScores = new Float64Array(channels - 4);
  for (let box = 0; box < boxCount; box++) {
    for (let c = 0; c < classScores.length; c++) classScores[c] = output[(4 + c) * boxCount + box];
    candidates.addCentered(output[box], output[boxCount + box], output[2 * boxCount + box], output[3 * boxCount + box], classScores);
  }
  return candidates.finish();
}

/**
 * SSD-style outputs as TF's Object Detection API exports them before NMS: boxes [1, N, 4] as
 * normalized [ymin, xmin, ymax, xmax] and scores [1, N, C] (already sigmoid / softmax).
 */
export function decodeSsd(
  boxes: ArrayLike<number>, boxDims: readonly number[], scores: ArrayLike<number>, scoreDims: readonly number[],
  options: SsdDecodeOptions,
): DecodedDetections {
  const [boxCount, four] = matrixShape(boxes, boxDims, 'SSD boxes [1, N, 4]');
  const [scoreRows, columns] = matrixShape(scores, scoreDims, 'SSD scores [1, N, C]');
  const skip = options.scoresIncludeBackground ? 1 : 0;
  if (four !== 4 || scoreRows !== boxCount || columns <= skip) {
    throw new QuantLensError('model-mismatch',
      `The SSD outputs have shapes [${boxDims.join(', ')}] and [${scoreDims.join(', ')}], expected [1, N, 4] and [1, N, C].`,
      'Pick the box and score outputs of the same model, or another output layout.');
  }
  const candidates = new Candidates(options);
  const classScores = new Float64Array(columns - skip);
  for (let box = 0; box < boxCount; box++) {
    for (let c = 0; c < classScores.length; c++) classScores[c] = scores[box * columns + skip + c];
    const base = box * 4;
    candidates.addCorners(boxes[base + 1] * options.inputWidth, boxes[base] * options.inputHeight,
      boxes[base + 3] * options.inputWidth, boxes[base + 2] * options.inputHeight, classScores);
  }
  return candidates.finish();
}

/** Candidate boxes in model-input pixels [x1, y1, x2, y2], then NMS and the mapping back. */
class Candidates {
  readonly scoreThreshold: number;
  readonly #options: DecodeOptions;
  readonly #corners: number[] = [];
  readonly #scores: number[] = [];
  readonly #classes: number[] = [];

  constructor(options: DecodeOptions) {
    const { transform } = options;
    if (transform && !(transform.scaleX > 0 && transform.scaleY > 0 && Number.isFinite(transform.padX + transform.padY))) {
      throw new QuantLensError('preprocess-mismatch', `The box transform ${JSON.stringify(transform)} cannot be undone.`,
        'Scales must be above 0 and paddings finite: describe how the image was resized and padded.');
    }
    this.#options = options;
    this.scoreThreshold = options.scoreThreshold ?? 0.001;
  }

  addCentered(cx: number, cy: number, w: number, h: number, classScores: Float64Array): void {
    this.addCorners(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, classScores);
  }

  addCorners(x1: number, y1: number, x2: number, y2: number, classScores: Float64Array): void {
    if (this.#options.multiLabel) {
      classScores.forEach((score, c) => this.#push(x1, y1, x2, y2, score, c));
      return;
    }
    let best = 0;
    for (let c = 1; c < classScores.length; c++) if (classScores[c] > classScores[best]) best = c;
    this.#push(x1, y1, x2, y2, classScores[best], best);
  }

  finish(): DecodedDetections {
    const { transform = { scaleX: 1, scaleY: 1, padX: 0, padY: 0 }, clipTo } = this.#options;
    const kept = classWiseNms(this.#corners, this.#scores, this.#classes, this.#options.iouThreshold ?? 0.6)
      .slice(0, this.#options.maxDetections ?? 100);
    const result: DecodedDetections = {
      boxes: new Float64Array(kept.length * 4),
      scores: Float64Array.from(kept, (i) => this.#scores[i]),
      classes: Int32Array.from(kept, (i) => this.#classes[i]),
    };
    const clip = (value: number, limit: number | undefined): number => (limit === undefined ? value : Math.min(Math.max(value, 0), limit));
    kept.forEach((index, k) => {
      const x1 = clip((this.#corners[index * 4] - transform.padX) / transform.scaleX, clipTo?.width);
      const y1 = clip((this.#corners[index * 4 + 1] - transform.padY) / transform.scaleY, clipTo?.height);
      const x2 = clip((this.#corners[index * 4 + 2] - transform.padX) / transform.scaleX, clipTo?.width);
      const y2 = clip((this.#corners[index * 4 + 3] - transform.padY) / transform.scaleY, clipTo?.height);
      result.boxes.set([x1, y1, x2 - x1, y2 - y1], k * 4);
    });
    return result;
  }

  #push(x1: number, y1: number, x2: number, y2: number, score: number, classIndex: number): void {
    if (!(score > this.scoreThreshold)) return;
    this.#corners.push(x1, y1, x2, y2);
    this.#scores.push(score);
    this.#classes.push(classIndex);
  }
}

/** [rows, columns] of a [1, rows, columns] or [rows, columns] output whose data has that many values. */
function matrixShape(data: ArrayLike<number>, dims: readonly number[], layout: string): [number, number] {
  const shape = dims.length === 3 && dims[0] === 1 ? dims.slice(1) : dims;
  if (shape.length !== 2 || shape[0] * shape[1] !== data.length) throw layoutError(layout, dims);
  return [shape[0], shape[1]];
}

function layoutError(layout: string, dims: readonly number[]): QuantLensError {
  return new QuantLensError('model-mismatch', `The detector output has shape [${dims.join(', ')}], which is not the ${layout} layout.`,
    'Choose the output layout that matches the model, and a batch size of 1.');
}
