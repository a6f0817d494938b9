import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../../src/core/errors.ts';
import {
  classWiseNms, decodeSsd, decodeYoloV5, decodeYoloV8, letterboxTransform, stretchTransform, type DecodedDetections,
} from '../../../../../src/core/metrics/detection/index.ts';
import { expectClose } from '../golden.ts';
import { detectionGolden, type DecodeGolden } from './golden.ts';

describe.each(detectionGolden.nms)('classWiseNms against torchvision.ops.batched_nms (float64): $name', (golden) => {
  it('keeps exactly the same boxes, in the same order (best score first)', () => {
    const keep = classWiseNms(golden.boxes, golden.scores, golden.classes, golden.iouThreshold);
    expect(Array.from(keep)).toEqual(golden.keep);
  });
});

describe('classWiseNms', () => {
  it('suppresses only IoU strictly above the threshold, and only within a class', () => {
    // Boxes 0 and 1 overlap with IoU 0.5 exactly; box 2 equals box 0 but is another class.
    const boxes = [0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 10];
    expect(Array.from(classWiseNms(boxes, [0.9, 0.8, 0.7], [0, 0, 1], 0.5))).toEqual([0, 1, 2]);
    expect(Array.from(classWiseNms(boxes, [0.9, 0.8, 0.7], [0, 0, 1], 0.49))).toEqual([0, 2]);
  });

  it('rejects inconsistent inputs', () => {
    expect(() => classWiseNms([0, 0, 1], [1], [0], 0.5)).toThrow(QuantLensError);
    expect(() => classWiseNms([], [], [], 1.5)).toThrow(/threshold/);
  });
});

function decode(golden: DecodeGolden): DecodedDetections {
  if (golden.layout === 'yolov5') return decodeYoloV5(Float32Array.from(golden.output), golden.dims, golden.options);
  if (golden.layout === 'yolov8') return decodeYoloV8(Float32Array.from(golden.output), golden.dims, golden.options);
  const { inputWidth = 0, inputHeight = 0 } = golden.options;
  return decodeSsd(Float32Array.from(golden.output), golden.dims, Float32Array.from(golden.scores ?? []), golden.scoreDims ?? [],
    { ...golden.options, inputWidth, inputHeight });
}

describe.each(detectionGolden.decode)('decoders against a NumPy + torchvision reference: $name', (golden) => {
  const decoded = decode(golden);

  it('keeps the same detections, classes and scores in the same order', () => {
    expect(golden.expected.classes.length).toBeGreaterThan(0);
    expect(Array.from(decoded.classes)).toEqual(golden.expected.classes);
    decoded.scores.forEach((score, i) => expectClose(score, golden.expected.scores[i], `score ${i}`));
  });

  it('maps the boxes back to original-image pixels as [x, y, w, h]', () => {
    expect(decoded.boxes).toHaveLength(golden.expected.boxes.length);
    decoded.boxes.forEach((value, i) => {
      if (golden.expected.boxes[i] === 0) expect(value).toBe(0);
      else expectClose(value, golden.expected.boxes[i], `box value ${i}`);
    });
  });
});

describe('decoders, hand-checked', () => {
  it('YOLOv5: score = objectness × class score, best class, back through a letterbox', () => {
    // One box at the input centre, 640x640 letterbox of a 640x480 image (pad 80 above and below).
    const output = [320, 320, 100, 50, 0.5, 0.2, 0.9];
    const transform = letterboxTransform(640, 480, 640, 640);
    expect(transform).toEqual({ scaleX: 1, scaleY: 1, padX: 0, padY: 80 });
    const decoded = decodeYoloV5(output, [1, 1, 7], { transform, scoreThreshold: 0.25 });
    expect(Array.from(decoded.boxes)).toEqual([270, 215, 100, 50]);
    expect(decoded.scores[0]).toBe(0.45);
    expect(Array.from(decoded.classes)).toEqual([1]);
    expect(decodeYoloV5(output, [1, 1, 7], { scoreThreshold: 0.5 }).scores).toHaveLength(0);
  });

  it('YOLOv8: reads the transposed [1, 4 + C, N] layout and undoes a stretch', () => {
    // Two boxes; channels cx, cy, w, h, class 0, class 1.
    const output = [100, 300, 100, 300, 20, 40, 20, 40, 0.1, 0.8, 0.7, 0.05];
    const decoded = decodeYoloV8(output, [1, 6, 2], { transform: stretchTransform(200, 100, 400, 400) });
    expect(Array.from(decoded.classes)).toEqual([0, 1]);
    expect(Array.from(decoded.boxes)).toEqual([140, 70, 20, 10, 45, 22.5, 10, 5]);
  });

  it('SSD: normalized [ymin, xmin, ymax, xmax], background column skipped, clipped to the image', () => {
    const decoded = decodeSsd([0.1, -0.1, 0.5, 0.5], [1, 1, 4], [0.9, 0.2, 0.6], [1, 1, 3],
      { inputWidth: 300, inputHeight: 200, scoresIncludeBackground: true, clipTo: { width: 300, height: 200 } });
    expect(Array.from(decoded.classes)).toEqual([1]);
    expect(Array.from(decoded.boxes)).toEqual([0, 20, 150, 80]);
  });

  it('says which layout it expected when the shape does not fit', () => {
    expect(() => decodeYoloV5(new Float32Array(12), [1, 2, 7], {})).toThrow(/YOLOv5/);
    expect(() => decodeYoloV8(new Float32Array(8), [1, 4, 2], {})).toThrow(/YOLOv8/);
    expect(() => decodeSsd(new Float32Array(8), [1, 2, 4], new Float32Array(3), [1, 1, 3], { inputWidth: 1, inputHeight: 1 }))
      .toThrow(QuantLensError);
    expect(() => decodeYoloV5(new Float32Array(7), [1, 1, 7], { transform: { scaleX: 0, scaleY: 1, padX: 0, padY: 0 } }))
      .toThrow(/cannot be undone/);
  });
});
