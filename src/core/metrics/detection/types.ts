/** Types shared by the detection decoders, NMS and the COCO-style evaluation. */

/**
 * One image's detections: `boxes` holds 4 numbers per detection in COCO's [x, y, width, height]
 * (top-left corner, pixels of the original image), `scores` and `classes` one number each.
 */
export interface ImageDetections {
  boxes: ArrayLike<number>;
  scores: ArrayLike<number>;
  classes: ArrayLike<number>;
}

/** One image's ground-truth objects, boxes as in ImageDetections; `crowd` marks COCO `iscrowd` regions. */
export interface ImageGroundTruth {
  boxes: ArrayLike<number>;
  classes: ArrayLike<number>;
  crowd?: ArrayLike<boolean | number>;
}

/** Average precision of one class; NaN where the class has no (non-crowd) ground truth. */
export interface DetectionClassResult {
  classIndex: number;
  /** Non-crowd ground-truth objects of this class. */
  groundTruthCount: number;
  /** Detections of this class that were evaluated (after the per-image cap). */
  detectionCount: number;
  /** AP averaged over IoU 0.50:0.05:0.95 (COCO's AP). */
  ap: number;
  ap50: number;
  ap75: number;
  /** Recall with up to maxDetections per image, averaged over the 10 IoU thresholds (COCO's AR@100). */
  recall: number;
}

/** COCO-style box evaluation of one model over a dataset (area range 'all' only). */
export interface DetectionResult {
  imageCount: number;
  /** Detections evaluated, after keeping the top maxDetections per image and class. */
  detectionCount: number;
  /** Non-crowd ground-truth objects. */
  groundTruthCount: number;
  crowdCount: number;
  maxDetections: number;
  /** mAP@[.5:.95]: mean AP over the classes that have ground truth; NaN when none has. */
  map: number;
  /** mAP at IoU 0.5 (PASCAL-style threshold, COCO interpolation). */
  map50: number;
  map75: number;
  /** Mean recall (COCO's AR@maxDetections) over the same classes. */
  mar: number;
  /** Classes included in the means (pycocotools shows -1 for the others). */
  evaluatedClassCount: number;
  perClass: DetectionClassResult[];
}

/**
 * How the preprocessing mapped original-image pixels to model-input pixels:
 * input = original * scale + pad (letterbox: uniform scale, then padding on the left / top).
 */
export interface BoxTransform {
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}

/** Detections after decoding and NMS, in original-image pixels, best score first. */
export interface DecodedDetections extends ImageDetections {
  boxes: Float64Array;
  scores: Float64Array;
  classes: Int32Array;
}
