import { describe, expect, it } from 'vitest';
import type { ClassificationSnapshot } from '../../../../src/core/tasks/classification.ts';
import { createTaskAccumulator, type ClassificationOutcome, type PairAccumulator, type TaskSettings } from '../../../../src/core/tasks/index.ts';
import type { OutputTensor, PreparedSample } from '../../../../src/core/eval/evaluate.ts';
import type { PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';
import { SeededRandom } from '../../../../src/core/stats/random.ts';
import { cosineSimilarity, SegmentationAccumulator } from '../../../../src/core/metrics/index.ts';
import { replaySegmentationCounts, segmentationCounts, vectorsWithCosine } from '../../../../src/core/tasks/snapshot.ts';

// A checkpoint must be invisible in the result: finish() after snapshot → structured clone (what
// IndexedDB stores) → restore into a fresh accumulator → the remaining samples equals finish() of
// one accumulator that saw every sample.

const spec = (size: number): PreprocessSpec => ({ height: size, width: size, resize: 'stretch', color: 'grayscale', scale: '0..1', mean: [0], std: [1], layout: 'NCHW', dtype: 'float32' });

interface Step {
  sample: PreparedSample;
  float: OutputTensor[];
  quantized: OutputTensor[];
}

function roundTrip(make: () => PairAccumulator, steps: Step[], cut: number) {
  const whole = make();
  for (const s of steps) whole.add(s.sample, s.float, s.quantized);
  const first = make();
  for (const s of steps.slice(0, cut)) first.add(s.sample, s.float, s.quantized);
  const saved = first.snapshot!();
  const stored = structuredClone(saved);
  // Detached: what comes after the checkpoint does not leak into it.
  for (const s of steps.slice(cut)) first.add(s.sample, s.float, s.quantized);
  expect(structuredClone(saved)).toEqual(stored);
  const resumed = make();
  resumed.restore!(stored);
  for (const s of steps.slice(cut)) resumed.add(s.sample, s.float, s.quantized);
  return { expected: whole.finish(), actual: resumed.finish(), whole, resumed };
}

function classificationSteps(count: number, classes: number, seed: number): Step[] {
  const random = new SeededRandom(seed);
  const tags = ['day', 'night'];
  return Array.from({ length: count }, (_, index) => {
    const label = index % 7 === 3 ? null : random.nextIndex(classes);
    const scores = () => [{ data: Float32Array.from({ length: classes }, (_, c) => random.nextFloat() + (c === label ? 0.6 : 0)), dims: [1, classes] }];
    const float = scores();
    // The quantized scores: the float ones, perturbed (so they mostly agree), ties included now and then.
    const quantized = [{ data: float[0].data.map((v) => (index % 11 === 0 ? Math.round(v) : v + (random.nextFloat() - 0.5) * 0.3)), dims: [1, classes] }];
    const size = 16 + random.nextIndex(200);
    return { sample: { index, label, input: new Float32Array(1), imageSize: { width: size, height: size }, tags: { light: tags[index % 2] } }, float, quantized };
  });
}

describe('classification snapshot', () => {
  const steps = classificationSteps(300, 12, 3);
  it.each([0, 1, 64, 150, 299, 300])('resumes after %i samples with the same result', (cut) => {
    const { expected, actual } = roundTrip(() => createTaskAccumulator({ kind: 'classification', topK: 3 }, Array.from({ length: 12 }, (_, i) => `class ${i}`), spec(1)), steps, cut);
    expect(actual).toEqual(expected);
  });

  it('reads checkpoints of layout 1 (segment samples as objects), written before the columns', () => {
    const make = () => createTaskAccumulator({ kind: 'classification', topK: 3 }, Array.from({ length: 12 }, (_, i) => `class ${i}`), spec(1));
    const whole = make();
    for (const s of steps) whole.add(s.sample, s.float, s.quantized);
    const first = make();
    for (const s of steps.slice(0, 150)) first.add(s.sample, s.float, s.quantized);
    const { segments, ...rest } = first.snapshot!() as ClassificationSnapshot;
    expect(segments!.tagSets).toEqual([{ light: 'day' }, { light: 'night' }]); // each distinct tag record once
    // Layout 1, as the previous version stored it: one object per labelled sample.
    const labelled = steps.slice(0, 150).filter((s) => s.sample.label !== null);
    const segmentSamples = Array.from(segments!.labels, (label, i) => ({
      label, floatCorrect: segments!.floatCorrect[i] === 1, quantizedCorrect: segments!.quantizedCorrect[i] === 1,
      size: labelled[i].sample.imageSize!, tags: labelled[i].sample.tags!,
    }));
    const resumed = make();
    resumed.restore!(structuredClone({ ...rest, version: 1, segmentSamples }));
    for (const s of steps.slice(150)) resumed.add(s.sample, s.float, s.quantized);
    expect(resumed.finish()).toEqual(whole.finish());
  });

  it('keeps a label mapping\'s effect: mapped labels and the unmapped count', () => {
    // Dataset classes 0..11 → outputs reversed, with classes 5 and 6 unmapped.
    const labelMap = Int32Array.from({ length: 12 }, (_, d) => (d === 5 || d === 6 ? -1 : 11 - d));
    const make = () => createTaskAccumulator({ kind: 'classification', topK: 3, labelMap, labelMapClassNames: Array.from({ length: 12 }, (_, i) => `out ${i}`) }, [], spec(1));
    const { expected, actual } = roundTrip(make, steps, 150);
    expect((expected as ClassificationOutcome).unmappedSamples).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });

  it('keeps the early verdict: it settles on the same sample as an uninterrupted run', () => {
    const settings: TaskSettings = { kind: 'classification', earlyVerdict: { mode: 'points', threshold: 40 } };
    const make = () => createTaskAccumulator(settings, [], spec(1));
    const probe = make();
    let settledAt = -1;
    steps.forEach((s, i) => {
      probe.add(s.sample, s.float, s.quantized);
      if (settledAt < 0 && probe.settled!()) settledAt = i;
    });
    expect(settledAt).toBeGreaterThan(10);
    const { expected, actual, resumed } = roundTrip(make, steps.slice(0, settledAt + 1), Math.floor(settledAt / 2));
    expect(resumed.settled!()).toEqual(probe.settled!());
    expect(actual).toEqual(expected);
  });

  it('refuses another task\'s checkpoint', () => {
    const task = createTaskAccumulator({ kind: 'classification' }, [], spec(1));
    expect(() => task.restore!({ kind: 'embedding', version: 1 })).toThrow(/not one of a classification run/);
  });
});

/** YOLOv8 layout [1, 4 + C, N]: around each box (image pixels, 64 → 32 input), jittered, plus one stray candidate. */
function yolov8(random: SeededRandom, boxes: Float32Array, classes: Int32Array, classCount: number): OutputTensor[] {
  const candidates = classes.length + 1;
  const data = new Float32Array((4 + classCount) * candidates);
  for (let i = 0; i < candidates; i++) {
    const real = i < classes.length;
    const [x, y, w, h] = real ? boxes.subarray(4 * i, 4 * i + 4) : [random.nextFloat() * 40, random.nextFloat() * 40, 12, 12];
    const jitter = () => (random.nextFloat() - 0.5) * 3;
    const values = [(x + w / 2) / 2 + jitter(), (y + h / 2) / 2 + jitter(), w / 2 + jitter(), h / 2 + jitter(), ...Array.from({ length: classCount }, (_, c) => (real && c === classes[i] ? 0.5 : 0) + random.nextFloat() * 0.5)];
    values.forEach((v, row) => (data[row * candidates + i] = v));
  }
  return [{ data, dims: [1, 4 + classCount, candidates] }];
}

describe('detection snapshot', () => {
  it('resumes with the same COCO-style result', () => {
    const random = new SeededRandom(5);
    const steps: Step[] = Array.from({ length: 40 }, (_, index) => {
      const n = 1 + random.nextIndex(3);
      const boxes = Float32Array.from({ length: 4 * n }, (_, k) => (k % 4 < 2 ? random.nextFloat() * 40 : 8 + random.nextFloat() * 16));
      const classes = Int32Array.from({ length: n }, () => random.nextIndex(3));
      const target = { kind: 'boxes' as const, boxes, classes, crowd: Uint8Array.from({ length: n }, (_, k) => (index % 9 === 0 && k === 0 ? 1 : 0)), areas: new Float32Array(n), imageId: index };
      return { sample: { index, label: null, input: new Float32Array(1), imageSize: { width: 64, height: 64 }, target }, float: yolov8(random, boxes, classes, 3), quantized: yolov8(random, boxes, classes, 3) };
    });
    const make = () => createTaskAccumulator({ kind: 'detection', detection: { layout: 'yolov8', scoreThreshold: 0.2 } }, ['a', 'b', 'c'], spec(32));
    for (const cut of [0, 17, 40]) {
      const { expected, actual } = roundTrip(make, steps, cut);
      expect(actual).toEqual(expected);
      expect(expected.metrics[0].delta.float).toBeGreaterThan(0); // detections were matched: not a vacuous comparison
    }
  });
});

describe('segmentation snapshot', () => {
  it('resumes with the same confusion counts, image count and ignored pixels', () => {
    const random = new SeededRandom(9);
    const logits = () => [{ data: Float32Array.from({ length: 3 * 2 * 2 }, () => random.nextFloat()), dims: [1, 3, 2, 2] }];
    const steps: Step[] = Array.from({ length: 25 }, (_, index) => {
      const data = Uint8Array.from({ length: 16 }, () => (random.nextIndex(10) === 0 ? 255 : random.nextIndex(3)));
      return { sample: { index, label: null, input: new Float32Array(1), target: { kind: 'mask' as const, width: 4, height: 4, data } }, float: logits(), quantized: logits() };
    });
    for (const cut of [0, 1, 12, 25]) {
      const { expected, actual } = roundTrip(() => createTaskAccumulator({ kind: 'segmentation' }, ['a', 'b', 'c'], spec(2)), steps, cut);
      expect(actual).toEqual(expected);
    }
  });

  it('replays counts in exactly as many adds as there were images, whatever the sizes', () => {
    const original = new SegmentationAccumulator(4, { ignoreIndex: 9 });
    original.add(Int32Array.of(0, 1, 2, 3, 3, 3, 0), Int32Array.of(0, 1, 9, 3, 2, 9, 1));
    original.add([], []);
    original.add([], []);
    original.add(Int32Array.of(2, 2), Int32Array.of(2, 2));
    // 9 pixels in 4 images: 3 adds of 3 pixels, then one empty add.
    const copy = new SegmentationAccumulator(4, { ignoreIndex: 9 });
    replaySegmentationCounts(copy, segmentationCounts(original), 9);
    expect(copy.result()).toEqual(original.result());
  });
});

describe('embedding snapshot', () => {
  it('resumes with the same similarity distribution and retrieval, past the query cap', () => {
    const random = new SeededRandom(11);
    const steps: Step[] = Array.from({ length: 60 }, (_, index) => {
      const label = index % 13 === 5 ? null : index % 4;
      const float = Float32Array.from({ length: 8 }, (_, d) => random.nextFloat() + (d === (label ?? 0) ? 1 : 0));
      const quantized = float.map((v) => v + (random.nextFloat() - 0.5) * 0.2);
      return { sample: { index, label, input: new Float32Array(1) }, float: [{ data: float, dims: [1, 8] }], quantized: [{ data: quantized, dims: [1, 8] }] };
    });
    const make = () => createTaskAccumulator({ kind: 'embedding', retrieval: { ks: [1, 3], maxQueries: 40 } }, [], spec(1));
    for (const cut of [0, 30, 50, 60]) {
      const { expected, actual } = roundTrip(make, steps, cut);
      expect(actual).toEqual(expected);
    }
  });

  it('rebuilds any cosine exactly', () => {
    const random = new SeededRandom(13);
    const cosines = [1, -1, 0, 0.5, 1e-300, -1e-12, 0.9999999999999999, Math.SQRT1_2];
    for (let i = 0; i < 20_000; i++) {
      cosines.push(random.nextFloat() * 2 - 1, 1 - random.nextFloat() * 1e-7);
      cosines.push(cosineSimilarity(Float32Array.from({ length: 64 }, () => random.nextFloat()), Float32Array.from({ length: 64 }, () => random.nextFloat() - 0.2)));
    }
    for (const cosine of cosines) expect(cosineSimilarity(...vectorsWithCosine(cosine))).toBe(cosine);
  });
});
