import { describe, expect, it } from 'vitest';
import { readModelInfo } from '../../../../src/core/onnx/info.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { makeNode, makeTensorValueInfo } from '../../../../src/core/onnx/builders.ts';
import { encodeTensor } from '../../../../src/core/onnx/tensor.ts';
import { buildModel } from './build-model.ts';
import { fixtureModel } from './fixtures.ts';

describe('readModelInfo on the conformance models', () => {
  it('reads a QLinearConv model as QOperator', () => {
    const info = readModelInfo(fixtureModel('test_qlinearconv'));
    expect(info.format).toBe('qoperator');
    expect(info.irVersion).toBe(5);
    expect(info.opsets).toEqual({ 'ai.onnx': 10 });
    expect(info.producer).toBe('backend-test');
    expect(info.nodeCount).toBe(1);
    expect(info.opHistogram).toEqual({ QLinearConv: 1 });
    expect(info.inputs[0]).toEqual({ name: 'x', dtype: 'uint8', shape: [1, 1, 7, 7] });
    expect(info.inputs.map((i) => i.name)).toEqual(['x', 'x_scale', 'x_zero_point', 'w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point']);
    expect(info.outputs).toEqual([{ name: 'y', dtype: 'uint8', shape: [1, 1, 7, 7] }]);
  });

  it('reads QuantizeLinear and DequantizeLinear models as QDQ', () => {
    const quantize = readModelInfo(fixtureModel('test_quantizelinear'));
    expect(quantize.format).toBe('qdq');
    expect(quantize.opHistogram).toEqual({ QuantizeLinear: 1 });
    expect(quantize.inputs.map((i) => i.dtype)).toEqual(['float32', 'float32', 'uint8']);
    expect(quantize.outputs).toEqual([{ name: 'y', dtype: 'uint8', shape: [6] }]);
    expect(readModelInfo(fixtureModel('test_dequantizelinear_axis')).format).toBe('qdq');
    expect(readModelInfo(fixtureModel('test_qlinearmatmul_3D')).format).toBe('qoperator');
  });
});

describe('readModelInfo on built models', () => {
  const weight = encodeTensor('w', DataType.FLOAT, [4, 3], new Float32Array(12));
  const bias = encodeTensor('b', DataType.FLOAT, [4], new Float32Array(4));

  it('leaves initializers listed as inputs out, and keeps symbolic and unknown dims', () => {
    const info = readModelInfo(buildModel({
      nodes: [makeNode('Gemm', ['x', 'w', 'b'], ['y'], 'fc', [])],
      inputs: [makeTensorValueInfo('x', DataType.FLOAT, ['batch', null]), makeTensorValueInfo('w', DataType.FLOAT, [4, 3])],
      outputs: [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 4])],
      initializers: [weight, bias],
      opset: 11,
      irVersion: 3,
      extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
    }));
    expect(info.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', null] }]);
    expect(info.outputs).toEqual([{ name: 'y', dtype: 'float32', shape: ['batch', 4] }]);
    expect(info.opsets).toEqual({ 'ai.onnx': 11, 'com.microsoft': 1 });
    expect(info.parameterCount).toBe(16);
    expect(info.format).toBe('float');
    expect(info.producer).toBe('quantlens-test 1');
  });

  it('tells fp16, QDQ compute, QOperator and mixed models apart', () => {
    const half = encodeTensor('w', DataType.FLOAT16, [4, 3], new Uint16Array(12));
    const io = {
      inputs: [makeTensorValueInfo('x', DataType.FLOAT16, [1, 3])],
      outputs: [makeTensorValueInfo('y', DataType.FLOAT16, [1, 4])],
    };
    expect(readModelInfo(buildModel({ ...io, nodes: [makeNode('MatMul', ['x', 'w'], ['y'], 'mm')], initializers: [half] })).format).toBe('fp16');

    const dq = makeNode('DequantizeLinear', ['wq', 's', 'z'], ['w'], 'dq');
    const qdqMatMul = makeNode('MatMul', ['x', 'w'], ['y'], 'mm');
    const qoperator = makeNode('MatMulInteger', ['xq', 'wq'], ['acc'], 'mmi');
    expect(readModelInfo(buildModel({ ...io, nodes: [dq, qdqMatMul] })).format).toBe('qdq');
    expect(readModelInfo(buildModel({ ...io, nodes: [qoperator] })).format).toBe('qoperator');
    expect(readModelInfo(buildModel({ ...io, nodes: [qoperator, dq, qdqMatMul] })).format).toBe('mixed');
    // A QOperator model's trailing DequantizeLinear feeding Softmax does not make it mixed.
    const tail = [makeNode('DequantizeLinear', ['acc', 's', 'z'], ['logits'], 'dq'), makeNode('Softmax', ['logits'], ['y'], 'sm')];
    expect(readModelInfo(buildModel({ ...io, nodes: [qoperator, ...tail] })).format).toBe('qoperator');
    expect(readModelInfo(buildModel({ ...io, nodes: [makeNode('QGemm', ['x'], ['y'], 'qg', [], 'com.microsoft')] })).format).toBe('qoperator');
  });

  it('counts ops', () => {
    const info = readModelInfo(buildModel({
      nodes: [makeNode('Relu', ['x'], ['a'], 'r1'), makeNode('Relu', ['a'], ['b'], 'r2'), makeNode('Flatten', ['b'], ['y'], 'f')],
      inputs: [makeTensorValueInfo('x', DataType.FLOAT, [1, 2])],
      outputs: [makeTensorValueInfo('y', DataType.FLOAT)],
    }));
    expect(info.opHistogram).toEqual({ Relu: 2, Flatten: 1 });
    expect(info.nodeCount).toBe(3);
    expect(info.outputs).toEqual([{ name: 'y', dtype: 'float32', shape: [] }]);
  });
});
