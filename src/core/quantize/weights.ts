/**
 * Constant tensors of a quantized node: weights to int8 (symmetric, per channel or per tensor)
 * and biases to int32 with scale input_scale * weight_scale and zero point 0, named as ONNX
 * Runtime's quantizer names them.
 */
import type { TensorProto } from '../onnx/gen/onnx_pb.ts';
import { DataType } from '../onnx/dtypes.ts';
import { decodeFloatTensor, encodeTensor } from '../onnx/tensor.ts';
import { quantizeLinear, quantizeLinearPerAxis, quantizeValue, symmetricParams } from './qdq-math.ts';

/** Initializers replacing one float constant, and the scales chosen for it. */
export interface QuantizedConstant {
  quantized: TensorProto;
  scale: TensorProto;
  zeroPoint: TensorProto;
  /** One scale per channel along `axis`, or a single scale when `axis` is undefined. */
  scales: Float32Array;
  axis: number | undefined;
}

/**
 * Quantizes a float32 weight to int8, symmetric on [-127, 127]. `gridFactor` > 1 makes the grid that
 * many times coarser (scales multiplied): a deliberate damage, to check that a diagnosis finds it.
 */
export function quantizeWeight(weight: TensorProto, axis: number | undefined, gridFactor = 1): QuantizedConstant {
  const values = decodeFloatTensor(weight);
  const dims = weight.dims.map(Number);
  const names = { quantized: `${weight.name}_quantized`, scale: `${weight.name}_scale`, zeroPoint: `${weight.name}_zero_point` };
  if (axis === undefined) {
    const scale = Math.fround(symmetricParams(absMax(values, 0, values.length, 1)).scale * gridFactor);
    const quantized = quantizeLinear(values, scale, 0, 'int8');
    const scales = Float32Array.of(scale);
    return {
      quantized: encodeTensor(names.quantized, DataType.INT8, dims, quantized),
      scale: encodeTensor(names.scale, DataType.FLOAT, [], scales),
      zeroPoint: encodeTensor(names.zeroPoint, DataType.INT8, [], new Int8Array(1)),
      scales,
      axis,
    };
  }
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((n, d) => n * d, 1);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) scales[c] = symmetricParams(channelAbsMax(values, c, channels, inner)).scale * gridFactor;
  const zeroPoints = new Int8Array(channels);
  const quantized = quantizeLinearPerAxis(values, dims, axis, scales, zeroPoints, 'int8');
  return {
    quantized: encodeTensor(names.quantized, DataType.INT8, dims, quantized),
    scale: encodeTensor(names.scale, DataType.FLOAT, [channels], scales),
    zeroPoint: encodeTensor(names.zeroPoint, DataType.INT8, [channels], zeroPoints),
    scales,
    axis,
  };
}

/** Quantizes a 1-D float32 bias to int32 with scale inputScale * weightScale (per channel when the weight is). */
export function quantizeBias(bias: TensorProto, inputScale: number, weight: QuantizedConstant): QuantizedConstant {
  const values = decodeFloatTensor(bias);
  const perChannel = weight.axis !== undefined;
  const scales = Float32Array.from(weight.scales, (s) => Math.fround(inputScale * s));
  const quantized = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) quantized[i] = quantizeValue(values[i], perChannel ? scales[i] : scales[0], 0, 'int32');
  const name = `${bias.name}_quantized`;
  const scaleDims = perChannel ? [scales.length] : [];
  return {
    quantized: encodeTensor(name, DataType.INT32, bias.dims.map(Number), quantized),
    scale: encodeTensor(`${name}_scale`, DataType.FLOAT, scaleDims, scales),
    zeroPoint: encodeTensor(`${name}_zero_point`, DataType.INT32, scaleDims, new Int32Array(scales.length)),
    scales,
    axis: perChannel ? 0 : undefined,
  };
}

function absMax(values: Float32Array, start: number, end: number, step: number): number {
  let max = 0;
  for (let i = start; i < end; i += step) {
    const magnitude = Math.abs(values[i]);
    if (magnitude > max) max = magnitude;
  }
  return max;
}

function channelAbsMax(values: Float32Array, channel: number, channels: number, inner: number): number {
  let max = 0;
  const outer = values.length / (channels * inner);
  for (let o = 0; o < outer; o++) {
    const start = (o * channels + channel) * inner;
    const channelMax = absMax(values, start, start + inner, 1);
    if (channelMax > max) max = channelMax;
  }
  return max;
}
