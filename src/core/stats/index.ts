/** Statistics: seeded randomness, paired bootstrap intervals, McNemar's exact test, the early verdict. */
export { SeededRandom } from './random.ts';
export { pairedBootstrap, bootstrapMeanDelta, bootstrapRatioDelta, percentileInterval } from './bootstrap.ts';
export type { BootstrapOptions, Interval, PairedBootstrapResult, PairedStatistic, RatioSamples } from './bootstrap.ts';
export { mcnemarExact, mcnemarFromCorrectness } from './mcnemar.ts';
export type { McNemarResult } from './mcnemar.ts';
export { SequentialVerdict } from './sequential.ts';
export type { SequentialVerdictOptions, SequentialState } from './sequential.ts';
