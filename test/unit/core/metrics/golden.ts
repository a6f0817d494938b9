/** Loads test/golden/metrics-golden.json (written by tools/golden/make_golden.py) with its types. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface ClassificationGolden {
  name: string;
  numClasses: number;
  k: number;
  labels: (number | null)[];
  floatLogits: number[];
  quantizedLogits: number[];
  argmaxTieRows: number[];
  kthPlaceTieRows: number[];
  expected: {
    sampleCount: number;
    labelledCount: number;
    predictions: number[];
    top1Correct: number;
    top1Accuracy: number;
    confusionMatrix: number[][];
    precision: number[];
    recall: number[];
    f1: number[];
    support: number[];
    macroPrecision: number;
    macroRecall: number;
    macroF1: number;
    macroF1FromF1Score: number;
    weightedF1: number;
    averagedClassCount: number;
    topK?: {
      k: number;
      correct: number;
      accuracy: number;
      tieFreeLabelledIndices: number[];
      sklearnTieFreeCorrect: number;
      sklearnTieFreeAccuracy: number;
      sklearnAllRowsCorrect: number;
    };
    agreement: {
      top1Agree: number;
      top1Agreement: number;
      flippedToWrong: number[];
      flippedToCorrect: number[];
      wrongToOtherWrong: number;
    };
  };
}

export interface LatencyGolden {
  name: string;
  ms: number[];
  expected: { count: number; medianMs: number; p95Ms: number; meanMs: number };
}

export interface MetricsGolden {
  classification: ClassificationGolden[];
  latency: LatencyGolden[];
}

export const metricsGolden = JSON.parse(
  readFileSync(new URL('../../../golden/metrics-golden.json', import.meta.url), 'utf8'),
) as MetricsGolden;

/** One sample's logits as the model would hand them over: float32. */
export function sampleScores(logits: number[], numClasses: number, sample: number): Float32Array {
  return Float32Array.from(logits.slice(sample * numClasses, (sample + 1) * numClasses));
}

/** Floats from the reference libraries match to 1e-9 relative. */
export function expectClose(actual: number, expected: number, what: string): void {
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs(actual - expected) / scale, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9);
}
