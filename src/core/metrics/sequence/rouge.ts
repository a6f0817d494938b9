/**
 * ROUGE-L (sentence-level LCS, Lin 2004) as google-research's rouge-score computes 'rougeL'
 * (rouge/rouge_scorer.py, _score_lcs) with its default tokenizer (rouge/tokenize.py, no stemmer):
 * lowercase, replace every run of characters outside [a-z0-9] by a space, split on whitespace —
 * so punctuation and non-ASCII letters are dropped, not kept as tokens. Then
 * P = LCS / |prediction|, R = LCS / |target|, F = 2PR / (P + R) (β = 1; 0 when P + R is 0), and
 * all three are 0 when either side has no tokens. No Porter stemming (rouge-score's default) and
 * no 'rougeLsum' (summary-level union-LCS over newline-split sentences).
 * Corpus value: the mean of per-sample scores. rouge-score's BootstrapAggregator reports the
 * bootstrap median of that mean ("mid"), which is close to it but random; the plain mean is exact.
 */
import { checkParallel } from './error-rate.ts';
import { lcsLength } from './edit-distance.ts';

/** Precision, recall and F-measure of one pair (or means over a corpus). */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** rouge-score's default tokenizer (no stemming). */
export function rougeTokens(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(/\s+/).filter((token) => token !== '');
}

/** ROUGE-L of one prediction against its target (reference). */
export function rougeL(target: string, prediction: string): RougeScore {
  const targetTokens = rougeTokens(target);
  const predictionTokens = rougeTokens(prediction);
  if (targetTokens.length === 0 || predictionTokens.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(targetTokens, predictionTokens);
  const precision = lcs / predictionTokens.length;
  const recall = lcs / targetTokens.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

/** Streaming mean ROUGE-L over a corpus. */
export class RougeLAccumulator {
  #precision = 0;
  #recall = 0;
  #fmeasure = 0;
  #sampleCount = 0;

  /** Adds one pair; returns its score (keep fmeasure per sample for a bootstrap). */
  add(target: string, prediction: string): RougeScore {
    const score = rougeL(target, prediction);
    this.#precision += score.precision;
    this.#recall += score.recall;
    this.#fmeasure += score.fmeasure;
    this.#sampleCount++;
    return score;
  }

  /** Means over the samples so far (NaN when none), with the sample count. */
  result(): RougeScore & { sampleCount: number } {
    const n = this.#sampleCount;
    return n === 0
      ? { precision: Number.NaN, recall: Number.NaN, fmeasure: Number.NaN, sampleCount: 0 }
      : { precision: this.#precision / n, recall: this.#recall / n, fmeasure: this.#fmeasure / n, sampleCount: n };
  }
}

/** Mean ROUGE-L of parallel targets and predictions. */
export function corpusRougeL(targets: readonly string[], predictions: readonly string[]): RougeScore & { sampleCount: number } {
  checkParallel(targets.length, predictions.length);
  const accumulator = new RougeLAccumulator();
  targets.forEach((target, i) => accumulator.add(target, predictions[i]));
  return accumulator.result();
}
