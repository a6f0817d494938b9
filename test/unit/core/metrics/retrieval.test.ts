import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import {
  EmbeddingSimilarityAccumulator, RetrievalAccumulator, cosineSimilarity, type DocumentId,
} from '../../../../src/core/metrics/retrieval.ts';
import { expectClose } from './golden.ts';

interface RetrievalGolden {
  cosine: {
    float: number[]; quantized: number[]; dims: number;
    expected: {
      cosines: number[]; meanCosine: number; minCosine: number; minSampleIndex: number;
      p1Cosine: number; p5Cosine: number; medianCosine: number;
    };
  };
  retrieval: {
    ks: number[];
    queries: { ranked: string[]; relevance: [string, number][] }[];
    expected: {
      queryCount: number; scoredQueryCount: number; mrr: number; recallAtK: number[]; ndcgAtK: number[];
      sklearnScoreOfQueryWithoutRelevant: number | null;
    };
  };
}

/** Written by tools/golden/make_golden_tasks.py: numpy cosines / percentiles, sklearn.metrics.ndcg_score. */
const golden = JSON.parse(
  readFileSync(new URL('../../../golden/retrieval-tasks-golden.json', import.meta.url), 'utf8'),
) as RetrievalGolden;

describe('embedding similarity against numpy', () => {
  const { float, quantized, dims, expected } = golden.cosine;
  const accumulator = new EmbeddingSimilarityAccumulator();
  const cosines = expected.cosines.map((_, i) => accumulator.add(
    Float32Array.from(float.slice(i * dims, (i + 1) * dims)), Float32Array.from(quantized.slice(i * dims, (i + 1) * dims))));
  const result = accumulator.result();

  it('gives each sample\'s cosine (1 for two zero vectors, 0 for one)', () => {
    cosines.forEach((value, i) => {
      if (expected.cosines[i] === 0) expect(value).toBe(0);
      else expectClose(value, expected.cosines[i], `cosine ${i}`);
    });
    expect(cosines[5]).toBe(1);
    expect(cosines[9]).toBe(0);
  });

  it('summarizes mean, minimum and numpy.percentile 1 / 5 / 50', () => {
    expect(result.sampleCount).toBe(expected.cosines.length);
    expect(result.minSampleIndex).toBe(expected.minSampleIndex);
    expectClose(result.meanCosine, expected.meanCosine, 'mean');
    expect(result.minCosine).toBe(expected.minCosine);
    expectClose(result.p1Cosine, expected.p1Cosine, 'p1');
    expectClose(result.p5Cosine, expected.p5Cosine, 'p5');
    expectClose(result.medianCosine, expected.medianCosine, 'median');
  });

  it('identical embeddings have cosine 1; an empty run is NaN; mismatched sizes throw', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 64 }), (vector) => {
      expect(Math.abs(cosineSimilarity(vector, vector) - 1)).toBeLessThan(1e-12);
    }));
    expect(new EmbeddingSimilarityAccumulator().result().meanCosine).toBeNaN();
    expect(() => cosineSimilarity([1, 2], [1])).toThrow(QuantLensError);
    expect(() => new EmbeddingSimilarityAccumulator().add([Number.NaN], [1])).toThrow(/NaN/);
  });
});

describe('retrieval against scikit-learn ndcg_score and numpy', () => {
  const { ks, queries, expected } = golden.retrieval;
  const accumulator = new RetrievalAccumulator(ks);
  for (const query of queries) accumulator.add(query.ranked, new Map<DocumentId, number>(query.relevance));
  const result = accumulator.result();

  it('counts the queries and leaves out those without a relevant document', () => {
    expect(result.queryCount).toBe(expected.queryCount);
    expect(result.scoredQueryCount).toBe(expected.scoredQueryCount);
    // scikit-learn scores such a query 0 (and would average it in); we leave it out instead.
    expect(expected.sklearnScoreOfQueryWithoutRelevant).toBe(0);
  });

  it('matches recall@k, nDCG@k (ignore_ties=False and True agree on a ranked list) and MRR', () => {
    result.recallAtK.forEach(({ k, value }, i) => {
      expect(k).toBe(ks[i]);
      expectClose(value, expected.recallAtK[i], `recall@${k}`);
    });
    result.ndcgAtK.forEach(({ k, value }, i) => expectClose(value, expected.ndcgAtK[i], `nDCG@${k}`));
    expectClose(result.mrr, expected.mrr, 'MRR');
  });
});

describe('RetrievalAccumulator', () => {
  it('hand-checked query: grades {a: 3, b: 1, c: 2}, ranking b, x, a', () => {
    const accumulator = new RetrievalAccumulator([1, 3]);
    accumulator.add(['b', 'x', 'a'], new Map([['a', 3], ['b', 1], ['c', 2]]));
    const result = accumulator.result();
    expect(result.mrr).toBe(1);
    expect(result.recallAtK.map((item) => item.value)).toEqual([1 / 3, 2 / 3]);
    expectClose(result.ndcgAtK[0].value, 1 / 3, 'nDCG@1 = 1 / 3');
    expectClose(result.ndcgAtK[1].value, (1 + 3 / 2) / (3 + 2 / Math.log2(3) + 1 / 2), 'nDCG@3');
  });

  it('the ideal ranking scores nDCG 1, MRR 1 and full recall once k covers the relevant documents', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 20, maxLength: 20 }), (ids, grades) => {
        const relevance = new Map<DocumentId, number>(ids.map((id, i) => [id, grades[i]]));
        const ideal = [...ids].sort((a, b) => (relevance.get(b) ?? 0) - (relevance.get(a) ?? 0));
        const accumulator = new RetrievalAccumulator([1, 5, 20]);
        accumulator.add(ideal, relevance);
        const result = accumulator.result();
        expect(result.mrr).toBe(1);
        for (const { value } of result.ndcgAtK) expect(Math.abs(value - 1)).toBeLessThan(1e-12);
        expect(result.recallAtK[2].value).toBe(1);
      }));
  });

  it('rejects duplicates, negative grades and bad cut-offs', () => {
    expect(() => new RetrievalAccumulator().add(['a', 'a'], new Map([['a', 1]]))).toThrow(/twice/);
    expect(() => new RetrievalAccumulator().add(['a'], new Map([['a', -1]]))).toThrow(QuantLensError);
    expect(() => new RetrievalAccumulator([0])).toThrow(/Cut-offs/);
    expect(new RetrievalAccumulator().result().mrr).toBeNaN();
  });
});
