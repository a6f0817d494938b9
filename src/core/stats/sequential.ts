/**
 * Early verdict: a sequential test that may stop after any sample and still keeps its error rate.
 *
 * Method: testing by betting (Waudby-Smith & Ramdas 2023, "Estimating means of bounded random
 * variables by betting", JRSS-B 86(1); Shafer 2021). Each sample gives a bounded per-sample loss
 * Z (float − quantized score, or the relative form below), rescaled to X ∈ [0, 1], with the budget m.
 * Two nonnegative wealth processes bet against the two claims a wrong verdict would need:
 *   K_exceeds  = Π (1 + λ_i (X_i − m))   grows when the mean loss is above the budget,
 *   K_within   = Π (1 + μ_i (m − X_i))   grows when it is below.
 * Under "true mean ≤ m" K_exceeds is a nonnegative supermartingale, so by Ville's inequality
 * P(K_exceeds ever reaches 1/α) ≤ α; likewise for K_within under "true mean ≥ m". The verdict
 * settles the first time one of them reaches 1/α. The bets λ_i, μ_i are aGRAPA (approximate
 * growth-rate-adaptive) bets from the past samples only, clipped to half the largest safe bet.
 *
 * Guarantee: for ANY stopping rule (peeking after every sample included), the probability of
 * ever settling on the wrong side of the budget is at most α. At a mean exactly on the budget
 * each outcome has probability at most α. It need not settle: near the budget it may run out of
 * samples, and then the fixed-sample verdict with its interval decides (usually inconclusive).
 *
 * Assumptions: samples are independent draws from the population of interest with one common mean
 * (evaluate a dataset in a shuffled order: a dataset sorted by class breaks this); per-sample scores
 * lie in [0, 1] (correctness, exact match, per-sample ROUGE-L) and the metric is their mean.
 */
import { QuantLensError } from '../errors.ts';
import type { VerdictOutcome } from '../metrics/types.ts';

/** What the early verdict decides and how sure it must be. */
export interface SequentialVerdictOptions {
  /**
   * 'points': loss ≤ threshold percentage points; 'relative': loss ≤ threshold % of the float
   * value; 'significance': settles only 'exceeds' (a statistically significant loss), never 'within'.
   */
  mode?: 'points' | 'relative' | 'significance';
  /** Budget in points ('points') or percent ('relative'); ignored for 'significance'. */
  threshold?: number;
  /** Largest acceptable probability of a wrong verdict; default 0.05. */
  alpha?: number;
  /** false for error-like scores (per-sample error, WER ≤ 1 clipped); default true. */
  higherIsBetter?: boolean;
}

/** The state after a sample: settled once, it stays settled with the same outcome. */
export interface SequentialState {
  settled: boolean;
  outcome?: Exclude<VerdictOutcome, 'inconclusive'>;
  /** Samples seen up to now, or up to the moment it settled. */
  samplesUsed: number;
  /** Mean scores so far. */
  floatMean: number;
  quantizedMean: number;
}

/** Safety margin on bets: half of the largest bet that keeps wealth nonnegative (W-S & R use 1/2 or 3/4). */
const BET_FRACTION = 0.5;

/** Sequential test of the quantized model's loss against a budget; feed it samples one by one. */
export class SequentialVerdict {
  readonly #alpha: number;
  readonly #mode: 'points' | 'relative' | 'significance';
  readonly #higherIsBetter: boolean;
  readonly #floatWeight: number;
  readonly #low: number;
  readonly #span: number;
  /** The budget on the rescaled [0, 1] loss. */
  readonly #budget: number;
  #exceedsLogWealth = 0;
  #withinLogWealth = 0;
  #count = 0;
  #floatSum = 0;
  #quantizedSum = 0;
  #sum = 0;
  #sumSquares = 0;
  #state: SequentialState = { settled: false, samplesUsed: 0, floatMean: Number.NaN, quantizedMean: Number.NaN };

  constructor(options: SequentialVerdictOptions = {}) {
    this.#alpha = options.alpha ?? 0.05;
    this.#mode = options.mode ?? 'points';
    this.#higherIsBetter = options.higherIsBetter ?? true;
    const threshold = this.#mode === 'significance' ? 0 : options.threshold ?? Number.NaN;
    if (!(this.#alpha > 0 && this.#alpha < 1)) {
      throw new QuantLensError('invalid-input', `alpha must lie strictly between 0 and 1 (got ${this.#alpha}).`,
        'Use 0.05 for at most a 5% chance of a wrong verdict.');
    }
    if (!Number.isFinite(threshold) || threshold < 0) {
      throw new QuantLensError('invalid-input', `The early verdict needs a budget of 0 or more (got ${options.threshold}).`,
        'Set the threshold to the largest loss you accept, e.g. 1 (point) or 2 (% relative).');
    }
    // Per-sample loss Z = w·f − q (higher is better) or q − w·f (lower is better), budget m:
    // points: w = 1, m = N / 100; relative: w = 1 ∓ r, m = 0, so that mean Z ≤ 0 ⇔ relative loss ≤ r.
    const relative = this.#mode === 'relative' ? threshold / 100 : 0;
    this.#floatWeight = this.#higherIsBetter ? 1 - relative : 1 + relative;
    const budget = this.#mode === 'points' ? threshold / 100 : 0;
    const w = this.#floatWeight;
    const [low, high] = this.#higherIsBetter ? [Math.min(w, 0) - 1, Math.max(w, 0)] : [-w, 1];
    this.#low = low;
    this.#span = high - low;
    this.#budget = (budget - low) / this.#span;
  }

  /** Adds one sample's scores (true/false or a number in [0, 1]) and returns the state. */
  add(floatScore: boolean | number, quantizedScore: boolean | number): SequentialState {
    if (this.#state.settled) return this.#state;
    const f = checkScore(floatScore, 'float');
    const q = checkScore(quantizedScore, 'quantized');
    const loss = this.#higherIsBetter ? this.#floatWeight * f - q : q - this.#floatWeight * f;
    const x = Math.min(1, Math.max(0, (loss - this.#low) / this.#span));
    this.#bet(x);
    this.#count++;
    this.#floatSum += f;
    this.#quantizedSum += q;
    const threshold = Math.log(1 / this.#alpha);
    let outcome: SequentialState['outcome'];
    if (this.#budget >= 1 && this.#mode !== 'significance') outcome = 'within';
    else if (this.#exceedsLogWealth >= threshold) outcome = 'exceeds';
    else if (this.#withinLogWealth >= threshold && this.#mode !== 'significance') outcome = 'within';
    this.#state = {
      settled: outcome !== undefined,
      outcome,
      samplesUsed: this.#count,
      floatMean: this.#floatSum / this.#count,
      quantizedMean: this.#quantizedSum / this.#count,
    };
    return this.#state;
  }

  /** The latest state (also returned by add). */
  get state(): SequentialState {
    return this.#state;
  }

  // aGRAPA bet from the samples before this one (predictable), then update the wealth with x.
  #bet(x: number): void {
    const m = this.#budget;
    const mean = (0.5 + this.#sum) / (this.#count + 1);
    const variance = (0.25 + this.#sumSquares) / (this.#count + 1);
    const drift = mean - m;
    const growthOptimal = drift / (variance + drift * drift);
    if (m > 0 && m < 1) {
      const exceedsBet = clamp(growthOptimal, 0, BET_FRACTION / m);
      const withinBet = clamp(-growthOptimal, 0, BET_FRACTION / (1 - m));
      this.#exceedsLogWealth += Math.log1p(exceedsBet * (x - m));
      this.#withinLogWealth += Math.log1p(withinBet * (m - x));
    }
    // Running sums for the next bet: mean of the past, and squared deviations from the running mean.
    this.#sum += x;
    this.#sumSquares += (x - mean) * (x - mean);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function checkScore(score: boolean | number, model: string): number {
  const value = Number(score);
  if (!(value >= 0 && value <= 1)) {
    throw new QuantLensError('invalid-input', `The ${model} model's per-sample score ${score} is not between 0 and 1.`,
      'Pass true/false (correct or not) or a per-sample score between 0 and 1.');
  }
  return value;
}
