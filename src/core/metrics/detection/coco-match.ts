/**
 * Matching of one image and one class, as pycocotools' COCOeval.evaluateImg (bbox, area range
 * 'all'): detections best score first (stable), the top maxDetections kept; at each IoU threshold
 * every detection takes the unmatched ground truth with the highest IoU >= the threshold
 * (non-crowd ones first; a crowd region may match many detections, and those are ignored).
 */
import { cocoIou } from './iou.ts';

/** COCO's IoU thresholds, bit-identical to np.linspace(.5, .95, 10) as COCOeval's Params builds them. */
export const COCO_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 },
  (_, i) => (i === 9 ? 0.95 : i * ((0.95 - 0.5) / 9) + 0.5));

/** COCO's 101 recall points, bit-identical to np.linspace(0, 1, 101). */
export const COCO_RECALL_THRESHOLDS: readonly number[] = Array.from({ length: 101 },
  (_, i) => (i === 100 ? 1 : i * 0.01));

/** Bit t of a detection's flags: matched at threshold t; bit 16 + t: matched to a crowd region (ignored). */
export const IGNORED_SHIFT = 16;

/** Per-detection outcome of one image and class, best score first. */
export interface ImageClassMatches {
  scores: number[];
  flags: number[];
}

/**
 * Matches the given detections and ground truths (all of one class, indices into the image's
 * arrays). Ground truths must be ordered non-crowd first; detection indices in input order.
 */
export function matchImageClass(
  detectionBoxes: ArrayLike<number>,
  detectionScores: ArrayLike<number>,
  detectionIndices: number[],
  truthBoxes: ArrayLike<number>,
  truthIndices: number[],
  truthIsCrowd: boolean[],
  maxDetections: number,
): ImageClassMatches {
  // np.argsort(-scores, kind='mergesort'): stable, so equal scores keep their input order.
  const ordered = detectionIndices
    .map((index, position) => ({ index, position }))
    .sort((a, b) => detectionScores[b.index] - detectionScores[a.index] || a.position - b.position)
    .slice(0, maxDetections)
    .map((item) => item.index);

  const truthCount = truthIndices.length;
  const ious = new Float64Array(ordered.length * truthCount);
  ordered.forEach((d, row) => {
    for (let g = 0; g < truthCount; g++) {
      ious[row * truthCount + g] = cocoIou(detectionBoxes, d * 4, truthBoxes, truthIndices[g] * 4, truthIsCrowd[g]);
    }
  });

  const flags = new Array<number>(ordered.length).fill(0);
  const truthMatched = new Uint8Array(truthCount);
  COCO_IOU_THRESHOLDS.forEach((threshold, t) => {
    truthMatched.fill(0);
    for (let row = 0; row < ordered.length; row++) {
      let bestIou = Math.min(threshold, 1 - 1e-10);
      let match = -1;
      for (let g = 0; g < truthCount; g++) {
        if (truthMatched[g] && !truthIsCrowd[g]) continue;
        // Once matched to a regular object, never move to a crowd region (they come last).
        if (match > -1 && !truthIsCrowd[match] && truthIsCrowd[g]) break;
        const iou = ious[row * truthCount + g];
        if (iou < bestIou) continue;
        bestIou = iou;
        match = g;
      }
      if (match === -1) continue;
      truthMatched[match] = 1;
      flags[row] |= 1 << t;
      if (truthIsCrowd[match]) flags[row] |= 1 << (IGNORED_SHIFT + t);
    }
  });
  return { scores: ordered.map((d) => detectionScores[d]), flags };
}
