/**
 * Calibrators over streaming histograms (histogram.ts): one pass over the calibration samples
 * keeps, per tensor, the exact min/max and a bounded histogram, from which any method's ranges
 * can be read (MinMax, Percentile, Entropy, MSE): variants with different methods need one pass.
 */
import type { Calibrator } from './calibrator.ts';
import { DEFAULT_HISTOGRAM_BINS, TensorHistogram, type HistogramSnapshot } from './histogram.ts';
import type { TensorRange } from './qdq-math.ts';
import { DEFAULT_PERCENTILE, DEFAULT_QUANTIZED_BINS, entropyRange, mseRange, percentileRange, type ActivationScheme } from './thresholds.ts';

/** Calibration methods. */
export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy' | 'mse';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'entropy', 'mse'];

/** A method and its parameters. */
export interface CalibrationSettings {
  method: CalibrationMethod;
  /** Percentile only (default 99.999). */
  percentile?: number;
  /** Entropy and MSE: candidates start at quantizedBins / 2 bins either side of zero (default 128). */
  quantizedBins?: number;
}

export const DEFAULT_SCHEME: ActivationScheme = { type: 'uint8', symmetric: false };

/** The range one method picks from one tensor's histogram. */
export function rangeOf(h: HistogramSnapshot, settings: CalibrationSettings, scheme: ActivationScheme = DEFAULT_SCHEME): TensorRange {
  switch (settings.method) {
    case 'minmax': return { min: h.min, max: h.max };
    case 'percentile': return percentileRange(h, settings.percentile ?? DEFAULT_PERCENTILE);
    case 'entropy': {
      const { min, max } = entropyRange(h, settings.quantizedBins ?? DEFAULT_QUANTIZED_BINS);
      return { min, max };
    }
    case 'mse': {
      const { min, max } = mseRange(h, scheme, settings.quantizedBins ?? DEFAULT_QUANTIZED_BINS);
      return { min, max };
    }
  }
}

/** Streams activations into one histogram per tensor; `ranges()` applies its settings, `rangesFor` any other. */
export class HistogramCalibrator implements Calibrator {
  readonly #histograms = new Map<string, TensorHistogram>();

  constructor(
    readonly settings: CalibrationSettings = { method: 'percentile' },
    readonly scheme: ActivationScheme = DEFAULT_SCHEME,
    readonly bins = DEFAULT_HISTOGRAM_BINS,
  ) {}

  observe(tensorName: string, data: Float32Array): void {
    let histogram = this.#histograms.get(tensorName);
    if (!histogram) {
      histogram = new TensorHistogram(this.bins);
      this.#histograms.set(tensorName, histogram);
    }
    histogram.observe(data);
  }

  ranges(): Map<string, TensorRange> {
    return this.rangesFor(this.settings, this.scheme);
  }

  rangesFor(settings: CalibrationSettings, scheme: ActivationScheme = this.scheme): Map<string, TensorRange> {
    const ranges = new Map<string, TensorRange>();
    for (const [name, histogram] of this.#histograms) {
      const snapshot = histogram.snapshot();
      if (snapshot) ranges.set(name, rangeOf(snapshot, settings, scheme));
    }
    return ranges;
  }

  /** Bins held in all, for memory checks (8 bytes each). */
  binCount(): number {
    let bins = 0;
    for (const histogram of this.#histograms.values()) bins += histogram.snapshot()?.counts.length ?? 0;
    return bins;
  }
}

/** Percentile calibration (ORT's default 99.999, symmetric). */
export class PercentileCalibrator extends HistogramCalibrator {
  constructor(percentile = DEFAULT_PERCENTILE, bins = DEFAULT_HISTOGRAM_BINS) {
    super({ method: 'percentile', percentile }, DEFAULT_SCHEME, bins);
  }
}

/** Entropy (KL divergence) calibration, TensorRT's 2048 bins and 128 quantized bins by default. */
export class EntropyCalibrator extends HistogramCalibrator {
  constructor(quantizedBins = DEFAULT_QUANTIZED_BINS, bins = DEFAULT_HISTOGRAM_BINS) {
    super({ method: 'entropy', quantizedBins }, DEFAULT_SCHEME, bins);
  }
}

/** MSE-optimal clipping for the activation scheme the model will use. */
export class MseCalibrator extends HistogramCalibrator {
  constructor(scheme: ActivationScheme = DEFAULT_SCHEME, bins = DEFAULT_HISTOGRAM_BINS) {
    super({ method: 'mse' }, scheme, bins);
  }
}
