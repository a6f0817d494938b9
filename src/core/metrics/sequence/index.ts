/** Sequence metrics: WER / CER, corpus BLEU, ROUGE-L, exact match and perplexity. */
export { levenshtein, lcsLength } from './edit-distance.ts';
export {
  ErrorRateAccumulator, wordErrorRate, characterErrorRate, wordsOf, charactersOf, normaliseText,
} from './error-rate.ts';
export type { TextNormalisation, ErrorCounts, ErrorRateResult } from './error-rate.ts';
export { BleuAccumulator, corpusBleu, bleuSentenceStatistics, bleuFromStatistics } from './bleu.ts';
export type { BleuOptions, BleuStatistics, BleuResult } from './bleu.ts';
export { tokenize13a } from './tokenize-13a.ts';
export { RougeLAccumulator, rougeL, corpusRougeL, rougeTokens } from './rouge.ts';
export type { RougeScore } from './rouge.ts';
export { exactMatch, normaliseForMatch } from './exact-match.ts';
export type { ExactMatchOptions } from './exact-match.ts';
export { PerplexityAccumulator, logSumExp } from './perplexity.ts';
export type { NllCounts, PerplexityResult } from './perplexity.ts';
