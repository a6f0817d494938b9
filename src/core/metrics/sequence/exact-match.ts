/**
 * Exact match: 1 when the prediction equals the reference, else 0; the corpus value is the mean.
 * Default: the strings must be identical (Hugging Face evaluate's exact_match with its defaults).
 * Opt-in normalisation, applied to both sides in this order: lowercase, strip punctuation (Unicode
 * category P), 'squad' (SQuAD v1.1's normalize_answer: lowercase, drop ASCII punctuation, drop the
 * articles a / an / the, collapse whitespace), and collapseWhitespace (trim + single spaces).
 */

/** How exact the match must be. */
export interface ExactMatchOptions {
  lowercase?: boolean;
  stripPunctuation?: boolean;
  collapseWhitespace?: boolean;
  /** SQuAD's answer normalisation; implies lowercase and whitespace collapsing. */
  squad?: boolean;
}

const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/** The text after the chosen normalisation. */
export function normaliseForMatch(text: string, options: ExactMatchOptions = {}): string {
  let result = options.lowercase || options.squad ? text.toLowerCase() : text;
  if (options.stripPunctuation) result = result.replace(/\p{P}/gu, '');
  if (options.squad) result = result.replace(ASCII_PUNCTUATION, '').replace(/\b(a|an|the)\b/g, ' ');
  if (options.collapseWhitespace || options.squad) result = result.split(/\s+/).filter((word) => word !== '').join(' ');
  return result;
}

/** 1 when prediction and reference match after normalisation, else 0. */
export function exactMatch(prediction: string, reference: string, options: ExactMatchOptions = {}): 0 | 1 {
  return normaliseForMatch(prediction, options) === normaliseForMatch(reference, options) ? 1 : 0;
}
