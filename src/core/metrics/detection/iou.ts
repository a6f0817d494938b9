/**
 * Box overlap exactly as the two reference libraries compute it, operation for operation, so that
 * results agree to the last bit: pycocotools' bbIou (maskApi.c, [x, y, w, h], no +1) and
 * torchvision's nms kernel ([x1, y1, x2, y2]).
 */

/**
 * IoU of detection d and ground truth g (offsets into [x, y, w, h] arrays), as pycocotools' bbIou:
 * for a crowd ground truth the union is the detection's own area.
 */
export function cocoIou(
  detections: ArrayLike<number>, d: number, truths: ArrayLike<number>, g: number, crowd: boolean,
): number {
  const dx = detections[d], dy = detections[d + 1], dw = detections[d + 2], dh = detections[d + 3];
  const gx = truths[g], gy = truths[g + 1], gw = truths[g + 2], gh = truths[g + 3];
  const width = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (width <= 0) return 0;
  const height = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (height <= 0) return 0;
  const intersection = width * height;
  const detectionArea = dw * dh;
  const union = crowd ? detectionArea : detectionArea + gw * gh - intersection;
  return intersection / union;
}

/** IoU of boxes a and b (offsets into one [x1, y1, x2, y2] array), as torchvision's nms kernel. */
export function cornerIou(boxes: ArrayLike<number>, a: number, b: number): number {
  const ax1 = boxes[a], ay1 = boxes[a + 1], ax2 = boxes[a + 2], ay2 = boxes[a + 3];
  const bx1 = boxes[b], by1 = boxes[b + 1], bx2 = boxes[b + 2], by2 = boxes[b + 3];
  const width = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const height = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const intersection = width * height;
  const areaA = (ax2 - ax1) * (ay2 - ay1);
  const areaB = (bx2 - bx1) * (by2 - by1);
  return intersection / (areaA + areaB - intersection);
}
