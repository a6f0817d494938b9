/** Public surface of static post-training quantization to QDQ (the host runs the inference). */
export { planCalibration, type CalibrationPlan } from './calibration.ts';
export { MinMaxCalibrator, type Calibrator } from './calibrator.ts';
export {
  HistogramCalibrator, PercentileCalibrator, EntropyCalibrator, MseCalibrator, rangeOf, CALIBRATION_METHODS, DEFAULT_SCHEME,
  type CalibrationMethod, type CalibrationSettings,
} from './histogram-calibrator.ts';
export { TensorHistogram, DEFAULT_HISTOGRAM_BINS, type HistogramSnapshot } from './histogram.ts';
export { percentileRange, entropyRange, mseRange, DEFAULT_PERCENTILE, type ActivationScheme } from './thresholds.ts';
export { quantizeQdq, type QuantizeResult } from './quantize-qdq.ts';
export { buildVariant, describeRecipe, recipeOptions, DEFAULT_RECIPE, type VariantRecipe, type BuiltVariant } from './variant.ts';
export { nodesToKeepFloat, type RankedTensor } from './sensitive-nodes.ts';
export type { QuantizeOptions, QuantizeReport, SkippedNode, QuantizableOp, ActivationType } from './options.ts';
export {
  quantizeLinear, dequantizeLinear, quantizeLinearPerAxis, dequantizeLinearPerAxis,
  asymmetricParams, symmetricParams, activationParams, roundHalfToEven,
  type TensorRange, type QuantParams, type QuantizedType, type QuantizedArray,
} from './qdq-math.ts';
