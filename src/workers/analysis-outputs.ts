/**
 * Small pure helpers of the analysis worker (no ORT, no DOM; unit-tested in Node): output
 * differences over the analysed samples with the worst samples kept, the observed input range of
 * prepared samples, an evenly strided sample of a tensor's values for histograms, and a tensor's
 * quantization parameters as plain numbers.
 */
import { DiffAccumulator, diffTensors, type DiffSummary } from '../core/diff/index.ts';
import type { PreparedSample } from '../core/eval/evaluate.ts';
import type { TensorRange } from '../core/quantize/index.ts';

/** One analysed sample's output difference and both top-1 predictions. */
export interface SampleOutputDiff {
  /** Position among the analysed samples (0-based). */
  position: number;
  /** The sample's index in its dataset. */
  index: number;
  label: number | null;
  floatTop1: number;
  quantizedTop1: number;
  mse: number;
  maxAbsError: number;
  sqnrDb: number;
  cosine: number;
}

/** Float vs quantized model output over the analysed samples. */
export interface OutputDiffReport {
  tensor: string;
  summary: DiffSummary;
  /** Samples whose top-1 prediction differs. */
  top1Changed: number;
  /** The samples with the largest output MSE, largest first. */
  worst: SampleOutputDiff[];
}

/** Streams output pairs; keeps the per-sample rows (a few numbers each), never the tensors. */
export class OutputDiffTracker {
  readonly #accumulator = new DiffAccumulator();
  readonly #rows: SampleOutputDiff[] = [];

  constructor(readonly tensor: string) {}

  /** Adds one sample: the float model's output `x` and the quantized model's `y`. */
  add(sample: Pick<PreparedSample, 'index' | 'label'>, x: ArrayLike<number>, y: ArrayLike<number>): void {
    this.#accumulator.add(x, y);
    const measures = diffTensors(x, y);
    this.#rows.push({
      position: this.#rows.length,
      index: sample.index,
      label: sample.label,
      floatTop1: argmax(x),
      quantizedTop1: argmax(y),
      mse: measures.mse,
      maxAbsError: measures.maxAbsError,
      sqnrDb: measures.sqnrDb,
      cosine: measures.cosine,
    });
  }

  /** The aggregate and the `limit` samples with the largest MSE (ties keep sample order). */
  report(limit = 8): OutputDiffReport {
    const worst = [...this.#rows].sort((a, b) => b.mse - a.mse || a.position - b.position).slice(0, limit);
    return {
      tensor: this.tensor,
      summary: this.#accumulator.summary(),
      top1Changed: this.#rows.filter((r) => r.floatTop1 !== r.quantizedTop1).length,
      worst,
    };
  }
}

/** Index of the largest value (the first one on ties); -1 for an empty array. */
export function argmax(values: ArrayLike<number>): number {
  if (values.length === 0) return -1;
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Smallest and largest value over every prepared input; undefined without samples. */
export function observedRange(samples: readonly Pick<PreparedSample, 'input'>[]): TensorRange | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const { input } of samples) {
    for (let i = 0; i < input.length; i++) {
      const v = input[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : undefined;
}

/** At most `limit` values taken at an even stride (all of them when there are fewer), as float32. */
export function strided(values: ArrayLike<number>, limit: number): Float32Array {
  const stride = Math.max(1, Math.ceil(values.length / limit));
  const out = new Float32Array(Math.ceil(values.length / stride));
  for (let i = 0, j = 0; i < values.length; i += stride, j++) out[j] = values[i];
  return out;
}

/** A tensor's scale(s) and zero point(s), the first `limit` of them, as the UI shows them. */
export interface QuantParamsView {
  dtype: string;
  scaleCount: number;
  axis?: number;
  scales: number[];
  zeroPoints: number[];
  /** The float range the parameters represent (union over channels). */
  representable: TensorRange;
}

const INTEGER_BOUNDS: Record<string, [number, number]> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767], uint4: [0, 15], int4: [-8, 7],
};

/** Plain numbers for display; `representable` is [(qmin − zp)·s, (qmax − zp)·s] over channels. */
export function quantParamsView(params: { scales: ArrayLike<number>; zeroPoints: readonly number[]; dtype: string; axis: number | undefined }, limit = 16): QuantParamsView {
  const [qmin, qmax] = INTEGER_BOUNDS[params.dtype] ?? INTEGER_BOUNDS.uint8;
  let low = Infinity;
  let high = -Infinity;
  for (let c = 0; c < params.scales.length; c++) {
    const zeroPoint = params.zeroPoints[c] ?? 0;
    low = Math.min(low, (qmin - zeroPoint) * params.scales[c]);
    high = Math.max(high, (qmax - zeroPoint) * params.scales[c]);
  }
  return {
    dtype: params.dtype,
    scaleCount: params.scales.length,
    ...(params.axis !== undefined ? { axis: params.axis } : {}),
    scales: Array.from(params.scales).slice(0, limit),
    zeroPoints: params.zeroPoints.slice(0, limit),
    representable: { min: low, max: high },
  };
}
