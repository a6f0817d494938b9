/**
 * Paired bootstrap confidence intervals of Δ = metric(quantized) − metric(float).
 *
 * Method (Efron & Tibshirani 1993, ch. 13; the paired design of Koehn 2004 and sacrebleu's
 * paired_bs): draw n sample indices with replacement, score BOTH models on the same draw, take
 * Δ; repeat B times (default 1000) and report numpy.percentile's linear 2.5 % and 97.5 % points of
 * the B values (the percentile interval). Pairing keeps the between-model correlation, which is
 * what makes the interval much narrower than two independent intervals. Deterministic for a seed
 * (xoshiro128**, see random.ts). Memory: one count per sample plus B deltas.
 */
import { QuantLensError } from '../errors.ts';
import { percentileOfSorted } from '../metrics/latency.ts';
import { SeededRandom } from './random.ts';

/** Resampling settings; every field has a default. */
export interface BootstrapOptions {
  /** Number of resamples B; default 1000. */
  resamples?: number;
  /** Two-sided confidence level; default 0.95. */
  confidence?: number;
  /** PRNG seed; default 1. The same seed and input give the same interval on every host. */
  seed?: number;
}

/** A percentile interval, in the units of the value it brackets. */
export interface Interval {
  low: number;
  high: number;
}

/** Point estimates and percentile intervals of a paired difference. */
export interface PairedBootstrapResult {
  sampleCount: number;
  float: number;
  quantized: number;
  /** quantized − float on all samples, in metric units (a proportion for accuracy, not points). */
  delta: number;
  /** Percentile interval of delta; NaN bounds when no resample could be scored. */
  interval: Interval;
  /** (quantized − float) / float on all samples; NaN when float is 0. */
  relative: number;
  /** Percentile interval of the relative difference, over resamples where float is not 0. */
  relativeInterval: Interval;
  confidence: number;
  resamples: number;
}

/** Scores both models on one resample, given how often each sample was drawn. */
export type PairedStatistic = (counts: Uint32Array) => { float: number; quantized: number };

/** Core paired bootstrap over any statistic that can be computed from per-sample draw counts. */
export function pairedBootstrap(sampleCount: number, statistic: PairedStatistic,
  options: BootstrapOptions = {}): PairedBootstrapResult {
  const { resamples, confidence, seed } = checkOptions(options);
  if (!Number.isInteger(sampleCount) || sampleCount < 0) {
    throw new QuantLensError('invalid-input', `A bootstrap needs a sample count of 0 or more (got ${sampleCount}).`,
      'Pass the number of evaluated samples.');
  }
  const counts = new Uint32Array(sampleCount).fill(1);
  const whole = statistic(counts);
  const delta = whole.quantized - whole.float;
  const deltas: number[] = [];
  const relatives: number[] = [];
  if (sampleCount > 0) {
    const random = new SeededRandom(seed);
    for (let b = 0; b < resamples; b++) {
      counts.fill(0);
      for (let i = 0; i < sampleCount; i++) counts[random.nextIndex(sampleCount)]++;
      const { float, quantized } = statistic(counts);
      const resampledDelta = quantized - float;
      if (Number.isFinite(resampledDelta)) deltas.push(resampledDelta);
      const relative = resampledDelta / float;
      if (Number.isFinite(relative)) relatives.push(relative);
    }
  }
  return {
    sampleCount,
    float: whole.float,
    quantized: whole.quantized,
    delta,
    interval: percentileInterval(deltas, confidence),
    relative: whole.float === 0 ? Number.NaN : delta / whole.float,
    relativeInterval: percentileInterval(relatives, confidence),
    confidence,
    resamples,
  };
}

/**
 * Δ of a mean of per-sample scores: correctness (0/1 or booleans) for accuracy, or any per-sample
 * score such as exact match or ROUGE-L F. Both arrays are indexed by sample.
 */
export function bootstrapMeanDelta(floatScores: ArrayLike<number | boolean>, quantizedScores: ArrayLike<number | boolean>,
  options: BootstrapOptions = {}): PairedBootstrapResult {
  const floats = toFloat64(floatScores, 'float');
  const quantized = toFloat64(quantizedScores, 'quantized');
  checkSameLength(floats.length, quantized.length);
  return pairedBootstrap(floats.length, (counts) => {
    let drawn = 0;
    let floatSum = 0;
    let quantizedSum = 0;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i];
      if (count === 0) continue;
      drawn += count;
      floatSum += count * floats[i];
      quantizedSum += count * quantized[i];
    }
    return { float: floatSum / drawn, quantized: quantizedSum / drawn };
  }, options);
}

/** Per-sample parts of a corpus-level ratio metric: metric = transform(Σ numerators / Σ denominators). */
export interface RatioSamples {
  numerators: ArrayLike<number>;
  denominators: ArrayLike<number>;
}

/**
 * Δ of a corpus-level ratio such as WER / CER (Σ edits / Σ reference length) or perplexity
 * (exp(Σ NLL / Σ tokens), pass transform = Math.exp). Resamples whose denominators sum to 0 are
 * left out of the interval.
 */
export function bootstrapRatioDelta(float: RatioSamples, quantized: RatioSamples,
  options: BootstrapOptions & { transform?: (ratio: number) => number } = {}): PairedBootstrapResult {
  const parts = [float.numerators, float.denominators, quantized.numerators, quantized.denominators]
    .map((values, index) => toFloat64(values, index < 2 ? 'float' : 'quantized'));
  const n = parts[0].length;
  for (const part of parts) checkSameLength(n, part.length);
  const [floatNum, floatDen, quantizedNum, quantizedDen] = parts;
  const transform = options.transform ?? ((ratio: number) => ratio);
  return pairedBootstrap(n, (counts) => {
    let fn = 0;
    let fd = 0;
    let qn = 0;
    let qd = 0;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i];
      if (count === 0) continue;
      fn += count * floatNum[i];
      fd += count * floatDen[i];
      qn += count * quantizedNum[i];
      qd += count * quantizedDen[i];
    }
    return { float: fd === 0 ? Number.NaN : transform(fn / fd), quantized: qd === 0 ? Number.NaN : transform(qn / qd) };
  }, options);
}

/** numpy.percentile (linear) of the (1 − confidence) / 2 and (1 + confidence) / 2 points. */
export function percentileInterval(values: readonly number[], confidence: number): Interval {
  if (values.length === 0) return { low: Number.NaN, high: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  return {
    low: percentileOfSorted(sorted, (100 * (1 - confidence)) / 2),
    high: percentileOfSorted(sorted, (100 * (1 + confidence)) / 2),
  };
}

function checkOptions(options: BootstrapOptions): Required<BootstrapOptions> {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new QuantLensError('invalid-input', `The bootstrap needs at least 1 resample (got ${resamples}).`,
      'Use 1000 resamples or more.');
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new QuantLensError('invalid-input', `A confidence level must lie strictly between 0 and 1 (got ${confidence}).`,
      'Use 0.95 for a 95% interval.');
  }
  return { resamples, confidence, seed };
}

function toFloat64(values: ArrayLike<number | boolean>, model: string): Float64Array {
  const result = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = Number(values[i]);
    if (!Number.isFinite(value)) {
      throw new QuantLensError('invalid-input', `The ${model} model's score for sample ${i} is ${values[i]}, not a number.`,
        'Pass one finite score (or true/false) per sample.');
    }
    result[i] = value;
  }
  return result;
}

function checkSameLength(expected: number, actual: number): void {
  if (expected !== actual) {
    throw new QuantLensError('invalid-input',
      `The two models were scored on different numbers of samples (${expected} and ${actual}).`,
      'A paired comparison needs one score per sample from each model, in the same order.');
  }
}
