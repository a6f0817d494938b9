import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { SegmentationAccumulator, argmaxClassMap } from '../../../../src/core/metrics/segmentation.ts';
import { expectClose } from './golden.ts';

interface SegmentationGolden {
  cases: {
    name: string;
    numClasses: number;
    ignoreIndex: number;
    images: { predicted: number[]; labels: number[] }[];
    expected: {
      confusionMatrix: number[][]; pixelCount: number; ignoredPixelCount: number;
      iou: (number | null)[]; accuracy: (number | null)[]; meanIou: number; meanClassAccuracy: number;
      pixelAccuracy: number; presentClassCount: number; absentClass: number;
    };
  }[];
  argmax: { numClasses: number; height: number; width: number; logits: (number | null)[]; classMap: number[] };
}

/** Written by tools/golden/make_golden_tasks.py: numpy.bincount confusion matrices, nanmean, argmax. */
const golden = JSON.parse(
  readFileSync(new URL('../../../golden/segmentation-tasks-golden.json', import.meta.url), 'utf8'),
) as SegmentationGolden;

describe.each(golden.cases)('against numpy (bincount confusion matrix): $name', (item) => {
  const accumulator = new SegmentationAccumulator(item.numClasses, { ignoreIndex: item.ignoreIndex });
  for (const image of item.images) accumulator.add(Uint8Array.from(image.predicted), Uint8Array.from(image.labels));
  const result = accumulator.result();
  const { expected } = item;

  it('counts the same confusion matrix and ignored pixels', () => {
    expect(result.confusionMatrix).toEqual(expected.confusionMatrix);
    expect(result.pixelCount).toBe(expected.pixelCount);
    expect(result.ignoredPixelCount).toBe(expected.ignoredPixelCount);
    expect(result.imageCount).toBe(item.images.length);
  });

  it('matches per-class IoU and accuracy (NaN for the absent class) and the means', () => {
    result.classes.forEach((entry, c) => {
      const iou = expected.iou[c];
      if (iou === null || iou === 0) expect(Number.isNaN(entry.iou) ? null : entry.iou).toBe(iou);
      else expectClose(entry.iou, iou, `IoU[${c}]`);
      const accuracy = expected.accuracy[c];
      if (accuracy === null || accuracy === 0) expect(Number.isNaN(entry.accuracy) ? null : entry.accuracy).toBe(accuracy);
      else expectClose(entry.accuracy, accuracy, `accuracy[${c}]`);
    });
    expect(result.classes[expected.absentClass].iou).toBeNaN();
    expect(result.presentClassCount).toBe(expected.presentClassCount);
    expectClose(result.meanIou, expected.meanIou, 'mIoU (nanmean)');
    expectClose(result.meanClassAccuracy, expected.meanClassAccuracy, 'mean class accuracy');
    expectClose(result.pixelAccuracy, expected.pixelAccuracy, 'pixel accuracy');
  });
});

describe('argmaxClassMap', () => {
  it('equals numpy.argmax(logits, axis=0), ties to the lower class and NaN first', () => {
    const { numClasses, height, width, logits, classMap } = golden.argmax;
    const values = Float32Array.from(logits, (value) => value ?? Number.NaN);
    expect(Array.from(argmaxClassMap(values, numClasses, height, width))).toEqual(classMap);
  });

  it('rejects a shape that does not fit', () => {
    expect(() => argmaxClassMap(new Float32Array(10), 3, 2, 2)).toThrow(QuantLensError);
  });
});

describe('SegmentationAccumulator', () => {
  it('hand-checked: 2 classes, one ignored pixel', () => {
    const accumulator = new SegmentationAccumulator(2);
    accumulator.add([0, 0, 1, 1, 1], [0, 1, 1, 255, 1]);
    const result = accumulator.result();
    expect(result.confusionMatrix).toEqual([[1, 0], [1, 2]]);
    expect(result.classes.map((c) => c.iou)).toEqual([1 / 2, 2 / 3]);
    expect(result.pixelAccuracy).toBe(3 / 4);
    expect(result.ignoredPixelCount).toBe(1);
  });

  it('mIoU of any class map with itself is 1', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 200 }), (map) => {
      const accumulator = new SegmentationAccumulator(6, { ignoreIndex: 5 });
      accumulator.add(map, map);
      const result = accumulator.result();
      if (map.every((value) => value === 5)) {
        expect(result.meanIou).toBeNaN();
        return;
      }
      expect(result.meanIou).toBe(1);
      expect(result.pixelAccuracy).toBe(1);
    }));
  });

  it('rejects unknown labels and predictions, leaving the counts untouched', () => {
    const accumulator = new SegmentationAccumulator(3);
    expect(() => accumulator.add([0, 1], [0, 7])).toThrow(/label map holds 7/);
    expect(() => accumulator.add([0, 3], [0, 1])).toThrow(/predicted class map holds 3/);
    expect(() => accumulator.add([0], [0, 1])).toThrow(QuantLensError);
    expect(accumulator.result().pixelCount).toBe(0);
    expect(accumulator.result().imageCount).toBe(0);
  });
});
