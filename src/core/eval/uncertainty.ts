import { bootstrapMeanDelta } from '../stats/bootstrap.ts';
import { mcnemarExact } from '../stats/mcnemar.ts';

/** How sure we are about the top-1 Δ: a paired bootstrap interval and McNemar's exact test. */
export interface Top1Uncertainty {
  /** Interval of Δ = quantized − float, in percentage points. */
  intervalPoints: { low: number; high: number };
  /** Interval of (quantized − float) / float, as a fraction. */
  intervalRelative: { low: number; high: number };
  confidence: number;
  resamples: number;
  /** The bootstrap's seed: the same seed and samples give the same interval. */
  seed: number;
  /** Two-sided p-value of McNemar's exact test on the discordant pairs. */
  mcnemarPValue: number;
  labelledCount: number;
}

export const UNCERTAINTY_DEFAULTS = { resamples: 1000, confidence: 0.95, seed: 20240611 } as const;

/** From per-sample labels (-1 = unlabelled, left out) and both models' top-1 predictions. */
export function top1Uncertainty(labels: ArrayLike<number>, floatPrediction: ArrayLike<number>, quantizedPrediction: ArrayLike<number>,
  options: Partial<typeof UNCERTAINTY_DEFAULTS> = {}): Top1Uncertainty {
  const floatCorrect: number[] = [];
  const quantizedCorrect: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) continue;
    floatCorrect.push(Number(floatPrediction[i] === labels[i]));
    quantizedCorrect.push(Number(quantizedPrediction[i] === labels[i]));
  }
  return pairedUncertainty(floatCorrect, quantizedCorrect, options);
}

/** From paired per-sample 0/1 outcomes of the two models (correct, hit@k...). */
export function pairedUncertainty(floatCorrect: ArrayLike<number>, quantizedCorrect: ArrayLike<number>,
  options: Partial<typeof UNCERTAINTY_DEFAULTS> = {}): Top1Uncertainty {
  const { resamples, confidence, seed } = { ...UNCERTAINTY_DEFAULTS, ...options };
  let floatOnly = 0;
  let quantizedOnly = 0;
  for (let i = 0; i < floatCorrect.length; i++) {
    if (floatCorrect[i] > quantizedCorrect[i]) floatOnly++;
    if (quantizedCorrect[i] > floatCorrect[i]) quantizedOnly++;
  }
  const boot = bootstrapMeanDelta(floatCorrect, quantizedCorrect, { resamples, confidence, seed });
  return {
    intervalPoints: { low: boot.interval.low * 100, high: boot.interval.high * 100 },
    intervalRelative: boot.relativeInterval,
    confidence,
    resamples,
    seed,
    mcnemarPValue: mcnemarExact(floatOnly, quantizedOnly).pValue,
    labelledCount: floatCorrect.length,
  };
}
