import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { argmax, ClassificationAccumulator, isInTopK } from '../../../../src/core/metrics/index.ts';

const scores = (...values: number[]): Float32Array => Float32Array.from(values);

describe('argmax', () => {
  it('gives ties to the lowest index, like numpy.argmax', () => {
    expect(argmax(scores(1, 3, 3, 2))).toBe(1);
    expect(argmax(scores(5, 5, 5))).toBe(0);
    expect(argmax(scores(-0, 0))).toBe(0);
  });

  it('returns the first NaN, like numpy.argmax', () => {
    expect(argmax([1, Number.NaN, 9, Number.NaN])).toBe(1);
  });
});

describe('isInTopK', () => {
  it('counts the label when fewer than k scores rank above it', () => {
    expect(isInTopK(scores(0.1, 0.9, 0.5, 0.3), 2, 2)).toBe(true);
    expect(isInTopK(scores(0.1, 0.9, 0.5, 0.3), 3, 2)).toBe(false);
  });

  it('breaks a tie at the k-th place towards the lower class index (numpy stable argsort of -scores)', () => {
    // Classes 1 and 3 tie for 2nd place with k = 2: class 1 is in, class 3 is out.
    expect(isInTopK(scores(0.9, 0.4, 0.1, 0.4), 1, 2)).toBe(true);
    expect(isInTopK(scores(0.9, 0.4, 0.1, 0.4), 3, 2)).toBe(false);
    // All equal: the first k indices are the top k.
    expect(isInTopK(scores(1, 1, 1, 1, 1, 1), 4, 5)).toBe(true);
    expect(isInTopK(scores(1, 1, 1, 1, 1, 1), 5, 5)).toBe(false);
  });

  it('agrees with argmax for k = 1, NaN included', () => {
    const cases = [[1, 3, 3, 2], [Number.NaN, 1, Number.NaN], [2, Number.NaN, 5]];
    for (const values of cases) {
      values.forEach((_, label) => expect(isInTopK(values, label, 1)).toBe(label === argmax(values)));
    }
  });
});

describe('ClassificationAccumulator', () => {
  it('counts top-1 and top-k over labelled samples and keeps every prediction in order', () => {
    const accumulator = new ClassificationAccumulator(6, 2);
    accumulator.add(scores(0, 9, 1, 2, 3, 4), 1); // right, top-2
    accumulator.add(scores(0, 9, 1, 2, 3, 8), 5); // wrong, top-2
    accumulator.add(scores(7, 0, 1, 2, 3, 4), 3); // wrong, not top-2
    accumulator.add(scores(0, 0, 0, 0, 0, 1), null); // unlabelled
    const result = accumulator.result();
    expect(result).toMatchObject({ sampleCount: 4, labelledCount: 3, top1Correct: 1, topK: { k: 2, correct: 2 } });
    expect(result.top1Accuracy).toBeCloseTo(1 / 3, 15);
    expect(result.topK?.accuracy).toBeCloseTo(2 / 3, 15);
    expect(Array.from(result.predictions)).toEqual([1, 1, 0, 5]);
  });

  it('omits top-k when the model has k classes or fewer', () => {
    const accumulator = new ClassificationAccumulator(5);
    accumulator.add(scores(1, 2, 3, 4, 5), 4);
    expect(accumulator.result().topK).toBeUndefined();
  });

  it('reports NaN accuracy rather than 0 when nothing is labelled', () => {
    const accumulator = new ClassificationAccumulator(3);
    accumulator.add(scores(1, 2, 3), null);
    expect(accumulator.result().top1Accuracy).toBeNaN();
    expect(accumulator.perClass().macroF1).toBeNaN();
  });

  it('grows its prediction store past its first block and returns a copy', () => {
    const accumulator = new ClassificationAccumulator(2, 1);
    for (let i = 0; i < 2500; i++) accumulator.add(scores(i % 2, (i + 1) % 2), i % 2);
    const result = accumulator.result();
    expect(result.predictions.length).toBe(2500);
    expect(result.predictions[2499]).toBe(0);
    expect(result.top1Correct).toBe(0);
    result.predictions[0] = 7;
    expect(accumulator.result().predictions[0]).toBe(1);
  });

  it('keeps a confusion matrix with rows = true class and leaves unseen classes out of macro F1', () => {
    const accumulator = new ClassificationAccumulator(3, 5);
    accumulator.add(scores(1, 0, 0), 0);
    accumulator.add(scores(1, 0, 0), 1);
    accumulator.add(scores(0, 1, 0), 1);
    const report = accumulator.perClass();
    expect(report.confusionMatrix).toEqual([[1, 0, 0], [1, 1, 0], [0, 0, 0]]);
    expect(report.classes[0]).toMatchObject({ support: 1, predictedCount: 2, precision: 0.5, recall: 1 });
    expect(report.classes[1]).toMatchObject({ support: 2, predictedCount: 1, precision: 1, recall: 0.5 });
    expect(report.averagedClassCount).toBe(2);
    expect(report.macroF1).toBeCloseTo(2 / 3, 15);
    expect(report.weightedF1).toBeCloseTo(2 / 3, 15);
  });

  it('rejects scores of the wrong length, labels outside the classes and nonsense sizes', () => {
    const accumulator = new ClassificationAccumulator(3);
    expect(() => accumulator.add(scores(1, 2), 0)).toThrow(QuantLensError);
    expect(() => accumulator.add(scores(1, 2, 3), 3)).toThrow(/not a class/);
    expect(() => accumulator.add(scores(1, 2, 3), 1.5)).toThrow(QuantLensError);
    expect(() => new ClassificationAccumulator(0)).toThrow(QuantLensError);
    expect(() => new ClassificationAccumulator(10, 0)).toThrow(QuantLensError);
  });
});
