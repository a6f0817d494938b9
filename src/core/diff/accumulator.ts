/**
 * Streaming aggregation of tensor differences over samples, in constant memory (running sums, no
 * tensors kept). Two views of N samples are reported:
 * - pooled: every measure as if the N per-sample tensors were one concatenated tensor (SQNR from
 *   the summed energies 10·log10(ΣΣx² / ΣΣ(x − y)²), MSE from the summed squared errors, max over
 *   all elements, cosine from the summed products, PSNR with the largest |x| seen);
 * - per sample: each sample's own measures, summarised by their mean and their worst value.
 */
import { addSums, diffSums, emptySums, measuresFromSums, type DiffSums, type MeasureId, type TensorDiff, MEASURES } from './measures.ts';

/** Mean and worst of one measure's per-sample values. */
export interface PerSampleStat {
  /** Mean over the samples whose value is finite (an exact match has SQNR +Infinity). */
  mean: number;
  /** Worst value over all samples: the minimum for higher-is-better measures, else the maximum. */
  worst: number;
  /** Index (in the order samples were added) of the worst sample. */
  worstSample: number;
  /** Samples left out of the mean because their value is not finite. */
  nonFiniteCount: number;
}

/** The aggregated differences of one tensor over samples. */
export interface DiffSummary {
  sampleCount: number;
  /** All elements of all samples pooled (see the file comment). */
  pooled: TensorDiff;
  /** Per-sample measures summarised. */
  perSample: Record<MeasureId, PerSampleStat>;
}

const MEASURE_IDS = Object.keys(MEASURES) as MeasureId[];

/** Folds per-sample tensor pairs into pooled sums and per-sample statistics, keeping no tensors. */
export class DiffAccumulator {
  #sums: DiffSums = emptySums();
  #samples = 0;
  readonly #stats = new Map<MeasureId, { sum: number; finite: number; worst: number; worstSample: number }>();

  /** Adds one sample: the float reference `x` and the quantized `y` of the same tensor. */
  add(x: ArrayLike<number>, y: ArrayLike<number>): TensorDiff {
    const sums = diffSums(x, y);
    this.#sums = addSums(this.#sums, sums);
    const measures = measuresFromSums(sums);
    for (const id of MEASURE_IDS) this.#observe(id, measures[id]);
    this.#samples++;
    return measures;
  }

  /** Number of samples added. */
  get sampleCount(): number {
    return this.#samples;
  }

  /** The running sums (for pooling accumulators of other hosts or shards). */
  get sums(): DiffSums {
    return { ...this.#sums };
  }

  /** The summary so far; NaN everywhere before the first sample. */
  summary(): DiffSummary {
    const perSample = {} as Record<MeasureId, PerSampleStat>;
    for (const id of MEASURE_IDS) {
      const stat = this.#stats.get(id);
      perSample[id] = stat
        ? { mean: stat.finite > 0 ? stat.sum / stat.finite : NaN, worst: stat.worst, worstSample: stat.worstSample, nonFiniteCount: this.#samples - stat.finite }
        : { mean: NaN, worst: NaN, worstSample: -1, nonFiniteCount: 0 };
    }
    return { sampleCount: this.#samples, pooled: measuresFromSums(this.#sums), perSample };
  }

  #observe(id: MeasureId, value: number): void {
    const higherIsBetter = MEASURES[id].better === 'higher';
    let stat = this.#stats.get(id);
    if (!stat) {
      stat = { sum: 0, finite: 0, worst: value, worstSample: this.#samples };
      this.#stats.set(id, stat);
    } else if (Number.isNaN(value) ? !Number.isNaN(stat.worst) : higherIsBetter ? value < stat.worst : value > stat.worst) {
      stat.worst = value;
      stat.worstSample = this.#samples;
    }
    if (Number.isFinite(value)) {
      stat.sum += value;
      stat.finite++;
    }
  }
}
