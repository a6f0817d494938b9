/** Object detection: COCO-style mAP, class-wise NMS and decoders for common output layouts. */
export type * from './types.ts';
export { DetectionAccumulator } from './coco-eval.ts';
export type { DetectionEvaluationOptions } from './coco-eval.ts';
export { COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS } from './coco-match.ts';
export { cocoIou, cornerIou } from './iou.ts';
export { classWiseNms } from './nms.ts';
export { decodeSsd, decodeYoloV5, decodeYoloV8, letterboxTransform, stretchTransform } from './decode.ts';
export type { DecodeOptions, SsdDecodeOptions } from './decode.ts';
