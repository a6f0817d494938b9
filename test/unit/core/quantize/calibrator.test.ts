import { describe, expect, it } from 'vitest';
import { MinMaxCalibrator, type Calibrator } from '../../../../src/core/quantize/calibrator.ts';

describe('MinMaxCalibrator', () => {
  it('keeps a running min and max per tensor across batches', () => {
    const calibrator: Calibrator = new MinMaxCalibrator();
    calibrator.observe('a', Float32Array.of(0.5, 2, -1));
    calibrator.observe('b', Float32Array.of(3));
    calibrator.observe('a', Float32Array.of(4, 0));
    expect(calibrator.ranges()).toEqual(new Map([['a', { min: -1, max: 4 }], ['b', { min: 3, max: 3 }]]));
  });

  it('ignores NaN and empty batches, and hands out copies', () => {
    const calibrator = new MinMaxCalibrator();
    calibrator.observe('a', new Float32Array());
    calibrator.observe('a', Float32Array.of(NaN));
    expect(calibrator.ranges().size).toBe(0);
    calibrator.observe('a', Float32Array.of(NaN, 1, NaN, 2));
    const ranges = calibrator.ranges();
    (ranges.get('a') as { min: number }).min = -100;
    expect(calibrator.ranges().get('a')).toEqual({ min: 1, max: 2 });
  });
});
