/**
 * A streaming histogram of one tensor's values, as ONNX Runtime's HistogramCollector builds it for
 * entropy calibration (onnxruntime/python/tools/quantization/calibrate.py, `collect_value` and
 * `merge_histogram`): bins cover [-threshold, threshold] with threshold = max |x| seen; when a batch
 * goes beyond it, whole bins of the old width are added on both sides and the old counts keep
 * their place. Memory is the bin count (2048 by default, growing only with the range), never the
 * number of observed values. Arithmetic is float64 (ORT's runs in float32: edges may differ in the
 * last bits). Binning follows numpy.histogram exactly (linspace edges, then the edge corrections).
 */

/** The default number of bins (ORT's percentile default; TensorRT uses 2048 for entropy too). */
export const DEFAULT_HISTOGRAM_BINS = 2048;

/** The histogram of one tensor: counts, their edges (counts.length + 1) and the exact min and max. */
export interface HistogramSnapshot {
  counts: Float64Array;
  edges: Float64Array;
  min: number;
  max: number;
  threshold: number;
}

/** numpy.linspace(lo, hi, bins + 1) in float64. */
export function histogramEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + lo;
  edges[bins] = hi;
  return edges;
}

/** numpy.histogram(values, bins, range=(lo, hi)) added into `counts`; values outside the range or NaN are left out. */
export function addToHistogram(counts: Float64Array, values: ArrayLike<number>, lo: number, hi: number): Float64Array {
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const bins = counts.length;
  const edges = histogramEdges(first, last, bins);
  const norm = bins / (last - first);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x >= first && x <= last)) continue;
    let index = Math.trunc((x - first) * norm);
    if (index === bins) index -= 1;
    if (x < edges[index]) index -= 1;
    else if (index !== bins - 1 && x >= edges[index + 1]) index += 1;
    counts[index] += 1;
  }
  return edges;
}

/** One tensor's running histogram. */
export class TensorHistogram {
  #counts: Float64Array | null = null;
  #edges: Float64Array | null = null;
  #min = Infinity;
  #max = -Infinity;
  #threshold = 0;

  constructor(readonly bins = DEFAULT_HISTOGRAM_BINS) {}

  /** Folds one batch of values in (NaN is ignored, like numpy.nanmin/nanmax). */
  observe(values: ArrayLike<number>): void {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (min > max) return;
    const threshold = Math.max(Math.abs(min), Math.abs(max));
    if (!this.#counts) {
      this.#counts = new Float64Array(this.bins);
      this.#edges = addToHistogram(this.#counts, values, -threshold, threshold);
      this.#threshold = threshold;
    } else {
      this.#merge(values, threshold);
    }
    this.#min = Math.min(this.#min, min);
    this.#max = Math.max(this.#max, max);
  }

  /** The counts so far (null before any value). The arrays are the live ones: do not change them. */
  snapshot(): HistogramSnapshot | null {
    if (!this.#counts || !this.#edges) return null;
    return { counts: this.#counts, edges: this.#edges, min: this.#min, max: this.#max, threshold: this.#threshold };
  }

  #merge(values: ArrayLike<number>, threshold: number): void {
    const old = this.#counts as Float64Array;
    const oldThreshold = this.#threshold;
    if (threshold <= oldThreshold) {
      addToHistogram(old, values, -oldThreshold, oldThreshold);
      return;
    }
    if (oldThreshold === 0) {
      // Everything so far was 0 (numpy put it in the middle bin of [-0.5, 0.5]): ORT adds the counts bin by bin.
      const counts = new Float64Array(old.length);
      this.#edges = addToHistogram(counts, values, -threshold, threshold);
      for (let i = 0; i < old.length; i++) counts[i] += old[i];
      this.#counts = counts;
      this.#threshold = threshold;
      return;
    }
    const oldStride = (2 * oldThreshold) / old.length;
    const grow = Math.floor((threshold - oldThreshold) / oldStride) + 1;
    const newThreshold = grow * oldStride + oldThreshold;
    const counts = new Float64Array(old.length + 2 * grow);
    this.#edges = addToHistogram(counts, values, -newThreshold, newThreshold);
    for (let i = 0; i < old.length; i++) counts[grow + i] += old[i];
    this.#counts = counts;
    this.#threshold = newThreshold;
  }
}
