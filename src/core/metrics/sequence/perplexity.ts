/**
 * Perplexity from logits and target token ids: exp of the mean negative log-likelihood over all
 * counted tokens of the corpus (token-weighted, as Hugging Face's perplexity guide and
 * torch.nn.CrossEntropyLoss(reduction='mean') then exp compute it), not a mean of per-sequence
 * perplexities. NLL of a token = logsumexp(logits) − logits[target], with logsumexp computed stably
 * around the row maximum. Targets equal to ignoreIndex (default −100, PyTorch's) are skipped.
 * Alignment is the caller's: logits row t must predict target t (for a causal LM, pass the logits
 * of positions 0..T−2 with the tokens 1..T−1).
 */
import { QuantLensError } from '../../errors.ts';

/** One sequence's contribution (keep them per sample for a bootstrap of perplexity). */
export interface NllCounts {
  nllSum: number;
  tokenCount: number;
}

/** Corpus perplexity and its parts. */
export interface PerplexityResult extends NllCounts {
  sequenceCount: number;
  /** nllSum / tokenCount in nats; NaN when no token was counted. */
  meanNll: number;
  perplexity: number;
}

/** Streaming perplexity; memory O(1). */
export class PerplexityAccumulator {
  readonly #vocabularySize: number;
  readonly #ignoreIndex: number;
  #nllSum = 0;
  #tokenCount = 0;
  #sequenceCount = 0;

  constructor(vocabularySize: number, options: { ignoreIndex?: number } = {}) {
    if (!Number.isInteger(vocabularySize) || vocabularySize < 1) {
      throw new QuantLensError('invalid-input', `A vocabulary needs at least 1 token (got ${vocabularySize}).`,
        'Pass the size of the model\'s last logits dimension.');
    }
    this.#vocabularySize = vocabularySize;
    this.#ignoreIndex = options.ignoreIndex ?? -100;
  }

  /** Adds one sequence: logits flattened [positions × vocabulary], one target id per position. */
  add(logits: ArrayLike<number>, targets: ArrayLike<number>): NllCounts {
    const v = this.#vocabularySize;
    if (logits.length !== targets.length * v) {
      throw new QuantLensError('model-mismatch',
        `The model gave ${logits.length} logits for ${targets.length} target tokens with a vocabulary of ${v}.`,
        'Pass one row of logits per target token, aligned so that row t predicts target t.');
    }
    let nllSum = 0;
    let tokenCount = 0;
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t];
      if (target === this.#ignoreIndex) continue;
      if (!Number.isInteger(target) || target < 0 || target >= v) {
        throw new QuantLensError('dataset-invalid', `The target token ${target} is not in the vocabulary (0 to ${v - 1}).`,
          'Check that the targets are token ids of the same tokenizer as the model.');
      }
      nllSum += logSumExp(logits, t * v, v) - logits[t * v + target];
      tokenCount++;
    }
    this.#nllSum += nllSum;
    this.#tokenCount += tokenCount;
    this.#sequenceCount++;
    return { nllSum, tokenCount };
  }

  /** Corpus perplexity so far. */
  result(): PerplexityResult {
    const meanNll = this.#tokenCount === 0 ? Number.NaN : this.#nllSum / this.#tokenCount;
    return { nllSum: this.#nllSum, tokenCount: this.#tokenCount, sequenceCount: this.#sequenceCount, meanNll, perplexity: Math.exp(meanNll) };
  }
}

/** log Σ exp(row), shifted by the row maximum so that nothing overflows. */
export function logSumExp(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  let max = -Infinity;
  for (let i = offset; i < offset + length; i++) max = Math.max(max, values[i]);
  if (max === -Infinity) return -Infinity;
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = offset; i < offset + length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}
