/** Public surface of static post-training quantization to QDQ (the host runs the inference). */
export { planCalibration, type CalibrationPlan } from './calibration.ts';
export { MinMaxCalibrator, type Calibrator } from './calibrator.ts';
export { quantizeQdq, type QuantizeResult } from './quantize-qdq.ts';
export type { QuantizeOptions, QuantizeReport, SkippedNode, QuantizableOp } from './options.ts';
export {
  quantizeLinear, dequantizeLinear, quantizeLinearPerAxis, dequantizeLinearPerAxis,
  asymmetricParams, symmetricParams, roundHalfToEven,
  type TensorRange, type QuantParams, type QuantizedType, type QuantizedArray,
} from './qdq-math.ts';
