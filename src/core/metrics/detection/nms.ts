/** Class-wise greedy non-maximum suppression, as torchvision.ops.batched_nms. */
import { QuantLensError } from '../../errors.ts';
import { cornerIou } from './iou.ts';

/**
 * Indices of the boxes kept, best score first (equal scores: lower index first). Within each class,
 * boxes are visited best first and a box is dropped when its IoU with a kept box of the same class
 * is above `iouThreshold` (strictly, as torchvision). Boxes are [x1, y1, x2, y2], 4 numbers each.
 */
export function classWiseNms(
  boxes: ArrayLike<number>, scores: ArrayLike<number>, classes: ArrayLike<number>, iouThreshold: number,
): Int32Array {
  const count = scores.length;
  if (boxes.length !== count * 4 || classes.length !== count) {
    throw new QuantLensError('invalid-input',
      `NMS got ${boxes.length} box numbers, ${count} scores and ${classes.length} classes.`,
      'Give 4 numbers per box and one score and one class per box.');
  }
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) {
    throw new QuantLensError('invalid-input', `The NMS IoU threshold must be between 0 and 1 (got ${iouThreshold}).`,
      'Use a value such as 0.45 or 0.7.');
  }
  const order = Int32Array.from({ length: count }, (_, i) => i)
    .sort((a, b) => scores[b] - scores[a] || a - b);
  const byClass = new Map<number, number[]>();
  for (const index of order) {
    const group = byClass.get(classes[index]);
    if (group) group.push(index);
    else byClass.set(classes[index], [index]);
  }

  const kept = new Uint8Array(count);
  for (const group of byClass.values()) {
    const suppressed = new Uint8Array(group.length);
    for (let i = 0; i < group.length; i++) {
      if (suppressed[i]) continue;
      kept[group[i]] = 1;
      for (let j = i + 1; j < group.length; j++) {
        if (!suppressed[j] && cornerIou(boxes, group[i] * 4, group[j] * 4) > iouThreshold) suppressed[j] = 1;
      }
    }
  }
  return order.filter((index) => kept[index] === 1);
}
