/** Loads test/golden/detection-golden.json (written by tools/golden/make_golden_tasks.py) with its types. */
import { readFileSync } from 'node:fs';
import type { BoxTransform } from '../../../../../src/core/metrics/detection/index.ts';

export interface CocoGolden {
  name: string;
  numClasses: number;
  maxDetections: number;
  images: {
    detections: { boxes: number[]; scores: number[]; classes: number[] };
    groundTruth: { boxes: number[]; classes: number[]; crowd: boolean[] };
  }[];
  expected: {
    map: number; map50: number; map75: number; mar: number; evaluatedClassCount: number;
    /** null where pycocotools reports -1 (no ground truth). */
    ap: (number | null)[]; ap50: (number | null)[]; ap75: (number | null)[]; recall: (number | null)[];
  };
}

export interface NmsGolden {
  name: string;
  boxes: number[];
  scores: number[];
  classes: number[];
  iouThreshold: number;
  keep: number[];
}

export interface DecodeGolden {
  name: string;
  layout: 'yolov5' | 'yolov8' | 'ssd';
  dims: number[];
  output: number[];
  scoreDims?: number[];
  scores?: number[];
  options: {
    scoreThreshold: number; iouThreshold: number; maxDetections: number; multiLabel?: boolean;
    transform: BoxTransform; clipTo?: { width: number; height: number };
    inputWidth?: number; inputHeight?: number; scoresIncludeBackground?: boolean;
  };
  expected: { boxes: number[]; scores: number[]; classes: number[] };
}

export const detectionGolden = JSON.parse(
  readFileSync(new URL('../../../../golden/detection-golden.json', import.meta.url), 'utf8'),
) as { versions: Record<string, string>; coco: CocoGolden[]; nms: NmsGolden[]; decode: DecodeGolden[] };
