/**
 * Precision / recall of one class over all images, as pycocotools' COCOeval.accumulate: detections
 * of every image in one list sorted best score first (stable: ties keep image order, then in-image
 * order), cumulative true / false positives per IoU threshold, precision made non-increasing from
 * the right, then sampled at 101 recall points (0 beyond the highest recall reached).
 */
import { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, IGNORED_SHIFT } from './coco-match.ts';

/** np.spacing(1): pycocotools adds it to the denominator of precision. */
const SPACING_OF_ONE = Number.EPSILON;

/** Per-threshold AP (mean precision over the 101 recall points) and final recall of one class. */
export interface ClassPrecisionRecall {
  /** One value per IoU threshold. */
  averagePrecision: number[];
  recall: number[];
}

/** AP and recall at each COCO IoU threshold; null when the class has no non-crowd ground truth. */
export function accumulateClass(
  scores: Float64Array, flags: Uint32Array, groundTruthCount: number,
): ClassPrecisionRecall | null {
  if (groundTruthCount === 0) return null;
  const count = scores.length;
  const order = Uint32Array.from({ length: count }, (_, i) => i)
    .sort((a, b) => scores[b] - scores[a] || a - b);

  const recallCurve = new Float64Array(count);
  const precisionCurve = new Float64Array(count);
  const averagePrecision: number[] = [];
  const recall: number[] = [];
  COCO_IOU_THRESHOLDS.forEach((_, t) => {
    let truePositives = 0;
    let falsePositives = 0;
    for (let i = 0; i < count; i++) {
      const detectionFlags = flags[order[i]];
      const ignored = (detectionFlags >>> (IGNORED_SHIFT + t)) & 1;
      if (!ignored) {
        if ((detectionFlags >>> t) & 1) truePositives++;
        else falsePositives++;
      }
      recallCurve[i] = truePositives / groundTruthCount;
      precisionCurve[i] = truePositives / (falsePositives + truePositives + SPACING_OF_ONE);
    }
    for (let i = count - 1; i > 0; i--) {
      if (precisionCurve[i] > precisionCurve[i - 1]) precisionCurve[i - 1] = precisionCurve[i];
    }
    // np.searchsorted(recall, thresholds, side='left'): the first point whose recall reaches it.
    let sum = 0;
    let point = 0;
    for (const threshold of COCO_RECALL_THRESHOLDS) {
      while (point < count && recallCurve[point] < threshold) point++;
      if (point === count) break;
      sum += precisionCurve[point];
    }
    averagePrecision.push(sum / COCO_RECALL_THRESHOLDS.length);
    recall.push(count === 0 ? 0 : recallCurve[count - 1]);
  });
  return { averagePrecision, recall };
}
