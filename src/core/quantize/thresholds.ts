/**
 * Ranges chosen from a tensor's histogram (histogram.ts), three ways:
 * - Percentile: ONNX Runtime's compute_percentile (calibrate.py): cdf = cumsum(counts / total);
 *   symmetric: the edge where the cdf of |x| reaches p / 100, as [-t, t]; asymmetric: (100 − p) / 200
 *   cut from each side. ORT folds an |x| histogram; here |x| is folded from the signed one.
 * - Entropy: ORT's get_entropy_threshold, after TensorRT (Migacz, "8-bit inference with TensorRT",
 *   GTC 2017): for each candidate [edges[z − i], edges[z + i + 1]] (z the zero bin, i from
 *   quantizedBins / 2 to z), the clipped distribution p (outliers folded into its end bins) against
 *   q, p merged into `quantizedBins` bins and spread back over p's non-empty bins (integer division,
 *   as ORT's int64 array does); both smoothed (eps 1e-4), KL(p‖q) = Σ p log(p / q) of the normalised
 *   p and q (scipy.stats.entropy). The smallest KL wins. Computed in float64 (ORT smooths in float32).
 * - MSE: the clipping range that minimises the expected squared error of quantize-dequantize over
 *   the histogram (bin centres weighted by their counts), with the activation scheme actually used;
 *   candidates [edges[z − i], edges[z + i]], i as for entropy (after NVIDIA pytorch-quantization's
 *   HistogramCalibrator `_compute_amax_mse`, which fake-quantizes bin centres for each candidate).
 * All three end like ORT: the range is clamped to the observed [min, max].
 */
import type { HistogramSnapshot } from './histogram.ts';
import { activationParams, roundHalfToEven, QUANT_BOUNDS, type QuantizedType, type TensorRange } from './qdq-math.ts';

/** How activations are quantized (what the MSE search measures its error with). */
export interface ActivationScheme {
  type: QuantizedType;
  symmetric: boolean;
}

export const DEFAULT_PERCENTILE = 99.999;
/** TensorRT's and ORT's number of quantized bins for the KL search. */
export const DEFAULT_QUANTIZED_BINS = 128;

/** Percentile range (default 99.999, symmetric as ORT's PercentileCalibrater defaults to). */
export function percentileRange(h: HistogramSnapshot, percentile = DEFAULT_PERCENTILE, symmetric = true): TensorRange {
  if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${percentile}`);
  const { counts, edges } = h;
  const zero = counts.length / 2;
  if (symmetric) {
    const folded = new Float64Array(zero);
    for (let k = 0; k < zero; k++) folded[k] = counts[zero + k] + counts[zero - 1 - k];
    const index = searchCdf(folded, percentile / 100);
    const t = edges[zero + index];
    return clampTo(h, { min: -t, max: t });
  }
  const cut = (100 - percentile) / 200;
  return clampTo(h, { min: edges[searchCdf(counts, cut)], max: edges[searchCdf(counts, 1 - cut)] });
}

/** KL-divergence (entropy) range; also returns the divergence of every candidate, for tests. */
export function entropyRange(h: HistogramSnapshot, quantizedBins = DEFAULT_QUANTIZED_BINS): TensorRange & { divergences: Float64Array } {
  const { counts, edges } = h;
  const bins = counts.length;
  const zero = Math.floor(bins / 2);
  const half = Math.floor(quantizedBins / 2);
  const divergences = new Float64Array(Math.max(0, zero - half + 1));
  const total = sum(counts, 0, bins);
  let best = 0;
  for (let i = half; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(zero + i + 1, bins);
    const size = end - start;
    const p = counts.slice(start, end);
    p[0] += sum(counts, 0, start);
    p[size - 1] += total - sum(counts, 0, end);
    const merged = Math.floor(size / quantizedBins);
    const q = new Float64Array(size);
    for (let b = 0; b < quantizedBins; b++) {
      const from = b * merged;
      const to = from + merged;
      let value = sum(counts, start + from, start + to);
      if (b === quantizedBins - 1) value += sum(counts, start + quantizedBins * merged, end);
      let norm = 0;
      for (let j = from; j < to; j++) if (p[j] !== 0) norm++;
      if (norm !== 0) q.fill(Math.trunc(value / norm), from, to);
    }
    const divergence = klDivergence(smooth(p), smooth(q));
    divergences[i - half] = divergence;
    if (i === half || divergence < divergences[best]) best = i - half; // numpy.argmin: the first minimum
  }
  const chosen = best + half;
  const range = clampTo(h, { min: edges[zero - chosen], max: edges[Math.min(zero + chosen + 1, bins)] });
  return { ...range, divergences };
}

/** MSE-optimal clipping range for `scheme`; also returns the error of every candidate, for tests. */
export function mseRange(h: HistogramSnapshot, scheme: ActivationScheme, quantizedBins = DEFAULT_QUANTIZED_BINS): TensorRange & { errors: Float64Array } {
  const { counts, edges } = h;
  const bins = counts.length;
  const zero = Math.floor(bins / 2);
  const half = Math.floor(quantizedBins / 2);
  const errors = new Float64Array(Math.max(0, zero - half + 1));
  const { min: qmin, max: qmax } = QUANT_BOUNDS[scheme.type];
  let best = -1;
  let bestRange: TensorRange = { min: h.min, max: h.max };
  for (let i = half; i <= zero; i++) {
    const range = clampTo(h, { min: edges[zero - i], max: edges[zero + i] });
    const { scale, zeroPoint } = activationParams(range, scheme.type, scheme.symmetric);
    let error = 0;
    for (let j = 0; j < bins; j++) {
      if (counts[j] === 0) continue;
      const centre = (edges[j] + edges[j + 1]) * 0.5;
      const q = Math.min(qmax, Math.max(qmin, roundHalfToEven(centre / scale) + zeroPoint));
      const diff = (q - zeroPoint) * scale - centre;
      error += counts[j] * diff * diff;
    }
    errors[i - half] = error;
    if (best < 0 || error < errors[best]) {
      best = i - half;
      bestRange = range;
    }
  }
  return { ...bestRange, errors };
}

/** numpy.searchsorted(cumsum(counts / total), value): the first bin where the cdf reaches `value`. */
function searchCdf(counts: Float64Array, value: number): number {
  const total = sum(counts, 0, counts.length);
  let cdf = 0;
  for (let i = 0; i < counts.length; i++) {
    cdf += counts[i] / total;
    if (cdf >= value) return i;
  }
  return counts.length;
}

function clampTo(h: HistogramSnapshot, range: TensorRange): TensorRange {
  return { min: range.min < h.min ? h.min : range.min, max: range.max > h.max ? h.max : range.max };
}

function sum(values: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let i = from; i < to; i++) total += values[i];
  return total;
}

/** ORT's smooth_distribution: eps added to empty bins, taken evenly from the others (null when all are empty). */
function smooth(p: Float64Array, eps = 0.0001): Float64Array | null {
  let zeros = 0;
  for (const v of p) if (v === 0) zeros++;
  const nonZeros = p.length - zeros;
  if (nonZeros === 0) return null;
  const eps1 = (eps * zeros) / nonZeros;
  return p.map((v) => (v === 0 ? v + eps : v - eps1));
}

/** scipy.stats.entropy(p, q): KL divergence of the normalised distributions (Infinity when either is missing). */
function klDivergence(p: Float64Array | null, q: Float64Array | null): number {
  if (!p || !q) return Infinity;
  const pTotal = sum(p, 0, p.length);
  const qTotal = sum(q, 0, q.length);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / pTotal;
    const qi = q[i] / qTotal;
    if (pi > 0) divergence += pi * Math.log(pi / qi);
  }
  return divergence;
}
