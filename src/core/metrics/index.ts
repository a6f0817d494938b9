/** Metrics: streaming accumulators, float-vs-quantized deltas, verdicts and latency summaries. */
export type * from './types.ts';
export { ClassificationAccumulator } from './classification.ts';
export { AgreementAccumulator } from './agreement.ts';
export { metricDelta, verdict } from './delta.ts';
export type { VerdictOptions } from './delta.ts';
export { summarizeLatencies, percentileOfSorted } from './latency.ts';
export { argmax, isInTopK } from './ranking.ts';
export { perClassReport } from './per-class.ts';
export * from './detection/index.ts';
export { SegmentationAccumulator, argmaxClassMap } from './segmentation.ts';
export type { SegmentationResult, SegmentationClassResult, SegmentationOptions } from './segmentation.ts';
export { cosineSimilarity, EmbeddingSimilarityAccumulator, RetrievalAccumulator } from './retrieval.ts';
export type { EmbeddingSimilarityResult, RetrievalResult, DocumentId } from './retrieval.ts';
export { topConfidence } from './confidence.ts';
export * from './sequence/index.ts';
export { compareSegments } from './segments.ts';
export type { SegmentOptions, SegmentComparison } from './segments.ts';
export type { MetricDeltaOptions } from './delta.ts';
