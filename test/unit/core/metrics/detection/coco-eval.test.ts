import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../../src/core/errors.ts';
import {
  COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, DetectionAccumulator, type ImageDetections, type ImageGroundTruth,
} from '../../../../../src/core/metrics/detection/index.ts';
import { expectClose } from '../golden.ts';
import { detectionGolden } from './golden.ts';

const xyxyToXywh = (boxes: number[][]): number[] => boxes.flatMap(([x1, y1, x2, y2]) => [x1, y1, x2 - x1, y2 - y1]);

function evaluate(numClasses: number, images: [ImageDetections, ImageGroundTruth][], maxDetections?: number) {
  const accumulator = new DetectionAccumulator(numClasses, { maxDetections });
  for (const [detections, truth] of images) accumulator.add(detections, truth);
  return accumulator.result();
}

describe('COCO thresholds', () => {
  it('are bit-identical to the np.linspace arrays of COCOeval Params', () => {
    expect(COCO_IOU_THRESHOLDS.map(String)).toEqual(['0.5', '0.55', '0.6', '0.65', '0.7', '0.75', '0.8', '0.85', '0.8999999999999999', '0.95']);
    expect(COCO_RECALL_THRESHOLDS).toHaveLength(101);
    expect(COCO_RECALL_THRESHOLDS[29]).toBe(0.29);
  });
});

describe('published pycocotools values', () => {
  // torchmetrics, src/torchmetrics/detection/mean_ap.py (MeanAveragePrecision docstring, pycocotools backend):
  // map 0.6000, map_50 1., map_75 1. The boxes overlap with IoU 304/392 = 0.776: matched at 0.50..0.75 only.
  it('torchmetrics MeanAveragePrecision docstring example: map 0.6, map_50 1, map_75 1', () => {
    const result = evaluate(1, [[
      { boxes: xyxyToXywh([[258, 41, 606, 285]]), scores: [0.536], classes: [0] },
      { boxes: xyxyToXywh([[214, 41, 562, 285]]), classes: [0] },
    ]]);
    expectClose(result.map, 0.6, 'map');
    expectClose(result.map50, 1, 'map_50');
    expectClose(result.map75, 1, 'map_75');
    expectClose(result.mar, 0.6, 'mar_100');
  });

  // torchmetrics, tests/unittests/detection/test_map.py: `_inputs4` (4 images from cocoapi's
  // results/instances_val2014_fakebbox100_results.json) and `_compare_fn`, which quotes pycocotools'
  // summary to 3 decimals: AP 0.706, AP50 0.901, AP75 0.846, AR@100 0.716, per class
  // [0.725, 0.800, 0.454, -1, 0.650, 0.900] (class 3 has a detection but no ground truth).
  it('torchmetrics test_map reference subset of COCO val2014 fake results', () => {
    const images: [ImageDetections, ImageGroundTruth][] = [
      [{ boxes: xyxyToXywh([[258.15, 41.29, 606.41, 285.07]]), scores: [0.236], classes: [4] },
        { boxes: xyxyToXywh([[214.15, 41.29, 562.41, 285.07]]), classes: [4] }],
      [{ boxes: xyxyToXywh([[61.0, 22.75, 565.0, 632.42], [12.66, 3.32, 281.26, 275.23]]), scores: [0.318, 0.726], classes: [3, 2] },
        { boxes: xyxyToXywh([[13.0, 22.75, 548.98, 632.42], [1.66, 3.32, 270.26, 275.23]]), classes: [2, 2] }],
      [{
        boxes: xyxyToXywh([[87.87, 276.25, 384.29, 379.43], [0.0, 3.66, 142.15, 316.06], [296.55, 93.96, 314.97, 152.79],
          [328.94, 97.05, 342.49, 122.98], [356.62, 95.47, 372.33, 147.55], [464.08, 105.09, 495.74, 146.99],
          [276.11, 103.84, 291.44, 150.72]]),
        scores: [0.546, 0.3, 0.407, 0.611, 0.335, 0.805, 0.953], classes: [4, 1, 0, 0, 0, 0, 0],
      }, {
        boxes: xyxyToXywh([[61.87, 276.25, 358.29, 379.43], [2.75, 3.66, 162.15, 316.06], [295.55, 93.96, 313.97, 152.79],
          [326.94, 97.05, 340.49, 122.98], [356.62, 95.47, 372.33, 147.55], [462.08, 105.09, 493.74, 146.99],
          [277.11, 103.84, 292.44, 150.72]]),
        classes: [4, 1, 0, 0, 0, 0, 0],
      }],
      [{ boxes: xyxyToXywh([[0.0, 2.87, 601.0, 421.52]]), scores: [0.423], classes: [5] },
        { boxes: xyxyToXywh([[13.99, 2.87, 640.0, 421.52]]), classes: [5] }],
    ];
    const result = evaluate(6, images);
    const rounded = (value: number): number => Math.round(value * 1000) / 1000;
    expect(rounded(result.map)).toBe(0.706);
    expect(rounded(result.map50)).toBe(0.901);
    expect(rounded(result.map75)).toBe(0.846);
    expect(rounded(result.mar)).toBe(0.716);
    expect(result.perClass.map((item) => (Number.isNaN(item.ap) ? -1 : rounded(item.ap)))).toEqual([0.725, 0.8, 0.454, -1, 0.65, 0.9]);
    expect(result.evaluatedClassCount).toBe(5);
  });
});

describe('hand-checked cases', () => {
  const truth = { boxes: [0, 0, 10, 10], classes: [0] };

  it('a false positive ranked above the true positive halves precision at every recall: AP = 0.5', () => {
    const result = evaluate(1, [[{ boxes: [50, 50, 10, 10, 0, 0, 10, 10], scores: [0.9, 0.8], classes: [0, 0] }, truth]]);
    // precision [0, 1/2] made non-increasing = [1/2, 1/2]; pycocotools' +eps makes it 1/(2+eps).
    expectClose(result.map, 0.5, 'AP');
    expect(result.perClass[0].detectionCount).toBe(2);
  });

  it('one of two objects found: precision 1 up to recall 0.5, i.e. 51 of the 101 points', () => {
    const result = evaluate(1, [[{ boxes: [0, 0, 10, 10], scores: [0.9], classes: [0] },
      { boxes: [0, 0, 10, 10, 30, 30, 5, 5], classes: [0, 0] }]]);
    expectClose(result.map, 51 / 101, 'AP');
    expectClose(result.mar, 0.5, 'recall');
  });

  it('a detection inside a crowd region is neither a true nor a false positive', () => {
    const crowdOnly = evaluate(1, [[{ boxes: [0, 0, 10, 10, 40, 40, 8, 8], scores: [0.9, 0.8], classes: [0, 0] },
      { boxes: [0, 0, 20, 20, 40, 40, 8, 8], classes: [0, 0], crowd: [true, false] }]]);
    expectClose(crowdOnly.map, 1, 'AP with the crowd detection ignored');
    expect(crowdOnly.groundTruthCount).toBe(1);
    expect(crowdOnly.crowdCount).toBe(1);
  });

  it('on equal IoU with two objects, takes the later one (evaluateImg only moves on a strictly lower IoU)', () => {
    // The first detection covers both objects with IoU exactly 0.5; taking the second object leaves
    // the first for the second detection, so both are true positives at IoU 0.5.
    const result = evaluate(1, [[{ boxes: [0, 0, 20, 10, 0, 0, 10, 10], scores: [0.9, 0.8], classes: [0, 0] },
      { boxes: [0, 0, 10, 10, 10, 0, 10, 10], classes: [0, 0] }]]);
    expectClose(result.map50, 1, 'AP50');
  });

  it('a class with no ground truth is NaN and left out of the mean (pycocotools: -1)', () => {
    const result = evaluate(2, [[{ boxes: [0, 0, 10, 10, 5, 5, 5, 5], scores: [0.9, 0.5], classes: [0, 1] }, truth]]);
    expect(result.perClass[1].ap).toBeNaN();
    expect(result.evaluatedClassCount).toBe(1);
    expectClose(result.map, 1, 'mAP over class 0 only');
  });

  it('keeps only the best maxDetections per image and class', () => {
    const boxes = Array.from({ length: 5 }, () => [50, 50, 10, 10]).flat().concat([0, 0, 10, 10]);
    const detections = { boxes, scores: [0.9, 0.8, 0.7, 0.6, 0.5, 0.1], classes: [0, 0, 0, 0, 0, 0] };
    expect(evaluate(1, [[detections, truth]], 5).map).toBe(0);
    expect(evaluate(1, [[detections, truth]], 6).perClass[0].detectionCount).toBe(6);
  });

  it('gives NaN, not an error, before any ground truth', () => {
    expect(new DetectionAccumulator(3).result().map).toBeNaN();
  });
});

describe.each(detectionGolden.coco)('against the NumPy port of pycocotools COCOeval: $name', (golden) => {
  const result = evaluate(golden.numClasses, golden.images.map((image) => [image.detections, image.groundTruth]), golden.maxDetections);
  const nanOrNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

  it('matches mAP@[.5:.95], mAP@.5, mAP@.75 and AR@100', () => {
    expect(result.evaluatedClassCount).toBe(golden.expected.evaluatedClassCount);
    for (const key of ['map', 'map50', 'map75', 'mar'] as const) {
      if (golden.expected[key] === 0) expect(result[key]).toBe(0);
      else expectClose(result[key], golden.expected[key], key);
    }
  });

  it('matches every class\'s AP, AP50, AP75 and recall (NaN where pycocotools has -1)', () => {
    result.perClass.forEach((item, c) => {
      for (const key of ['ap', 'ap50', 'ap75', 'recall'] as const) {
        const expected = golden.expected[key][c];
        if (expected === null || expected === 0) expect(nanOrNull(item[key])).toBe(expected);
        else expectClose(item[key], expected, `${key}[${c}]`);
      }
    });
  });
});

/** Images whose objects do not overlap each other, boxes [x, y, w, h] with positive sizes. */
const imagesArbitrary = fc.array(
  fc.array(fc.record({
    x: fc.integer({ min: 0, max: 500 }), y: fc.integer({ min: 0, max: 500 }),
    w: fc.integer({ min: 1, max: 80 }), h: fc.integer({ min: 1, max: 80 }), classIndex: fc.integer({ min: 0, max: 2 }),
  }), { maxLength: 8 }),
  { minLength: 1, maxLength: 8 },
);

function imagesWithScores(images: { x: number; y: number; w: number; h: number; classIndex: number }[][], jitter: number) {
  let next = 0;
  return images.map((objects): [ImageDetections, ImageGroundTruth] => {
    const boxes = objects.flatMap((o) => [o.x, o.y, o.w, o.h]);
    const classes = objects.map((o) => o.classIndex);
    // Distinct scores (pycocotools breaks ties between images by image order).
    const scores = objects.map(() => 1 - (next++ * 0.37 % 1) * 0.999);
    const moved = boxes.map((value, i) => (i % 4 === 0 ? value + jitter * (i % 3) : value));
    return [{ boxes: moved, scores, classes }, { boxes, classes }];
  });
}

describe('properties', () => {
  it('detections identical to the ground truth score mAP 1', () => {
    fc.assert(fc.property(imagesArbitrary, (images) => {
      const result = evaluate(3, imagesWithScores(images, 0));
      if (result.groundTruthCount === 0) {
        expect(result.map).toBeNaN();
        return;
      }
      expect(Math.abs(result.map - 1)).toBeLessThan(1e-12);
      expect(Math.abs(result.mar - 1)).toBeLessThan(1e-12);
    }));
  });

  it('the order of the images does not change mAP (distinct scores)', () => {
    fc.assert(fc.property(imagesArbitrary, fc.array(fc.double({ min: 0, max: 1, noNaN: true })), (images, keys) => {
      const scored = imagesWithScores(images, 7);
      const order = scored.map((_, i) => i).sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || b - a);
      const forwards = evaluate(3, scored);
      const shuffled = evaluate(3, order.map((i) => scored[i]));
      expect(shuffled.map).toBe(forwards.map);
      expect(shuffled.perClass).toEqual(forwards.perClass);
    }));
  });
});

describe('scale and errors', () => {
  it('handles 5,000 images of 30 detections each', () => {
    const accumulator = new DetectionAccumulator(80);
    const boxes = Array.from({ length: 30 }, (_, i) => [i * 20, i * 10, 18, 25]).flat();
    const classes = Array.from({ length: 30 }, (_, i) => i % 80);
    for (let image = 0; image < 5000; image++) {
      const scores = classes.map((_, i) => ((image * 31 + i * 17) % 997) / 997);
      accumulator.add({ boxes, scores, classes }, { boxes, classes });
    }
    const result = accumulator.result();
    expect(result.detectionCount).toBe(150_000);
    expectClose(result.map, 1, 'mAP');
  });

  it('rejects mismatched lengths, unknown classes and NaN', () => {
    const accumulator = new DetectionAccumulator(2);
    const truth = { boxes: [0, 0, 1, 1], classes: [0] };
    expect(() => accumulator.add({ boxes: [0, 0, 1], scores: [1], classes: [0] }, truth)).toThrow(QuantLensError);
    expect(() => accumulator.add({ boxes: [0, 0, 1, 1], scores: [1], classes: [2] }, truth)).toThrow(/not a class/);
    expect(() => accumulator.add({ boxes: [0, 0, 1, 1], scores: [Number.NaN], classes: [0] }, truth)).toThrow(/score/);
    expect(() => accumulator.add({ boxes: [0, 0, 1, 1], scores: [1, 2], classes: [0] }, truth)).toThrow(/scores/);
    expect(() => accumulator.add({ boxes: [], scores: [], classes: [] }, { ...truth, crowd: [] })).toThrow(/crowd/);
    expect(() => new DetectionAccumulator(0)).toThrow(QuantLensError);
    expect(accumulator.result().imageCount).toBe(0);
  });
});
