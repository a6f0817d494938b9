/**
 * Embedding models: how close the quantized embeddings stay to the float ones (cosine similarity
 * per sample), and retrieval quality against graded relevance (recall@k, MRR, nDCG@k).
 */
import { QuantLensError } from '../errors.ts';
import { percentileOfSorted } from './latency.ts';
import { GrowableArray } from './growable.ts';

/**
 * Cosine similarity of two vectors, clipped to [-1, 1]: 1 when both are all zeros, 0 when only
 * one is (the convention of KNOWLEDGE.md's error measures).
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new QuantLensError('model-mismatch', `The two embeddings have ${a.length} and ${b.length} dimensions.`,
      'Compare outputs of the same embedding model, float and quantized.');
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  if (normA === 0 && normB === 0) return 1;
  if (normA === 0 || normB === 0) return 0;
  return Math.min(1, Math.max(-1, dot / (Math.sqrt(normA) * Math.sqrt(normB))));
}

/** Distribution of the per-sample cosine similarity between float and quantized embeddings. */
export interface EmbeddingSimilarityResult {
  sampleCount: number;
  meanCosine: number;
  minCosine: number;
  /** Sample whose embeddings differ most (lowest cosine; the first one on ties); -1 when none. */
  minSampleIndex: number;
  /** numpy.percentile (linear) of the cosines: 1st, 5th and 50th. */
  p1Cosine: number;
  p5Cosine: number;
  medianCosine: number;
}

/** Accumulates cosine(float embedding, quantized embedding), 8 bytes per sample. */
export class EmbeddingSimilarityAccumulator {
  readonly #cosines = new GrowableArray('float64', 1024);

  /** Adds one sample's two embeddings; returns their cosine similarity. */
  add(floatEmbedding: ArrayLike<number>, quantizedEmbedding: ArrayLike<number>): number {
    const cosine = cosineSimilarity(floatEmbedding, quantizedEmbedding);
    if (Number.isNaN(cosine)) {
      throw new QuantLensError('invalid-input', 'An embedding holds NaN or infinite values.',
        'Check the model outputs; a NaN usually means the quantized model overflowed.');
    }
    this.#cosines.push(cosine);
    return cosine;
  }

  /** Mean, minimum and low percentiles so far (NaN when empty). */
  result(): EmbeddingSimilarityResult {
    const cosines = this.#cosines.view();
    if (cosines.length === 0) {
      return { sampleCount: 0, meanCosine: Number.NaN, minCosine: Number.NaN, minSampleIndex: -1,
        p1Cosine: Number.NaN, p5Cosine: Number.NaN, medianCosine: Number.NaN };
    }
    let minSampleIndex = 0;
    let sum = 0;
    cosines.forEach((value, i) => {
      sum += value;
      if (value < cosines[minSampleIndex]) minSampleIndex = i;
    });
    const sorted = Float64Array.from(cosines).sort();
    return {
      sampleCount: cosines.length,
      meanCosine: sum / cosines.length,
      minCosine: cosines[minSampleIndex],
      minSampleIndex,
      p1Cosine: percentileOfSorted(sorted, 1),
      p5Cosine: percentileOfSorted(sorted, 5),
      medianCosine: percentileOfSorted(sorted, 50),
    };
  }
}

/** A document identifier as the dataset names it. */
export type DocumentId = string | number;

/** Retrieval quality over the queries that have at least one relevant document. */
export interface RetrievalResult {
  queryCount: number;
  /** Queries with a relevant document (grade > 0): the means below are over these only. */
  scoredQueryCount: number;
  /** Share of a query's relevant documents found in its top k, averaged over queries. */
  recallAtK: { k: number; value: number }[];
  /**
   * DCG@k / ideal DCG@k with linear gain (the grade) and discount 1 / log2(rank + 1), as
   * sklearn.metrics.ndcg_score; the ideal ranking uses every graded document of the query.
   */
  ndcgAtK: { k: number; value: number }[];
  /** Mean of 1 / rank of the first relevant document (0 when none is retrieved). */
  mrr: number;
}

/** Accumulates recall@k, MRR and nDCG@k from ranked lists and graded relevance, query by query. */
export class RetrievalAccumulator {
  readonly #ks: number[];
  readonly #recallSums: number[];
  readonly #ndcgSums: number[];
  #reciprocalRankSum = 0;
  #queryCount = 0;
  #scoredQueryCount = 0;

  /** `ks`: the cut-offs reported, e.g. [1, 5, 10]. */
  constructor(ks: readonly number[] = [1, 5, 10]) {
    if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
      throw new QuantLensError('invalid-input', `Cut-offs k must be whole numbers above 0 (got ${ks.join(', ')}).`,
        'Use cut-offs such as 1, 5 and 10.');
    }
    this.#ks = [...ks];
    this.#recallSums = ks.map(() => 0);
    this.#ndcgSums = ks.map(() => 0);
  }

  /** Adds one query: the documents the model ranked (best first) and each graded document's relevance. */
  add(ranked: readonly DocumentId[], relevance: ReadonlyMap<DocumentId, number>): void {
    if (new Set(ranked).size !== ranked.length) {
      throw new QuantLensError('invalid-input', 'A ranked list holds the same document twice.',
        'Give each retrieved document once, best first.');
    }
    const grades = [...relevance.values()];
    if (grades.some((grade) => !Number.isFinite(grade) || grade < 0)) {
      throw new QuantLensError('dataset-invalid', 'A relevance grade is negative or not a number.',
        'Grades are 0 (not relevant) or positive numbers (more is more relevant).');
    }
    this.#queryCount++;
    const relevantCount = grades.filter((grade) => grade > 0).length;
    if (relevantCount === 0) return;
    this.#scoredQueryCount++;

    const gains = ranked.map((id) => relevance.get(id) ?? 0);
    const firstRelevant = gains.findIndex((gain) => gain > 0);
    this.#reciprocalRankSum += firstRelevant === -1 ? 0 : 1 / (firstRelevant + 1);
    const idealGains = grades.sort((a, b) => b - a);
    this.#ks.forEach((k, i) => {
      const top = gains.slice(0, k);
      this.#recallSums[i] += top.filter((gain) => gain > 0).length / relevantCount;
      this.#ndcgSums[i] += discountedGain(top) / discountedGain(idealGains.slice(0, k));
    });
  }

  /** The means so far (NaN when no query has a relevant document). */
  result(): RetrievalResult {
    const count = this.#scoredQueryCount;
    const meanOf = (sum: number): number => (count === 0 ? Number.NaN : sum / count);
    return {
      queryCount: this.#queryCount,
      scoredQueryCount: count,
      recallAtK: this.#ks.map((k, i) => ({ k, value: meanOf(this.#recallSums[i]) })),
      ndcgAtK: this.#ks.map((k, i) => ({ k, value: meanOf(this.#ndcgSums[i]) })),
      mrr: meanOf(this.#reciprocalRankSum),
    };
  }
}

function discountedGain(gains: number[]): number {
  return gains.reduce((sum, gain, rank) => sum + gain / Math.log2(rank + 2), 0);
}
