/**
 * Word and character error rates as jiwer computes them: Levenshtein edits (S + D + I) over the
 * reference, summed over the corpus and divided by the total reference length (not a mean of
 * per-sentence rates). Tokenisation follows jiwer's defaults: WER strips the text and splits it
 * into words on whitespace (jiwer's wer_default collapses runs of spaces and splits on " "; we split
 * on any whitespace run, which differs only for a lone tab or newline between words); CER strips
 * leading/trailing whitespace and compares Unicode code points, inner spaces included (cer_default).
 * Normalisation: none by default (case and punctuation count as errors); `lowercase` and
 * `stripPunctuation` (Unicode category P, like jiwer's RemovePunctuation) are opt-in.
 * Unlike jiwer, an empty reference is allowed (its hypothesis words are all insertions); the
 * corpus rate is NaN only when every reference is empty.
 */
import { QuantLensError } from '../../errors.ts';
import { levenshtein } from './edit-distance.ts';

/** Opt-in text normalisation applied before tokenising. */
export interface TextNormalisation {
  lowercase?: boolean;
  stripPunctuation?: boolean;
}

/** Counts of one sample, kept by callers that need per-sample values (bootstrap, segments). */
export interface ErrorCounts {
  edits: number;
  referenceLength: number;
}

/** Corpus-level error rate and its counts. */
export interface ErrorRateResult extends ErrorCounts {
  sampleCount: number;
  /** edits / referenceLength; NaN when referenceLength is 0. Can exceed 1 (insertions). */
  errorRate: number;
}

const PUNCTUATION = /\p{P}/gu;

/** Applies the opt-in normalisation. */
export function normaliseText(text: string, options: TextNormalisation = {}): string {
  let result = options.lowercase ? text.toLowerCase() : text;
  if (options.stripPunctuation) result = result.replace(PUNCTUATION, '');
  return result;
}

/** Words of a text: normalised, stripped, split on whitespace runs. */
export function wordsOf(text: string, options: TextNormalisation = {}): string[] {
  const stripped = normaliseText(text, options).trim();
  return stripped === '' ? [] : stripped.split(/\s+/u);
}

/** Characters (Unicode code points, like Python's str) of a normalised, stripped text. */
export function charactersOf(text: string, options: TextNormalisation = {}): string[] {
  return Array.from(normaliseText(text, options).trim());
}

/** Streaming WER ('word') or CER ('character'): memory O(1) beyond the current pair of texts. */
export class ErrorRateAccumulator {
  readonly #unit: 'word' | 'character';
  readonly #options: TextNormalisation;
  #edits = 0;
  #referenceLength = 0;
  #sampleCount = 0;

  constructor(unit: 'word' | 'character', options: TextNormalisation = {}) {
    this.#unit = unit;
    this.#options = options;
  }

  /** Adds one reference/hypothesis pair; returns its counts. */
  add(reference: string, hypothesis: string): ErrorCounts {
    const split = this.#unit === 'word' ? wordsOf : charactersOf;
    const referenceTokens = split(reference, this.#options);
    const counts = { edits: levenshtein(referenceTokens, split(hypothesis, this.#options)), referenceLength: referenceTokens.length };
    this.#edits += counts.edits;
    this.#referenceLength += counts.referenceLength;
    this.#sampleCount++;
    return counts;
  }

  /** Corpus-level rate so far. */
  result(): ErrorRateResult {
    return {
      sampleCount: this.#sampleCount,
      edits: this.#edits,
      referenceLength: this.#referenceLength,
      errorRate: this.#referenceLength === 0 ? Number.NaN : this.#edits / this.#referenceLength,
    };
  }
}

/** Corpus WER of parallel references and hypotheses. */
export function wordErrorRate(references: readonly string[], hypotheses: readonly string[],
  options: TextNormalisation = {}): ErrorRateResult {
  return corpus('word', references, hypotheses, options);
}

/** Corpus CER of parallel references and hypotheses. */
export function characterErrorRate(references: readonly string[], hypotheses: readonly string[],
  options: TextNormalisation = {}): ErrorRateResult {
  return corpus('character', references, hypotheses, options);
}

function corpus(unit: 'word' | 'character', references: readonly string[], hypotheses: readonly string[],
  options: TextNormalisation): ErrorRateResult {
  checkParallel(references.length, hypotheses.length);
  const accumulator = new ErrorRateAccumulator(unit, options);
  references.forEach((reference, i) => accumulator.add(reference, hypotheses[i]));
  return accumulator.result();
}

/** Throws unless there is one hypothesis per reference. */
export function checkParallel(references: number, hypotheses: number): void {
  if (references !== hypotheses) {
    throw new QuantLensError('invalid-input',
      `There are ${references} references but ${hypotheses} model outputs.`,
      'Give exactly one model output per reference, in the same order.');
  }
}
