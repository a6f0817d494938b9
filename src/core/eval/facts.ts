import type { ClassificationOutcome } from '../tasks/classification.ts';
import type { EvaluationResult } from './evaluate.ts';

/**
 * The exact facts of a classification result (counts and prediction checksums, no timings) that
 * two hosts must reproduce bit for bit on the same provider: what the Node and browser tests compare.
 */
export interface ResultFacts {
  sampleCount: number;
  skipped: number;
  float: ModelFacts;
  quantized: ModelFacts;
  agreement: { top1Agree: number; correctToWrong: number; wrongToCorrect: number; wrongToOtherWrong: number };
}

export interface ModelFacts {
  top1Correct: number;
  topKCorrect: number | null;
  predictionsChecksum: string;
}

export function resultFacts(result: EvaluationResult<ClassificationOutcome>): ResultFacts {
  const model = (summary: ClassificationOutcome['float']): ModelFacts => ({
    top1Correct: summary.classification.top1Correct,
    topKCorrect: summary.classification.topK?.correct ?? null,
    predictionsChecksum: summary.predictionsChecksum,
  });
  const { top1Agree, correctToWrong, wrongToCorrect, wrongToOtherWrong } = result.task.agreementDetail;
  return {
    sampleCount: result.sampleCount,
    skipped: result.skipped.length,
    float: model(result.task.float),
    quantized: model(result.task.quantized),
    agreement: { top1Agree, correctToWrong, wrongToCorrect, wrongToOtherWrong },
  };
}
