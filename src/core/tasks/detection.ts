/**
 * Detection: each model's outputs decoded (YOLOv5, YOLOv8 or SSD layout, with NMS), mapped back to
 * the original image through the preprocessing geometry, scored COCO-style against the ground
 * truth; agreement = the quantized model's mAP with the float model's detections as ground truth.
 */
import { QuantLensError } from '../errors.ts';
import type { OutputTensor, PreparedSample } from '../eval/evaluate.ts';
import { DetectionAccumulator, decodeSsd, decodeYoloV5, decodeYoloV8, metricDelta } from '../metrics/index.ts';
import type { DecodedDetections, DetectionResult, ImageGroundTruth } from '../metrics/index.ts';
import { planResize } from '../preprocess/resize.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { PairAccumulator, TaskOutcome, TaskSettings } from './types.ts';
import { checkSnapshot, type SnapshotHeader } from './snapshot.ts';

export interface DetectionOutcome extends TaskOutcome {
  kind: 'detection';
  float: DetectionResult;
  quantized: DetectionResult;
  /** The quantized model scored against the float model's detections. */
  versusFloat: DetectionResult;
}

type Layout = NonNullable<TaskSettings['detection']>;

/** One image as scored: both models' decoded detections and the ground truth. */
interface ScoredImage {
  float: DecodedDetections;
  quantized: DecodedDetections;
  truth: { boxes: Float32Array; classes: Int32Array; crowd: Uint8Array };
}

/**
 * The matcher keeps only scores and match flags, so a checkpoint keeps what it was given, image by
 * image (decoded boxes after NMS: 44 bytes per detection per model), and restore scores them again.
 */
export interface DetectionSnapshot extends SnapshotHeader {
  kind: 'detection';
  images: ScoredImage[];
}

export class DetectionPair implements PairAccumulator<DetectionOutcome> {
  readonly #float: DetectionAccumulator;
  readonly #quantized: DetectionAccumulator;
  readonly #versusFloat: DetectionAccumulator;
  readonly #images: ScoredImage[] = [];

  constructor(
    readonly numClasses: number,
    readonly spec: PreprocessSpec,
    readonly layout: Layout,
  ) {
    this.#float = new DetectionAccumulator(numClasses);
    this.#quantized = new DetectionAccumulator(numClasses);
    this.#versusFloat = new DetectionAccumulator(numClasses);
  }

  add(sample: PreparedSample, floatOutputs: OutputTensor[], quantizedOutputs: OutputTensor[]): void {
    const target = sample.target;
    if (target?.kind !== 'boxes' || !sample.imageSize) {
      throw new QuantLensError('dataset-invalid', `Sample ${sample.index} has no boxes to compare with: the detection task needs a dataset with boxes (COCO JSON).`, 'Import a detection dataset (COCO JSON with its images) for the detection task.');
    }
    const float = this.#decode(floatOutputs, sample.imageSize);
    const quantized = this.#decode(quantizedOutputs, sample.imageSize);
    this.#score({ float, quantized, truth: { boxes: Float32Array.from(target.boxes), classes: Int32Array.from(target.classes), crowd: Uint8Array.from(target.crowd) } });
  }

  #score(image: ScoredImage): void {
    const truth: ImageGroundTruth = image.truth;
    this.#float.add(image.float, truth);
    this.#quantized.add(image.quantized, truth);
    this.#versusFloat.add(image.quantized, { boxes: image.float.boxes, classes: image.float.classes });
    this.#images.push(image);
  }

  snapshot(): DetectionSnapshot {
    return { kind: 'detection', version: 1, images: this.#images.slice() };
  }

  restore(state: DetectionSnapshot): void {
    if (this.#images.length > 0) throw new Error('restore needs a fresh accumulator');
    for (const image of checkSnapshot<DetectionSnapshot>(state, 'detection').images) this.#score(image);
  }

  #decode(outputs: OutputTensor[], image: { width: number; height: number }): DecodedDetections {
    const plan = planResize(image.height, image.width, this.spec);
    const transform = { scaleX: plan.resizedWidth / image.width, scaleY: plan.resizedHeight / image.height, padX: -plan.cropLeft, padY: -plan.cropTop };
    const options = {
      transform,
      clipTo: image,
      ...(this.layout.scoreThreshold !== undefined ? { scoreThreshold: this.layout.scoreThreshold } : {}),
      ...(this.layout.iouThreshold !== undefined ? { iouThreshold: this.layout.iouThreshold } : {}),
      ...(this.layout.maxDetections !== undefined ? { maxDetections: this.layout.maxDetections } : {}),
    };
    const [first, second] = outputs;
    switch (this.layout.layout) {
      case 'yolov5': return decodeYoloV5(first.data, first.dims, options);
      case 'yolov8': return decodeYoloV8(first.data, first.dims, options);
      case 'ssd': {
        if (!second) throw new QuantLensError('model-mismatch', 'An SSD-style model needs two outputs (boxes, scores).', 'Pick another output layout.');
        return decodeSsd(first.data, first.dims, second.data, second.dims, { ...options, inputWidth: this.spec.width, inputHeight: this.spec.height, scoresIncludeBackground: this.layout.ssdBackgroundClass ?? false });
      }
    }
  }

  finish(): DetectionOutcome {
    const float = this.#float.result();
    const quantized = this.#quantized.result();
    const versusFloat = this.#versusFloat.result();
    return {
      kind: 'detection',
      metrics: [
        { id: 'map', name: 'mAP@[.5:.95]', unit: 'proportion', delta: metricDelta(float.map, quantized.map) },
        { id: 'map50', name: 'mAP@.5', unit: 'proportion', delta: metricDelta(float.map50, quantized.map50) },
        { id: 'mar', name: 'AR@100', unit: 'proportion', delta: metricDelta(float.mar, quantized.mar) },
      ],
      agreement: [
        { id: 'map-vs-float', name: 'mAP@.5 of quantized vs float detections', value: versusFloat.map50, unit: 'proportion', detail: 'Scores the quantized model with the float model\'s detections as ground truth: 100% = it finds the same boxes.' },
      ],
      perClass: {
        metricName: 'AP@[.5:.95]',
        rows: float.perClass.filter((c) => c.groundTruthCount > 0).map((c) => ({ classIndex: c.classIndex, support: c.groundTruthCount, float: c.ap, quantized: quantized.perClass[c.classIndex].ap })),
      },
      float,
      quantized,
      versusFloat,
    };
  }
}
