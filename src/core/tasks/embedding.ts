/**
 * Embeddings: how close the quantized vectors stay to the float ones (cosine per sample, needs no
 * labels), and retrieval quality of each model on the labelled set (each sample queries all the
 * others by cosine; same class = relevant): recall@k, MRR, nDCG@k.
 */
import type { OutputTensor, PreparedSample } from '../eval/evaluate.ts';
import { EmbeddingSimilarityAccumulator, RetrievalAccumulator, cosineSimilarity, metricDelta } from '../metrics/index.ts';
import type { EmbeddingSimilarityResult, RetrievalResult } from '../metrics/index.ts';
import type { MetricRow, PairAccumulator, TaskOutcome } from './types.ts';
import { checkSnapshot, vectorsWithCosine, type SnapshotHeader } from './snapshot.ts';

export interface EmbeddingOutcome extends TaskOutcome {
  kind: 'embedding';
  similarity: EmbeddingSimilarityResult;
  /** Null when fewer than two labelled samples were kept. */
  float: RetrievalResult | null;
  quantized: RetrievalResult | null;
  /** Samples used as retrieval queries (the first `maxQueries` labelled ones). */
  queryCount: number;
  /**
   * Recall@k as metric learning means it (the headline metric): the share of queries with a
   * same-class item among their k nearest, over the queries whose class has another sample.
   * (RetrievalResult.recallAtK is the IR recall, found / all relevant: with 200 samples per class
   * its @1 can be at most 1/199.)
   */
  sameClassAtK: { k: number; float: number; quantized: number; hitsFloat: number; hitsQuantized: number; of: number }[];
}

/** The cosine of every sample (all the similarity accumulator keeps) and the retrieval set. */
export interface EmbeddingSnapshot extends SnapshotHeader {
  kind: 'embedding';
  cosines: Float64Array;
  kept: { label: number; float: Float32Array; quantized: Float32Array }[];
}

export class EmbeddingPair implements PairAccumulator<EmbeddingOutcome> {
  readonly #similarity = new EmbeddingSimilarityAccumulator();
  readonly #kept: { label: number; float: Float32Array; quantized: Float32Array }[] = [];
  readonly #cosines: number[] = [];

  constructor(
    readonly ks: readonly number[] = [1, 5, 10],
    readonly maxQueries = 5000,
  ) {}

  add(sample: PreparedSample, floatOutputs: OutputTensor[], quantizedOutputs: OutputTensor[]): void {
    const float = floatOutputs[0].data;
    const quantized = quantizedOutputs[0].data;
    this.#cosines.push(this.#similarity.add(float, quantized));
    if (sample.label !== null && this.#kept.length < this.maxQueries) this.#kept.push({ label: sample.label, float, quantized });
  }

  snapshot(): EmbeddingSnapshot {
    return { kind: 'embedding', version: 1, cosines: Float64Array.from(this.#cosines), kept: this.#kept.slice() };
  }

  /** Cosines come back through vector pairs that have exactly that cosine. */
  restore(state: EmbeddingSnapshot): void {
    const saved = checkSnapshot<EmbeddingSnapshot>(state, 'embedding');
    if (this.#cosines.length > 0) throw new Error('restore needs a fresh accumulator');
    for (const cosine of saved.cosines) this.#cosines.push(this.#similarity.add(...vectorsWithCosine(cosine)));
    this.#kept.push(...saved.kept);
  }

  finish(): EmbeddingOutcome {
    const similarity = this.#similarity.result();
    const floatRun = this.#retrieval('float');
    const quantizedRun = this.#retrieval('quantized');
    const float = floatRun?.result ?? null;
    const quantized = quantizedRun?.result ?? null;
    const sameClassAtK = floatRun && quantizedRun
      ? this.ks.map((k, i) => ({ k, float: floatRun.hits[i] / floatRun.of, quantized: quantizedRun.hits[i] / quantizedRun.of, hitsFloat: floatRun.hits[i], hitsQuantized: quantizedRun.hits[i], of: floatRun.of }))
      : [];
    const metrics: MetricRow[] = [];
    if (float && quantized) {
      const first = sameClassAtK[0];
      metrics.push({ id: `recall@${first.k}`, name: `Recall@${first.k} (same class)`, unit: 'proportion', delta: metricDelta(first.float, first.quantized), counts: { float: first.hitsFloat, quantized: first.hitsQuantized, of: first.of } });
      metrics.push({ id: 'mrr', name: 'MRR', unit: 'proportion', delta: metricDelta(float.mrr, quantized.mrr) });
      float.ndcgAtK.forEach((entry, i) => metrics.push({ id: `ndcg@${entry.k}`, name: `nDCG@${entry.k}`, unit: 'proportion', delta: metricDelta(entry.value, quantized.ndcgAtK[i].value) }));
    }
    return {
      kind: 'embedding',
      ...(floatRun && quantizedRun ? { primaryOutcomes: { float: floatRun.firstHits, quantized: quantizedRun.firstHits } } : {}),
      metrics,
      agreement: [
        { id: 'mean-cosine', name: 'Mean cosine similarity (float vs quantized)', value: similarity.meanCosine, unit: 'number', detail: `1 = identical directions; the worst sample has ${similarity.minCosine.toFixed(4)}.` },
      ],
      similarity,
      float,
      quantized,
      queryCount: this.#kept.length,
      sameClassAtK,
    };
  }

  /** Retrieval of each query among the others; `hits[i]`: queries with a same-class item in their top ks[i], `of`: queries that have one at all. */
  #retrieval(role: 'float' | 'quantized'): { result: RetrievalResult; hits: number[]; of: number; firstHits: Uint8Array } | null {
    const kept = this.#kept;
    if (kept.length < 2) return null;
    const accumulator = new RetrievalAccumulator(this.ks);
    const hits = this.ks.map(() => 0);
    const firstHits: number[] = [];
    let of = 0;
    const scores = new Float64Array(kept.length);
    for (let q = 0; q < kept.length; q++) {
      for (let d = 0; d < kept.length; d++) scores[d] = d === q ? Number.NEGATIVE_INFINITY : cosineSimilarity(kept[q][role], kept[d][role]);
      const ranked = Array.from({ length: kept.length }, (_, d) => d).filter((d) => d !== q).sort((a, b) => scores[b] - scores[a] || a - b);
      const relevance = new Map<number, number>();
      for (let d = 0; d < kept.length; d++) if (d !== q && kept[d].label === kept[q].label) relevance.set(d, 1);
      accumulator.add(ranked, relevance);
      if (relevance.size > 0) {
        of++;
        this.ks.forEach((k, i) => { if (ranked.slice(0, k).some((d) => relevance.has(d))) hits[i]++; });
        firstHits.push(ranked.slice(0, this.ks[0]).some((d) => relevance.has(d)) ? 1 : 0);
      }
    }
    return { result: accumulator.result(), hits, of, firstHits: Uint8Array.from(firstHits) };
  }
}
