/**
 * Calibrators turn activations observed on real samples into one range per tensor. They stream:
 * memory stays constant per tensor however many samples are observed. MinMax is here; the
 * histogram-based Percentile, Entropy and MSE calibrators are in histogram-calibrator.ts.
 */
import type { TensorRange } from './qdq-math.ts';

/** Collects activations tensor by tensor and reports a range for each. */
export interface Calibrator {
  /** Folds one observed batch of values for `tensorName` into the running statistics. */
  observe(tensorName: string, data: Float32Array): void;
  /** The range chosen for each observed tensor so far. */
  ranges(): Map<string, TensorRange>;
}

/** Running minimum and maximum over every observed value (ONNX Runtime's default MinMax). */
export class MinMaxCalibrator implements Calibrator {
  readonly #ranges = new Map<string, TensorRange>();

  observe(tensorName: string, data: Float32Array): void {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      // NaN fails both comparisons, so it never widens the range.
      if (value < min) min = value;
      if (value > max) max = value;
    }
    if (min > max) return; // empty or all-NaN batch: nothing learned
    const previous = this.#ranges.get(tensorName);
    this.#ranges.set(tensorName, previous
      ? { min: Math.min(previous.min, min), max: Math.max(previous.max, max) }
      : { min, max });
  }

  ranges(): Map<string, TensorRange> {
    return new Map([...this.#ranges].map(([name, range]) => [name, { ...range }]));
  }
}
