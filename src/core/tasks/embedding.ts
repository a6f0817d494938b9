/**
 * Embeddings: how close the quantized vectors stay to the float ones (cosine per sample, needs no
 * labels), and retrieval quality of each model on the labelled set (each sample queries all the
 * others by cosine; same class = relevant): recall@k, MRR, nDCG@k.
 */
import type { OutputTensor, PreparedSample } from '../eval/evaluate.ts';
import { EmbeddingSimilarityAccumulator, RetrievalAccumulator, cosineSimilarity, metricDelta } from '../metrics/index.ts';
import type { EmbeddingSimilarityResult, RetrievalResult } from '../metrics/index.ts';
import type { MetricRow, PairAccumulator, TaskOutcome } from './types.ts';

export interface EmbeddingOutcome extends TaskOutcome {
  kind: 'embedding';
  similarity: EmbeddingSimilarityResult;
  /** Null when fewer than two labelled samples were kept. */
  float: RetrievalResult | null;
  quantized: RetrievalResult | null;
  /** Samples used as retrieval queries (the first `maxQueries` labelled ones). */
  queryCount: number;
}

export class EmbeddingPair implements PairAccumulator<EmbeddingOutcome> {
  readonly #similarity = new EmbeddingSimilarityAccumulator();
  readonly #kept: { label: number; float: Float32Array; quantized: Float32Array }[] = [];

  constructor(
    readonly ks: readonly number[] = [1, 5, 10],
    readonly maxQueries = 5000,
  ) {}

  add(sample: PreparedSample, floatOutputs: OutputTensor[], quantizedOutputs: OutputTensor[]): void {
    const float = floatOutputs[0].data;
    const quantized = quantizedOutputs[0].data;
    this.#similarity.add(float, quantized);
    if (sample.label !== null && this.#kept.length < this.maxQueries) this.#kept.push({ label: sample.label, float, quantized });
  }

  finish(): EmbeddingOutcome {
    const similarity = this.#similarity.result();
    const float = this.#retrieval('float');
    const quantized = this.#retrieval('quantized');
    const metrics: MetricRow[] = [];
    if (float && quantized) {
      const k = this.ks[0];
      metrics.push({ id: `recall@${k}`, name: `Recall@${k} (same class)`, unit: 'proportion', delta: metricDelta(float.recallAtK[0].value, quantized.recallAtK[0].value) });
      metrics.push({ id: 'mrr', name: 'MRR', unit: 'proportion', delta: metricDelta(float.mrr, quantized.mrr) });
      float.ndcgAtK.forEach((entry, i) => metrics.push({ id: `ndcg@${entry.k}`, name: `nDCG@${entry.k}`, unit: 'proportion', delta: metricDelta(entry.value, quantized.ndcgAtK[i].value) }));
    }
    return {
      kind: 'embedding',
      metrics,
      agreement: [
        { id: 'mean-cosine', name: 'Mean cosine similarity (float vs quantized)', value: similarity.meanCosine, unit: 'number', detail: `1 = identical directions; the worst sample has ${similarity.minCosine.toFixed(4)}.` },
      ],
      similarity,
      float,
      quantized,
      queryCount: this.#kept.length,
    };
  }

  #retrieval(role: 'float' | 'quantized'): RetrievalResult | null {
    const kept = this.#kept;
    if (kept.length < 2) return null;
    const accumulator = new RetrievalAccumulator(this.ks);
    const scores = new Float64Array(kept.length);
    for (let q = 0; q < kept.length; q++) {
      for (let d = 0; d < kept.length; d++) scores[d] = d === q ? Number.NEGATIVE_INFINITY : cosineSimilarity(kept[q][role], kept[d][role]);
      const ranked = Array.from({ length: kept.length }, (_, d) => d).filter((d) => d !== q).sort((a, b) => scores[b] - scores[a] || a - b);
      const relevance = new Map<number, number>();
      for (let d = 0; d < kept.length; d++) if (d !== q && kept[d].label === kept[q].label) relevance.set(d, 1);
      accumulator.add(ranked, relevance);
    }
    return accumulator.result();
  }
}
