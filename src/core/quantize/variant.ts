/**
 * A variant of a float model: static INT8 QDQ with a calibration method and options, or the whole
 * model in FP16 (float32 inputs and outputs kept, through src/core/providers/fp16.ts, the same
 * conversion the WebNN FP16 path uses). Pure: the host calibrates (HistogramCalibrator) and runs.
 */
import { toFloat16Model } from '../providers/fp16.ts';
import type { HistogramCalibrator, CalibrationSettings } from './histogram-calibrator.ts';
import type { ActivationType, QuantizeOptions, QuantizeReport } from './options.ts';
import { quantizeQdq } from './quantize-qdq.ts';
import type { TensorRange } from './qdq-math.ts';

/** What a variant is: everything needed to make it again from the float model and the calibration pass. */
export interface VariantRecipe {
  precision: 'int8' | 'fp16';
  calibration: CalibrationSettings;
  perChannel: boolean;
  activationType: ActivationType;
  symmetricActivations: boolean;
  /** Quantized nodes kept in float. */
  nodesToExclude: string[];
  /** Deliberate damage (testing a diagnosis): node label -> weight grid this many times coarser. */
  weightGridFactors?: Record<string, number>;
}

export const DEFAULT_RECIPE: VariantRecipe = {
  precision: 'int8', calibration: { method: 'minmax' }, perChannel: true, activationType: 'uint8', symmetricActivations: false, nodesToExclude: [],
};

/** The variant's bytes, the quantizer's report and the ranges it used (none for FP16). */
export interface BuiltVariant {
  model: Uint8Array;
  report: QuantizeReport;
  ranges: Map<string, TensorRange>;
}

const METHOD_NAMES = { minmax: 'MinMax', percentile: 'Percentile', entropy: 'Entropy', mse: 'MSE' } as const;

/** A short name people read in the variants table, e.g. "INT8 Entropy, per-channel, uint8" or "W8A16 MinMax, per-tensor". */
export function describeRecipe(recipe: VariantRecipe): string {
  if (recipe.precision === 'fp16') return 'FP16';
  const wide = recipe.activationType.endsWith('16');
  const method = recipe.calibration.method === 'percentile'
    ? `Percentile ${recipe.calibration.percentile ?? 99.999}`
    : METHOD_NAMES[recipe.calibration.method];
  const parts = [`${wide ? 'W8A16' : 'INT8'} ${method}`, recipe.perChannel ? 'per-channel' : 'per-tensor', `${recipe.symmetricActivations ? 'sym ' : ''}${recipe.activationType}`];
  if (recipe.nodesToExclude.length) parts.push(`kept in float: ${recipe.nodesToExclude.join(' ')}`);
  const damaged = Object.entries(recipe.weightGridFactors ?? {}).filter(([, factor]) => factor !== 1);
  if (damaged.length) parts.push(`damaged: ${damaged.map(([node, factor]) => `${node} ×${factor}`).join(' ')}`);
  return parts.join(', ');
}

/** The quantizer options of a recipe. */
export function recipeOptions(recipe: VariantRecipe): QuantizeOptions {
  return {
    perChannel: recipe.perChannel,
    nodesToExclude: recipe.nodesToExclude,
    activationType: recipe.activationType,
    symmetricActivations: recipe.symmetricActivations,
    ...(recipe.weightGridFactors ? { weightGridFactors: recipe.weightGridFactors } : {}),
  };
}

/** Makes a variant from the float model and a finished calibration pass. */
export function buildVariant(floatBytes: Uint8Array, calibrator: HistogramCalibrator, recipe: VariantRecipe): BuiltVariant {
  if (recipe.precision === 'fp16') return { model: toFloat16Model(floatBytes), report: { quantizedNodes: [], skippedNodes: [] }, ranges: new Map() };
  const ranges = calibrator.rangesFor(recipe.calibration, { type: recipe.activationType, symmetric: recipe.symmetricActivations });
  const { model, report } = quantizeQdq(floatBytes, ranges, recipeOptions(recipe));
  return { model, report, ranges };
}
