/**
 * Streaming COCO-style box evaluation (pycocotools COCOeval, iouType 'bbox'). Each image is matched
 * when it is added; only a score and a 32-bit match mask per kept detection are stored (12 bytes),
 * so 5,000 images with 100 detections each need 6 to 12 MB (arrays grow by doubling).
 *
 * Differences from pycocotools, by design: only the area range 'all' (no small / medium / large);
 * ground-truth areas are not used (COCO's 'all' range only drops objects above 1e10 px²); classes
 * without ground truth give NaN where pycocotools gives -1; images are ordered as they were added
 * (pycocotools orders them by image id), which only matters for equal scores in different images.
 */
import { QuantLensError } from '../../errors.ts';
import { accumulateClass } from './coco-accumulate.ts';
import { COCO_IOU_THRESHOLDS, matchImageClass } from './coco-match.ts';
import { GrowableArray } from '../growable.ts';
import type { DetectionClassResult, DetectionResult, ImageDetections, ImageGroundTruth } from './types.ts';

/** Options of DetectionAccumulator. */
export interface DetectionEvaluationOptions {
  /** Detections kept per image and class, best first (COCO: 100). */
  maxDetections?: number;
}

interface ClassStore {
  scores: GrowableArray<'float64'>;
  flags: GrowableArray<'uint32'>;
  groundTruthCount: number;
}

const AP50_INDEX = 0;
const AP75_INDEX = COCO_IOU_THRESHOLDS.indexOf(0.75);

/** Accumulates one model's detections against ground truth, image by image. */
export class DetectionAccumulator {
  readonly #numClasses: number;
  readonly #maxDetections: number;
  readonly #classes: ClassStore[] = [];
  #imageCount = 0;
  #crowdCount = 0;

  constructor(numClasses: number, options: DetectionEvaluationOptions = {}) {
    const maxDetections = options.maxDetections ?? 100;
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new QuantLensError('invalid-input', `A detector needs at least 1 class (got ${numClasses}).`,
        'Check the number of classes the model detects.');
    }
    if (!Number.isInteger(maxDetections) || maxDetections < 1) {
      throw new QuantLensError('invalid-input', `The detections kept per image must be a whole number above 0 (got ${maxDetections}).`,
        'Use 100, as COCO does.');
    }
    this.#numClasses = numClasses;
    this.#maxDetections = maxDetections;
    for (let c = 0; c < numClasses; c++) {
      this.#classes.push({ scores: new GrowableArray('float64', 4), flags: new GrowableArray('uint32', 4), groundTruthCount: 0 });
    }
  }

  /** Adds one image's detections and its ground truth (boxes [x, y, w, h] in the same pixels). */
  add(detections: ImageDetections, groundTruth: ImageGroundTruth): void {
    const detectionCount = checkBoxes(detections.boxes, detections.classes, 'detections', this.#numClasses);
    if (detections.scores.length !== detectionCount) {
      throw new QuantLensError('invalid-input', `An image has ${detectionCount} detection boxes but ${detections.scores.length} scores.`,
        'Give one score per detection box.');
    }
    for (let i = 0; i < detectionCount; i++) {
      if (!Number.isFinite(detections.scores[i])) {
        throw new QuantLensError('invalid-input', `A detection score is ${detections.scores[i]}.`,
          'Scores must be finite numbers; check the model output decoding.');
      }
    }
    const truthCount = checkBoxes(groundTruth.boxes, groundTruth.classes, 'ground truth', this.#numClasses);
    const crowd = groundTruth.crowd;
    if (crowd !== undefined && crowd.length !== truthCount) {
      throw new QuantLensError('dataset-invalid', `An image has ${truthCount} ground-truth boxes but ${crowd.length} crowd flags.`,
        'Give one crowd flag per ground-truth box, or none.');
    }

    const detectionsByClass = groupByClass(detections.classes, detectionCount);
    const truthsByClass = groupByClass(groundTruth.classes, truthCount);
    const isCrowd = (g: number): boolean => crowd !== undefined && Boolean(crowd[g]);
    for (const classIndex of new Set([...detectionsByClass.keys(), ...truthsByClass.keys()])) {
      const truths = truthsByClass.get(classIndex) ?? [];
      // COCOeval sorts ground truth by its ignore flag (stable): regular objects, then crowd regions.
      const orderedTruths = [...truths.filter((g) => !isCrowd(g)), ...truths.filter(isCrowd)];
      const truthIsCrowd = orderedTruths.map(isCrowd);
      const store = this.#classes[classIndex];
      const regular = truthIsCrowd.filter((value) => !value).length;
      store.groundTruthCount += regular;
      this.#crowdCount += orderedTruths.length - regular;
      const matches = matchImageClass(detections.boxes, detections.scores, detectionsByClass.get(classIndex) ?? [],
        groundTruth.boxes, orderedTruths, truthIsCrowd, this.#maxDetections);
      matches.scores.forEach((score, i) => {
        store.scores.push(score);
        store.flags.push(matches.flags[i]);
      });
    }
    this.#imageCount++;
  }

  /** mAP@[.5:.95], mAP@.5, mAP@.75, mean recall and per-class AP so far. */
  result(): DetectionResult {
    const perClass: DetectionClassResult[] = this.#classes.map((store, classIndex) => {
      const curves = accumulateClass(store.scores.view(), store.flags.view(), store.groundTruthCount);
      return {
        classIndex,
        groundTruthCount: store.groundTruthCount,
        detectionCount: store.scores.length,
        ap: curves ? mean(curves.averagePrecision) : Number.NaN,
        ap50: curves ? curves.averagePrecision[AP50_INDEX] : Number.NaN,
        ap75: curves ? curves.averagePrecision[AP75_INDEX] : Number.NaN,
        recall: curves ? mean(curves.recall) : Number.NaN,
      };
    });
    const evaluated = perClass.filter((item) => item.groundTruthCount > 0);
    return {
      imageCount: this.#imageCount,
      detectionCount: perClass.reduce((sum, item) => sum + item.detectionCount, 0),
      groundTruthCount: perClass.reduce((sum, item) => sum + item.groundTruthCount, 0),
      crowdCount: this.#crowdCount,
      maxDetections: this.#maxDetections,
      map: mean(evaluated.map((item) => item.ap)),
      map50: mean(evaluated.map((item) => item.ap50)),
      map75: mean(evaluated.map((item) => item.ap75)),
      mar: mean(evaluated.map((item) => item.recall)),
      evaluatedClassCount: evaluated.length,
      perClass,
    };
  }
}

function checkBoxes(boxes: ArrayLike<number>, classes: ArrayLike<number>, what: string, numClasses: number): number {
  const count = classes.length;
  if (boxes.length !== count * 4) {
    throw new QuantLensError('invalid-input', `The ${what} of an image have ${boxes.length} box numbers for ${count} classes.`,
      'Give 4 numbers [x, y, width, height] per box and one class per box.');
  }
  for (let i = 0; i < boxes.length; i++) {
    if (!Number.isFinite(boxes[i])) {
      throw new QuantLensError('invalid-input', `A box coordinate of the ${what} is ${boxes[i]}.`,
        'Box coordinates must be finite numbers; check the decoding of the model output.');
    }
  }
  for (let i = 0; i < count; i++) {
    const classIndex = classes[i];
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= numClasses) {
      throw new QuantLensError(what === 'detections' ? 'model-mismatch' : 'dataset-invalid',
        `The class ${classIndex} of the ${what} is not a class of this detector (0 to ${numClasses - 1}).`,
        'Check that the model\'s classes and the dataset\'s classes use the same indices.');
    }
  }
  return count;
}

function groupByClass(classes: ArrayLike<number>, count: number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const group = groups.get(classes[i]);
    if (group) group.push(i);
    else groups.set(classes[i], [i]);
  }
  return groups;
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
