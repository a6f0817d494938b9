import { describe, expect, it } from 'vitest';
import { createTaskAccumulator, checkOutputsForTask, type DetectionOutcome, type EmbeddingOutcome, type SegmentationOutcome } from '../../../../src/core/tasks/index.ts';
import type { PreparedSample } from '../../../../src/core/eval/evaluate.ts';
import type { PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';

const spec = (size: number): PreprocessSpec => ({ height: size, width: size, resize: 'stretch', color: 'grayscale', scale: '0..1', mean: [0], std: [1], layout: 'NCHW', dtype: 'float32' });
const sample = (index: number, extra: Partial<PreparedSample>): PreparedSample => ({ index, label: null, input: new Float32Array(1), ...extra });

/** YOLOv8 layout [1, 4 + C, N], one candidate per column. */
function yolov8(boxes: { cx: number; cy: number; w: number; h: number; scores: number[] }[]) {
  const classes = boxes[0].scores.length;
  const n = boxes.length;
  const data = new Float32Array((4 + classes) * n);
  boxes.forEach((b, i) => {
    [b.cx, b.cy, b.w, b.h, ...b.scores].forEach((v, row) => (data[row * n + i] = v));
  });
  return [{ data, dims: [1, 4 + classes, n] }];
}

describe('detection task', () => {
  it('maps boxes back through the preprocessing and scores both models against the ground truth', () => {
    // 64x64 image stretched to a 32x32 input: input box (4,4)-(12,12) is (8,8)-(24,24) in the image.
    const task = createTaskAccumulator({ kind: 'detection', detection: { layout: 'yolov8' } }, ['a', 'b'], spec(32));
    const target = { kind: 'boxes' as const, boxes: Float32Array.of(8, 8, 16, 16), classes: Int32Array.of(1), crowd: Uint8Array.of(0), areas: Float32Array.of(256), imageId: 1 };
    const exact = yolov8([{ cx: 8, cy: 8, w: 8, h: 8, scores: [0.01, 0.9] }]);
    const shifted = yolov8([{ cx: 9, cy: 8, w: 8, h: 8, scores: [0.01, 0.8] }]); // IoU 0.6 after mapping: (10..26) vs (8..24) -> 14*16/(2*256-224)
    task.add(sample(0, { imageSize: { width: 64, height: 64 }, target }), exact, shifted);
    const outcome = task.finish() as DetectionOutcome;
    expect(outcome.metrics.map((m) => m.id)).toEqual(['map', 'map50', 'mar']);
    expect(outcome.float.map).toBeCloseTo(1, 12);
    expect(outcome.quantized.map50).toBeCloseTo(1, 12); // IoU 0.777 >= 0.5
    // IoU 224/288 = 0.7778: matched at thresholds .50 to .75 (6 of 10) -> AP 0.6.
    expect(outcome.quantized.map).toBeCloseTo(0.6, 12);
    expect(outcome.metrics[0].delta.absolutePoints).toBeCloseTo(-40, 10);
    expect(outcome.perClass!.rows).toEqual([{ classIndex: 1, support: 1, float: outcome.float.perClass[1].ap, quantized: outcome.quantized.perClass[1].ap }]);
  });

  it('refuses a sample without boxes, saying which dataset it needs', () => {
    const task = createTaskAccumulator({ kind: 'detection' }, ['a', 'b'], spec(32));
    expect(() => task.add(sample(3, { imageSize: { width: 4, height: 4 } }), yolov8([{ cx: 1, cy: 1, w: 1, h: 1, scores: [1, 0] }]), yolov8([{ cx: 1, cy: 1, w: 1, h: 1, scores: [1, 0] }]))).toThrow(/COCO JSON/);
  });
});

describe('segmentation task', () => {
  it('maps the 2x2 output onto the 4x4 mask (nearest) and counts IoU, pixel accuracy and agreement', () => {
    const task = createTaskAccumulator({ kind: 'segmentation' }, ['a', 'b'], spec(2));
    // Logits [1, 2, 2, 2]: class 1 wins in the top-left output pixel only (float); everywhere on the left (quantized).
    const logits = (ones: number[]) => [{ data: Float32Array.from([...[0, 1, 2, 3].map((p) => (ones.includes(p) ? 0 : 1)), ...[0, 1, 2, 3].map((p) => (ones.includes(p) ? 1 : 0))]), dims: [1, 2, 2, 2] }];
    const mask = new Uint8Array(16);
    for (const p of [0, 1, 4, 5]) mask[p] = 1; // top-left 2x2 block of the 4x4 mask is class 1
    mask[15] = 255; // not scored
    task.add(sample(0, { target: { kind: 'mask', width: 4, height: 4, data: mask } }), logits([0]), logits([0, 2]));
    const outcome = task.finish() as SegmentationOutcome;
    expect(outcome.float.pixelAccuracy).toBe(1);
    expect(outcome.float.meanIou).toBe(1);
    // Quantized marks the bottom-left block (4 pixels) as class 1 too: class 1 IoU 4/8, class 0 IoU 7/11.
    expect(outcome.quantized.pixelAccuracy).toBeCloseTo(11 / 15, 12);
    expect(outcome.quantized.meanIou).toBeCloseTo((4 / 8 + 7 / 11) / 2, 12);
    expect(outcome.agreement[0].value).toBe(3 / 4); // 3 of 4 output pixels agree
  });
});

describe('embedding task', () => {
  it('measures cosine between the models and same-class retrieval for each', () => {
    const task = createTaskAccumulator({ kind: 'embedding', retrieval: { ks: [1] } }, ['a', 'b'], spec(1));
    const vectors = [[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]];
    const quantizedVectors = [[1, 0], [0.2, 0.8], [0, 1], [0.1, 0.9]]; // sample 1 drifts towards class 1
    vectors.forEach((v, i) => task.add(sample(i, { label: i < 2 ? 0 : 1 }), [{ data: Float32Array.from(v), dims: [1, 2] }], [{ data: Float32Array.from(quantizedVectors[i]), dims: [1, 2] }]));
    const outcome = task.finish() as EmbeddingOutcome;
    expect(outcome.float!.recallAtK[0].value).toBe(1);
    expect(outcome.quantized!.recallAtK[0].value).toBe(0.75); // sample 1 now finds class 1 first
    expect(outcome.metrics[0].delta.absolutePoints).toBeCloseTo(-25, 12);
    expect(outcome.agreement[0].value).toBeLessThan(1);
  });
});

describe('output checks per task', () => {
  const out = (shape: (number | string)[]) => [{ name: 'y', dtype: 'float32', shape }];
  it('says plainly when outputs do not fit', () => {
    expect(checkOutputsForTask({ kind: 'classification' }, out(['N', 10]), 10)).toEqual([]);
    expect(checkOutputsForTask({ kind: 'classification' }, out(['N', 5]), 10)[0]).toMatch(/10 classes but output 'y' \[N, 5\] gives 5 scores/);
    expect(checkOutputsForTask({ kind: 'detection', detection: { layout: 'yolov8' } }, out([1, 14, 64]), 10)).toEqual([]);
    expect(checkOutputsForTask({ kind: 'detection', detection: { layout: 'yolov5' } }, out([1, 64, 14]), 10)[0]).toMatch(/holds 15 values per box; 'y' \[1, 64, 14\] holds 14/);
    expect(checkOutputsForTask({ kind: 'segmentation' }, out([1, 11, 28, 28]), 11)).toEqual([]);
    expect(checkOutputsForTask({ kind: 'segmentation' }, out([1, 10]), 11)[0]).toMatch(/\[1, C, H, W\]/);
  });
});
