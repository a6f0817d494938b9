import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findOverlap, mulberry32, splitDataset, type SplitItem } from '../../../../src/core/data/split.ts';
import { expected, quantLensError } from './formats/helpers.ts';

const hash = (n: number) => n.toString(16).padStart(64, '0');
/** `perClass` distinct samples for each of `classes` labels. */
function items(classes: number, perClass: number): SplitItem[] {
  return Array.from({ length: classes * perClass }, (_, i) => ({ index: i, label: i % classes, sha256: hash(i) }));
}

describe('seeded stratified split', () => {
  it('mulberry32 gives the numbers the Python re-implementation gives', () => {
    for (const [seed, values] of Object.entries(expected.mulberry32)) {
      const random = mulberry32(Number(seed));
      expect(values.map(() => random())).toEqual(values);
    }
  });

  it('takes a fraction or a count per class, and is the same for the same seed', () => {
    const all = items(3, 10);
    const split = splitDataset(all, { seed: 7, calibration: { fraction: 0.2 } });
    expect(split.calibration).toHaveLength(6);
    for (const label of [0, 1, 2]) expect(split.calibration.filter((i) => all[i].label === label)).toHaveLength(2);
    expect(splitDataset([...all].reverse(), { seed: 7, calibration: { fraction: 0.2 } })).toEqual(split);
    expect(splitDataset(all, { seed: 8, calibration: { fraction: 0.2 } }).calibration).not.toEqual(split.calibration);
    const counted = splitDataset(all, { seed: 7, calibration: { perClass: 4 } });
    expect([counted.calibration.length, counted.test.length]).toEqual([12, 18]);
    expect(splitDataset(all, { seed: 1, calibration: { perClass: 50 } }).test).toEqual([]);
  });

  it('keeps every copy of a content on one side and reports the duplicates', () => {
    const all: SplitItem[] = [
      ...items(2, 6),
      { index: 12, label: 0, sha256: hash(0) },
      { index: 13, label: 1, sha256: hash(0) },
      { index: 14, label: null, sha256: hash(99) },
    ];
    for (let seed = 0; seed < 20; seed++) {
      const split = splitDataset(all, { seed, calibration: { fraction: 0.5 } });
      const side = split.calibration.includes(0) ? split.calibration : split.test;
      expect([12, 13].every((i) => side.includes(i))).toBe(true);
      expect(split.duplicates).toEqual([{ sha256: hash(0), indices: [0, 12, 13], side: side === split.test ? 'test' : 'calibration', conflictingLabels: true }]);
    }
  });

  it('refuses impossible sizes', async () => {
    expect((await quantLensError(() => splitDataset([], { seed: 1, calibration: { fraction: 1.5 } }))).message).toMatch(/fraction of 1.5 is not between 0 and 1/);
    expect((await quantLensError(() => splitDataset([], { seed: 1, calibration: { perClass: 2.5 } }))).message).toMatch(/2.5 samples per class/);
    expect((await quantLensError(() => splitDataset([], { seed: Number.NaN, calibration: { perClass: 1 } }))).code).toBe('invalid-input');
  });

  it('always gives two disjoint parts covering every sample, with no content on both sides', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ label: fc.option(fc.nat(4)), content: fc.nat(30) }), { maxLength: 80 }),
      fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }),
      (raw, seed, fraction) => {
        const all = raw.map((r, index) => ({ index, label: r.label, sha256: hash(r.content) }));
        const split = splitDataset(all, { seed, calibration: { fraction } });
        expect([...split.test, ...split.calibration].sort((a, b) => a - b)).toEqual(all.map((a) => a.index));
        const testHashes = new Set(split.test.map((i) => all[i].sha256));
        expect(split.calibration.some((i) => testHashes.has(all[i].sha256))).toBe(false);
        expect(findOverlap(split.test.map((i) => all[i]), split.calibration.map((i) => all[i]))).toEqual([]);
      },
    ));
  });

  it('finds contents shared by two separately chosen parts', () => {
    const test = [{ index: 0, label: 0, sha256: hash(1) }, { index: 1, label: 0, sha256: hash(2) }, { index: 2, label: 1, sha256: hash(1) }];
    const calibration = [{ index: 0, label: 0, sha256: hash(1) }];
    expect(findOverlap(test, calibration)).toEqual([{ sha256: hash(1), testIndices: [0, 2], calibrationIndices: [0] }]);
  });
});
