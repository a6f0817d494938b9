/**
 * QuantizeLinear / DequantizeLinear arithmetic exactly as the ONNX operators specify it:
 * q = saturate(roundHalfToEven(x / scale) + zeroPoint) with float32 division, and
 * x = float32(q - zeroPoint) * scale with a float32 product. Scales from ranges follow
 * ONNX Runtime's compute_scale_zp.
 */
import { QuantLensError } from '../errors.ts';

/** Integer types the quantizer writes. */
export type QuantizedType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'int32';
/** Typed arrays holding quantized values. */
export type QuantizedArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array;

/** A real-valued range observed for a tensor. */
export interface TensorRange {
  min: number;
  max: number;
}

/** A scale (float32) and an integer zero point. */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** Saturation bounds per quantized type. */
export const QUANT_BOUNDS: Record<QuantizedType, { min: number; max: number }> = {
  uint8: { min: 0, max: 255 },
  int8: { min: -128, max: 127 },
  uint16: { min: 0, max: 65535 },
  int16: { min: -32768, max: 32767 },
  int32: { min: -2147483648, max: 2147483647 },
};

// Below float32's smallest normal number a scale is treated as "no range" (scale 1, zero point 0).
const FLOAT32_TINY = 1.1754943508222875e-38;

/** Rounds to the nearest integer, ties to even (IEEE 754 default, numpy.rint, std::nearbyint). */
export function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Quantizes one value: saturate(round(x / scale) + zeroPoint), the division in float32. */
export function quantizeValue(x: number, scale: number, zeroPoint: number, type: QuantizedType): number {
  const bounds = QUANT_BOUNDS[type];
  const scaled = Math.fround(Math.fround(x) / Math.fround(scale));
  if (Number.isNaN(scaled)) return clamp(zeroPoint, bounds.min, bounds.max);
  return clamp(roundHalfToEven(scaled) + zeroPoint, bounds.min, bounds.max);
}

/** Dequantizes one value: float32(q - zeroPoint) * scale, rounded to float32. */
export function dequantizeValue(q: number, scale: number, zeroPoint: number): number {
  return Math.fround(Math.fround(q - zeroPoint) * Math.fround(scale));
}

/** Per-tensor QuantizeLinear. */
export function quantizeLinear(x: ArrayLike<number>, scale: number, zeroPoint: number, type: QuantizedType): QuantizedArray {
  const out = allocate(type, x.length);
  for (let i = 0; i < x.length; i++) out[i] = quantizeValue(x[i], scale, zeroPoint, type);
  return out;
}

/** Per-tensor DequantizeLinear. */
export function dequantizeLinear(q: ArrayLike<number>, scale: number, zeroPoint: number): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = dequantizeValue(q[i], scale, zeroPoint);
  return out;
}

/** Per-axis QuantizeLinear: one scale and zero point per index along `axis` of `dims`. */
export function quantizeLinearPerAxis(
  x: ArrayLike<number>, dims: readonly number[], axis: number,
  scales: ArrayLike<number>, zeroPoints: ArrayLike<number>, type: QuantizedType,
): QuantizedArray {
  const channelOf = channelIndexer(x.length, dims, axis, scales.length, zeroPoints.length);
  const out = allocate(type, x.length);
  for (let i = 0; i < x.length; i++) {
    const c = channelOf(i);
    out[i] = quantizeValue(x[i], scales[c], zeroPoints[c], type);
  }
  return out;
}

/** Per-axis DequantizeLinear: one scale and zero point per index along `axis` of `dims`. */
export function dequantizeLinearPerAxis(
  q: ArrayLike<number>, dims: readonly number[], axis: number,
  scales: ArrayLike<number>, zeroPoints: ArrayLike<number>,
): Float32Array {
  const channelOf = channelIndexer(q.length, dims, axis, scales.length, zeroPoints.length);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = channelOf(i);
    out[i] = dequantizeValue(q[i], scales[c], zeroPoints[c]);
  }
  return out;
}

/** Asymmetric parameters for a range, always widened to include 0 (ORT compute_scale_zp). */
export function asymmetricParams(range: TensorRange, type: QuantizedType = 'uint8'): QuantParams {
  assertFiniteRange(range);
  const { min: qmin, max: qmax } = QUANT_BOUNDS[type];
  const rmin = Math.min(Math.fround(range.min), 0);
  const rmax = Math.max(Math.fround(range.max), 0);
  const scale = (rmax - rmin) / (qmax - qmin);
  if (scale < FLOAT32_TINY) return { scale: 1, zeroPoint: 0 };
  return { scale: Math.fround(scale), zeroPoint: roundHalfToEven(qmin - rmin / scale) };
}

/** Symmetric parameters on the restricted range [-qmax, qmax] (int8: [-127, 127]), zero point 0. */
export function symmetricParams(absMax: number, type: QuantizedType = 'int8'): QuantParams {
  assertFiniteRange({ min: -absMax, max: absMax });
  const qmax = QUANT_BOUNDS[type].max;
  const scale = (2 * Math.abs(Math.fround(absMax))) / (2 * qmax);
  if (scale < FLOAT32_TINY) return { scale: 1, zeroPoint: 0 };
  return { scale: Math.fround(scale), zeroPoint: 0 };
}

/**
 * Activation parameters as ONNX Runtime's compute_scale_zp computes them: asymmetric ranges are
 * widened to include 0; symmetric ones become [-absMax, absMax] on the restricted signed range
 * (int8 [-127, 127], int16 [-32767, 32767]) with zero point 0, or on the full unsigned range with
 * zero point round((qmin + qmax) / 2) (uint8: 128).
 */
export function activationParams(range: TensorRange, type: QuantizedType, symmetric: boolean): QuantParams {
  if (!symmetric) return asymmetricParams(range, type);
  const absMax = Math.max(Math.abs(Math.min(Math.fround(range.min), 0)), Math.max(Math.fround(range.max), 0));
  if (type === 'int8' || type === 'int16' || type === 'int32') return symmetricParams(absMax, type);
  assertFiniteRange(range);
  const { min: qmin, max: qmax } = QUANT_BOUNDS[type];
  const scale = (2 * absMax) / (qmax - qmin);
  if (scale < FLOAT32_TINY) return { scale: 1, zeroPoint: 0 };
  return { scale: Math.fround(scale), zeroPoint: roundHalfToEven((qmin + qmax) / 2) };
}

function assertFiniteRange(range: TensorRange): void {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max)) {
    throw new QuantLensError(
      'quantize-failed',
      `Cannot quantize a tensor whose range is [${range.min}, ${range.max}]: it is not finite.`,
      'Check the calibration data and the float model for NaN or infinite values.',
    );
  }
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

function allocate(type: QuantizedType, length: number): QuantizedArray {
  if (type === 'uint8') return new Uint8Array(length);
  if (type === 'int8') return new Int8Array(length);
  if (type === 'uint16') return new Uint16Array(length);
  if (type === 'int16') return new Int16Array(length);
  return new Int32Array(length);
}

function channelIndexer(length: number, dims: readonly number[], axis: number, scales: number, zeroPoints: number) {
  const rank = dims.length;
  const positiveAxis = axis < 0 ? axis + rank : axis;
  const channels = dims[positiveAxis];
  const total = dims.reduce((n, d) => n * d, 1);
  if (positiveAxis < 0 || positiveAxis >= rank || total !== length || scales !== channels || zeroPoints !== channels) {
    throw new QuantLensError(
      'invalid-input',
      `Per-axis quantization needs ${channels ?? '?'} scales and zero points along axis ${axis} of [${dims.join(',')}] (got ${scales} and ${zeroPoints} for ${length} values).`,
      'Pass one scale and one zero point per channel of the chosen axis.',
    );
  }
  const inner = dims.slice(positiveAxis + 1).reduce((n, d) => n * d, 1);
  return (index: number): number => Math.floor(index / inner) % channels;
}
