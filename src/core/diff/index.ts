/** Public surface of "why it degraded": measures, preflight, layer matching and analysis, provider check. */
export { MEASURES, diffTensors, diffSums, addSums, emptySums, measuresFromSums, sqnrOf, type TensorDiff, type MeasureId, type MeasureDescription, type DiffSums } from './measures.ts';
export { DiffAccumulator, type DiffSummary, type PerSampleStat } from './accumulator.ts';
export { preflight, describeQuantizedNodes, type PreflightReport, type PreflightModel, type ModelFacts, type QuantizedNode, type QuantScheme } from './preflight.ts';
export { checkInputRanges, type InputRangeCheck } from './input-range.ts';
export { addOutputs, outputsFragment, type OutputRequest } from './add-outputs.ts';
export { matchTensors, layerOutputs, type TensorMatch, type TensorMatching, type UnmatchedTensor } from './layers.ts';
export { weightErrors, type WeightError } from './weights.ts';
export { rankSensitivity, type LayerSensitivity, type SensitivityRanking, type TensorDiffResult } from './sensitivity.ts';
export { analyzeLayers, DEFAULT_LAYER_SAMPLES, type LayerRunner, type LayerAnalysisPlan, type LayerAnalysisOutcome, type TensorProblem } from './analysis.ts';
export { ProviderAgreementAccumulator, type ProviderComparison } from './provider.ts';
