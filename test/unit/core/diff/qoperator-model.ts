/**
 * A tiny float model (x → MatMul → Relu → out) and a hand-written QOperator twin of it
 * (QuantizeLinear → QLinearMatMul with the Relu folded into its output range → DequantizeLinear).
 */
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { makeNode, makeTensorValueInfo } from '../../../../src/core/onnx/builders.ts';
import { encodeTensor } from '../../../../src/core/onnx/tensor.ts';
import { buildModel } from '../onnx/build-model.ts';
import { prng } from '../quantize/convnet.ts';

export const Q_IN = 4;
export const Q_OUT = 3;
const random = prng(7);
const weights = Float32Array.from({ length: Q_IN * Q_OUT }, () => random() * 2 - 1);
const weightScale = 1 / 127;
export const X_SCALE = 2 / 255;
export const X_ZERO_POINT = 128;
export const Y_SCALE = 4 / 255;

/** The float model. */
export function floatMatMulModel(): Uint8Array {
  return buildModel({
    nodes: [makeNode('MatMul', ['x', 'w'], ['y'], 'matmul'), makeNode('Relu', ['y'], ['out'], 'relu')],
    inputs: [makeTensorValueInfo('x', DataType.FLOAT, [1, Q_IN])],
    outputs: [makeTensorValueInfo('out', DataType.FLOAT, [1, Q_OUT])],
    initializers: [encodeTensor('w', DataType.FLOAT, [Q_IN, Q_OUT], weights)],
  });
}

/** The QOperator twin (uint8 activations, int8 per-tensor symmetric weight). */
export function qoperatorMatMulModel(): Uint8Array {
  const scalar = (name: string, value: number) => encodeTensor(name, DataType.FLOAT, [], Float32Array.of(value));
  return buildModel({
    nodes: [
      makeNode('QuantizeLinear', ['x', 'x_scale', 'x_zero_point'], ['x_quantized'], 'x_QuantizeLinear'),
      makeNode('QLinearMatMul', ['x_quantized', 'x_scale', 'x_zero_point', 'w_quantized', 'w_scale', 'w_zero_point', 'out_scale', 'out_zero_point'], ['out_quantized'], 'matmul_quant'),
      makeNode('DequantizeLinear', ['out_quantized', 'out_scale', 'out_zero_point'], ['out'], 'out_DequantizeLinear'),
    ],
    inputs: [makeTensorValueInfo('x', DataType.FLOAT, [1, Q_IN])],
    outputs: [makeTensorValueInfo('out', DataType.FLOAT, [1, Q_OUT])],
    initializers: [
      scalar('x_scale', X_SCALE),
      encodeTensor('x_zero_point', DataType.UINT8, [], Uint8Array.of(X_ZERO_POINT)),
      encodeTensor('w_quantized', DataType.INT8, [Q_IN, Q_OUT], Int8Array.from(weights, (w) => Math.round(w / weightScale))),
      scalar('w_scale', weightScale),
      encodeTensor('w_zero_point', DataType.INT8, [], Int8Array.of(0)),
      scalar('out_scale', Y_SCALE),
      encodeTensor('out_zero_point', DataType.UINT8, [], Uint8Array.of(0)),
    ],
  });
}
