/**
 * Corpus BLEU with sacrebleu's defaults (Post 2018; mjpost/sacrebleu metrics/bleu.py), which are:
 * - tokenize '13a' (mteval-v13a, see tokenize-13a.ts) after rstrip(); 'none' splits on whitespace only;
 * - case-sensitive (lowercase: false); n-grams of order 1..4 (max_ngram_order 4);
 * - corpus-level statistics: per-sentence clipped n-gram matches (clipped by the maximum count in
 *   any one reference) and totals are SUMMED over the corpus, then the precisions are computed once
 *   (not an average of sentence BLEUs);
 * - brevity penalty exp(1 − r / c) when c < r, with c the total hypothesis length and r the sum of,
 *   per sentence, the reference length closest to the hypothesis length (ties to the shorter);
 * - smoothing 'exp' (NIST / Chen & Cherry 2014 method 3): the k-th order with 0 matches gets
 *   precision 1 / (2^k · total); 'floor' (0.1), 'add-k' (1) and 'none' are available too;
 * - effective_order false: all 4 orders count; log(0) is taken as −9999999999 like sacrebleu's my_log;
 * - the score is 0 when no unigram matches at all; scores are in 0..100 like sacrebleu's.
 */
import { QuantLensError } from '../../errors.ts';
import { checkParallel } from './error-rate.ts';
import { splitWhitespace, tokenize13a } from './tokenize-13a.ts';

/** sacrebleu's BLEU options that QuantLens supports; all default to sacrebleu's defaults. */
export interface BleuOptions {
  tokenize?: '13a' | 'none';
  lowercase?: boolean;
  smoothMethod?: 'exp' | 'floor' | 'add-k' | 'none';
  /** For 'floor' (default 0.1) and 'add-k' (default 1). */
  smoothValue?: number;
  effectiveOrder?: boolean;
}

/** Sufficient statistics of a sentence or a corpus (sums of sentence statistics). */
export interface BleuStatistics {
  hypothesisLength: number;
  referenceLength: number;
  /** Clipped matches per order 1..4. */
  matches: number[];
  /** Hypothesis n-grams per order 1..4. */
  totals: number[];
}

/** A BLEU score (0..100) with what it was computed from. */
export interface BleuResult extends BleuStatistics {
  score: number;
  /** Per-order precisions in percent, after smoothing. */
  precisions: number[];
  brevityPenalty: number;
}

const MAX_ORDER = 4;
const SMOOTH_DEFAULTS = { exp: 0, floor: 0.1, 'add-k': 1, none: 0 } as const;

/** Statistics of one hypothesis against its references (one or more strings). */
export function bleuSentenceStatistics(hypothesis: string, references: string | readonly string[],
  options: BleuOptions = {}): BleuStatistics {
  const referenceList = typeof references === 'string' ? [references] : references;
  if (referenceList.length === 0) {
    throw new QuantLensError('invalid-input', 'BLEU needs at least one reference per sentence.',
      'Give every sample a reference text.');
  }
  const hypothesisTokens = tokensOf(hypothesis, options);
  const referenceCounts = new Map<string, number>();
  const referenceLengths: number[] = [];
  for (const reference of referenceList) {
    const tokens = tokensOf(reference, options);
    referenceLengths.push(tokens.length);
    for (const [ngram, count] of ngramCounts(tokens)) {
      referenceCounts.set(ngram, Math.max(referenceCounts.get(ngram) ?? 0, count));
    }
  }
  const matches = new Array<number>(MAX_ORDER).fill(0);
  const totals = new Array<number>(MAX_ORDER).fill(0);
  for (const [ngram, count] of ngramCounts(hypothesisTokens)) {
    const order = ngram.split(' ').length - 1;
    totals[order] += count;
    matches[order] += Math.min(count, referenceCounts.get(ngram) ?? 0);
  }
  return { hypothesisLength: hypothesisTokens.length, referenceLength: closestLength(hypothesisTokens.length, referenceLengths), matches, totals };
}

/** BLEU from (corpus-summed) statistics: sacrebleu's BLEU.compute_bleu. */
export function bleuFromStatistics(stats: BleuStatistics, options: BleuOptions = {}): BleuResult {
  const method = options.smoothMethod ?? 'exp';
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[method];
  const { hypothesisLength: sysLen, referenceLength: refLen } = stats;
  const matches = [...stats.matches];
  const totals = [...stats.totals];
  const brevityPenalty = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(MAX_ORDER).fill(0);
  const result = (score: number): BleuResult => ({ ...stats, score, precisions, brevityPenalty });
  if (!matches.some((count) => count > 0)) return result(0);

  let smoothMteval = 1;
  let effectiveOrder = MAX_ORDER;
  for (let n = 1; n <= MAX_ORDER; n++) {
    if (method === 'add-k' && n > 1) {
      matches[n - 1] += smoothValue;
      totals[n - 1] += smoothValue;
    }
    if (totals[n - 1] === 0) break;
    if (options.effectiveOrder) effectiveOrder = n;
    if (matches[n - 1] === 0) {
      if (method === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * totals[n - 1]);
      } else if (method === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / totals[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * matches[n - 1]) / totals[n - 1];
    }
  }
  let logSum = 0;
  for (let n = 0; n < effectiveOrder; n++) logSum += precisions[n] === 0 ? -9999999999 : Math.log(precisions[n]);
  return result(brevityPenalty * Math.exp(logSum / effectiveOrder));
}

/** Streaming corpus BLEU: keeps only the 10 summed statistics. */
export class BleuAccumulator {
  readonly #options: BleuOptions;
  readonly #sum: BleuStatistics = { hypothesisLength: 0, referenceLength: 0, matches: [0, 0, 0, 0], totals: [0, 0, 0, 0] };

  constructor(options: BleuOptions = {}) {
    this.#options = options;
  }

  /** Adds one hypothesis with its references; returns the sentence's statistics. */
  add(hypothesis: string, references: string | readonly string[]): BleuStatistics {
    const stats = bleuSentenceStatistics(hypothesis, references, this.#options);
    this.#sum.hypothesisLength += stats.hypothesisLength;
    this.#sum.referenceLength += stats.referenceLength;
    for (let n = 0; n < MAX_ORDER; n++) {
      this.#sum.matches[n] += stats.matches[n];
      this.#sum.totals[n] += stats.totals[n];
    }
    return stats;
  }

  /** Corpus BLEU so far. */
  result(): BleuResult {
    return bleuFromStatistics(this.#sum, this.#options);
  }
}

/**
 * Corpus BLEU of hypotheses against per-hypothesis references (references[i] is the string or
 * strings for hypotheses[i]; sacrebleu takes the transpose, one list per reference stream).
 */
export function corpusBleu(hypotheses: readonly string[], references: readonly (string | readonly string[])[],
  options: BleuOptions = {}): BleuResult {
  checkParallel(references.length, hypotheses.length);
  const accumulator = new BleuAccumulator(options);
  hypotheses.forEach((hypothesis, i) => accumulator.add(hypothesis, references[i]));
  return accumulator.result();
}

function tokensOf(text: string, options: BleuOptions): string[] {
  const cased = options.lowercase ? text.toLowerCase() : text;
  const line = cased.trimEnd();
  return splitWhitespace((options.tokenize ?? '13a') === '13a' ? tokenize13a(line) : line);
}

function ngramCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= MAX_ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const ngram = tokens.slice(i, i + n).join(' ');
      counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
    }
  }
  return counts;
}

// sacrebleu's _get_closest_ref_len: the reference length nearest the hypothesis length, ties to the shorter.
function closestLength(hypothesisLength: number, referenceLengths: readonly number[]): number {
  let best = referenceLengths[0];
  for (const length of referenceLengths) {
    const difference = Math.abs(hypothesisLength - length);
    const bestDifference = Math.abs(hypothesisLength - best);
    if (difference < bestDifference || (difference === bestDifference && length < best)) best = length;
  }
  return best;
}
