/**
 * Tensor difference measures, each with the exact formula of the tool it is named after
 * (KNOWLEDGE.md, "Error measures"): x = float reference, y = quantized, both flattened, all sums in
 * float64. The same name means different maths across tools, so every measure carries its formula.
 */
import { QuantLensError } from '../errors.ts';

/** The measures of one comparison of two tensors. */
export interface TensorDiff {
  /** Number of elements compared. */
  count: number;
  /** x·y / (‖x‖‖y‖), clamped to [-1, 1]; 1 when both are all zero, 0 when only one is. */
  cosine: number;
  mse: number;
  mae: number;
  maxAbsError: number;
  /** Qualcomm AI Hub: 20·log10((max|x| + 1e-5) / (RMSE + 1e-10)); always finite. */
  psnrDb: number;
  /** ONNX Runtime qdq_loss_debug / PyTorch NS: 20·log10(‖x‖₂ / ‖x − y‖₂); +Infinity when y = x. */
  sqnrDb: number;
  /** NNCF: MSE(x, y) / MSE(x, 0); 0 when y = x, +Infinity when x = 0 and y ≠ 0. */
  normalizedMse: number;
}

/** Keys of TensorDiff that are measures (everything but `count`). */
export type MeasureId = Exclude<keyof TensorDiff, 'count'>;

/** How to show a measure: label, unit, formula for a tooltip, and which direction is better. */
export interface MeasureDescription {
  label: string;
  unit: '' | 'dB';
  better: 'higher' | 'lower';
  formula: string;
  source: string;
}

/** Every measure with its formula (x = float reference, y = quantized, n elements). */
export const MEASURES: Readonly<Record<MeasureId, MeasureDescription>> = {
  cosine: {
    label: 'Cosine similarity', unit: '', better: 'higher',
    formula: 'Σxᵢyᵢ / (‖x‖₂·‖y‖₂); 1 when x and y are both zero, 0 when only one is',
    source: 'common definition',
  },
  mse: { label: 'MSE', unit: '', better: 'lower', formula: 'Σ(xᵢ − yᵢ)² / n', source: 'common definition' },
  mae: { label: 'MAE', unit: '', better: 'lower', formula: 'Σ|xᵢ − yᵢ| / n', source: 'common definition' },
  maxAbsError: { label: 'Max abs error', unit: '', better: 'lower', formula: 'max |xᵢ − yᵢ|', source: 'common definition' },
  psnrDb: {
    label: 'PSNR', unit: 'dB', better: 'higher',
    formula: '20·log10((max|xᵢ| + 1e-5) / (√(Σ(xᵢ − yᵢ)²/n) + 1e-10))',
    source: 'Qualcomm AI Hub compare (">30 dB typically good")',
  },
  sqnrDb: {
    label: 'SQNR', unit: 'dB', better: 'higher',
    formula: '20·log10(‖x‖₂ / ‖x − y‖₂)',
    source: 'ONNX Runtime qdq_loss_debug, PyTorch Numeric Suite (PyTorch tests expect > 30 dB)',
  },
  normalizedMse: {
    label: 'Normalised MSE', unit: '', better: 'lower',
    formula: 'MSE(x, y) / MSE(x, 0) = Σ(xᵢ − yᵢ)² / Σxᵢ²',
    source: 'NNCF',
  },
};

/** Running sums from which every measure follows; adding two of them pools their elements. */
export interface DiffSums {
  count: number;
  sumXX: number;
  sumYY: number;
  sumXY: number;
  sumSquaredError: number;
  sumAbsError: number;
  maxAbsError: number;
  maxAbsX: number;
}

/** Sums of an empty tensor. */
export function emptySums(): DiffSums {
  return { count: 0, sumXX: 0, sumYY: 0, sumXY: 0, sumSquaredError: 0, sumAbsError: 0, maxAbsError: 0, maxAbsX: 0 };
}

/** The running sums of one pair of tensors; throws QuantLensError('invalid-input') when lengths differ. */
export function diffSums(x: ArrayLike<number>, y: ArrayLike<number>): DiffSums {
  if (x.length !== y.length) {
    throw new QuantLensError(
      'invalid-input',
      `Cannot compare tensors of ${x.length} and ${y.length} elements.`,
      'Compare the same tensor of both models; their shapes must match.',
    );
  }
  const sums = emptySums();
  sums.count = x.length;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    const error = a - b; // exact in float64 for float32 inputs
    const absError = Math.abs(error);
    sums.sumXX += a * a;
    sums.sumYY += b * b;
    sums.sumXY += a * b;
    sums.sumSquaredError += error * error;
    sums.sumAbsError += absError;
    // Written so that NaN propagates instead of being skipped by a comparison.
    if (!(absError <= sums.maxAbsError)) sums.maxAbsError = absError;
    const absX = Math.abs(a);
    if (!(absX <= sums.maxAbsX)) sums.maxAbsX = absX;
  }
  return sums;
}

/** Pools two sets of sums (as if the tensors were concatenated). */
export function addSums(a: DiffSums, b: DiffSums): DiffSums {
  return {
    count: a.count + b.count,
    sumXX: a.sumXX + b.sumXX,
    sumYY: a.sumYY + b.sumYY,
    sumXY: a.sumXY + b.sumXY,
    sumSquaredError: a.sumSquaredError + b.sumSquaredError,
    sumAbsError: a.sumAbsError + b.sumAbsError,
    maxAbsError: Math.max(a.maxAbsError, b.maxAbsError),
    maxAbsX: Math.max(a.maxAbsX, b.maxAbsX),
  };
}

/** Every measure from running sums; an empty tensor gives NaN measures. */
export function measuresFromSums(s: DiffSums): TensorDiff {
  const n = s.count;
  if (n === 0) {
    return { count: 0, cosine: NaN, mse: NaN, mae: NaN, maxAbsError: NaN, psnrDb: NaN, sqnrDb: NaN, normalizedMse: NaN };
  }
  const mse = s.sumSquaredError / n;
  return {
    count: n,
    cosine: cosineOf(s),
    mse,
    mae: s.sumAbsError / n,
    maxAbsError: s.maxAbsError,
    psnrDb: 20 * Math.log10((s.maxAbsX + 1e-5) / (Math.sqrt(mse) + 1e-10)),
    sqnrDb: sqnrOf(s.sumXX, s.sumSquaredError),
    normalizedMse: s.sumSquaredError === 0 ? 0 : s.sumSquaredError / s.sumXX,
  };
}

/** All measures between a float reference `x` and a quantized `y`. */
export function diffTensors(x: ArrayLike<number>, y: ArrayLike<number>): TensorDiff {
  return measuresFromSums(diffSums(x, y));
}

/** SQNR in dB from the signal energy Σx² and the noise energy Σ(x − y)²; +Infinity without noise. */
export function sqnrOf(signalEnergy: number, noiseEnergy: number): number {
  if (noiseEnergy === 0) return Number.isNaN(signalEnergy) ? NaN : Infinity;
  // 20·log10(‖x‖/‖e‖) = 10·log10(Σx²/Σe²): the same number without two square roots.
  return 10 * Math.log10(signalEnergy / noiseEnergy);
}

function cosineOf(s: DiffSums): number {
  if (s.sumXX === 0 && s.sumYY === 0) return 1;
  if (s.sumXX === 0 || s.sumYY === 0) return 0;
  const cosine = s.sumXY / (Math.sqrt(s.sumXX) * Math.sqrt(s.sumYY));
  return Math.min(1, Math.max(-1, cosine));
}
