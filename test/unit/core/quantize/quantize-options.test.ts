/**
 * Structure of the QDQ model: ORT naming, opset handling, excluded and skipped nodes, errors.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/wasm';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { makeNode, makeTensorValueInfo } from '../../../../src/core/onnx/builders.ts';
import { parseModel } from '../../../../src/core/onnx/model.ts';
import { readModelInfo } from '../../../../src/core/onnx/info.ts';
import { decodeTensor, encodeTensor } from '../../../../src/core/onnx/tensor.ts';
import { planCalibration } from '../../../../src/core/quantize/calibration.ts';
import { MinMaxCalibrator } from '../../../../src/core/quantize/calibrator.ts';
import { quantizeQdq } from '../../../../src/core/quantize/quantize-qdq.ts';
import type { TensorRange } from '../../../../src/core/quantize/qdq-math.ts';
import { buildModel } from '../onnx/build-model.ts';
import { convNetModel, convNetWeights } from './convnet.ts';

ort.env.wasm.numThreads = 1;

const net = convNetWeights();
const ranges = new Map<string, TensorRange>([
  ['x', { min: -1, max: 1 }], ['conv_out', { min: -3, max: 5 }], ['features', { min: 0, max: 5 }],
  ['logits', { min: -100, max: 100 }], ['scores', { min: -100, max: 100 }],
]);
const nodesOf = (model: Uint8Array) => parseModel(model).graph?.node ?? [];
const initializersOf = (model: Uint8Array) => new Map((parseModel(model).graph?.initializer ?? []).map((t) => [t.name, t]));

async function runs(model: Uint8Array): Promise<void> {
  const session = await ort.InferenceSession.create(model);
  await session.run({ x: new ort.Tensor('float32', new Float32Array(72), [1, 2, 6, 6]) });
  await session.release();
}

describe('planCalibration', () => {
  it('exposes the inputs and outputs of quantized ops as graph outputs', () => {
    const plan = planCalibration(convNetModel(net, { transB: true }));
    expect(plan.tensorNames).toEqual(['x', 'conv_out', 'features', 'logits']);
    expect(readModelInfo(plan.augmentedModel).outputs.map((o) => o.name)).toEqual(['logits', 'x', 'conv_out', 'features']);
  });

  it('leaves excluded nodes out of the plan', () => {
    const plan = planCalibration(convNetModel(net, { transB: true }), { nodesToExclude: ['conv'] });
    expect(plan.tensorNames).toEqual(['features', 'logits']);
  });
});

describe('quantizeQdq', () => {
  it('names tensors as ONNX Runtime does and stores int8 weights, int32 biases and uint8 zero points', () => {
    const { model } = quantizeQdq(convNetModel(net, { transB: true }), ranges);
    const nodes = nodesOf(model);
    expect(nodes.map((n) => n.name)).toContain('x_QuantizeLinear');
    const gemm = nodes.find((n) => n.name === 'fc');
    expect(gemm?.input).toEqual(['features_DequantizeLinear_Output', 'fc.weight_DequantizeLinear_Output', 'fc.bias_DequantizeLinear_Output']);
    // The graph output keeps its name: the Gemm now writes logits_QuantizeLinear_Input.
    expect(gemm?.output).toEqual(['logits_QuantizeLinear_Input']);
    expect(nodes.at(-1)?.output).toEqual(['logits']);
    const initializers = initializersOf(model);
    expect(initializers.has('conv.weight')).toBe(false);
    expect(decodeTensor(initializers.get('conv.weight_quantized')!).dtype).toBe('int8');
    expect(decodeTensor(initializers.get('conv.weight_zero_point')!).data).toEqual(new Int8Array(4));
    expect(decodeTensor(initializers.get('conv.bias_quantized')!).dtype).toBe('int32');
    const xScale = decodeTensor(initializers.get('x_scale')!);
    expect(xScale).toMatchObject({ dtype: 'float32', dims: [], data: Float32Array.of(2 / 255) });
    expect(decodeTensor(initializers.get('x_zero_point')!).data).toEqual(Uint8Array.of(128));
    // Bias scale = input scale * weight scale, per channel.
    const weightScales = decodeTensor(initializers.get('conv.weight_scale')!).data as Float32Array;
    const biasScales = decodeTensor(initializers.get('conv.bias_quantized_scale')!).data as Float32Array;
    expect(biasScales).toEqual(weightScales.map((s) => Math.fround(Math.fround(2 / 255) * s)));
  });

  it('moves an opset 11 model to opset 13 when its ops mean the same there', async () => {
    const { model } = quantizeQdq(convNetModel(net, { transB: true, opset: 11 }), ranges);
    expect(readModelInfo(model).opsets).toEqual({ 'ai.onnx': 13 });
    await runs(model);
  });

  it('refuses to move an opset 11 model with Softmax (its axis semantics change at 13)', () => {
    const float = convNetModel(net, { transB: true, opset: 11, extraNode: 'Softmax' });
    expect(() => quantizeQdq(float, ranges)).toThrow(QuantLensError);
    expect(() => quantizeQdq(float, ranges)).toThrow(/opset 11.*Softmax/);
  });

  it('keeps excluded nodes float, reading the float tensors', async () => {
    const float = convNetModel(net, { transB: true });
    const { model, report } = quantizeQdq(float, ranges, { nodesToExclude: ['fc'] });
    expect(report).toEqual({ quantizedNodes: ['conv'], skippedNodes: [{ name: 'fc', reason: 'excluded by nodesToExclude' }] });
    const gemm = nodesOf(model).find((n) => n.name === 'fc');
    expect(gemm?.input).toEqual(['features', 'fc.weight', 'fc.bias']);
    expect(initializersOf(model).has('fc.weight')).toBe(true);
    await runs(model);
  });

  it('quantizes MatMul weights per output column, and activation-only MatMul inputs as uint8', async () => {
    const weight = encodeTensor('w', DataType.FLOAT, [72, 5], Float32Array.from({ length: 360 }, (_, i) => Math.sin(i)));
    const float = buildModel({
      nodes: [
        makeNode('Reshape', ['x', 'shape'], ['flat'], 'reshape'),
        makeNode('MatMul', ['flat', 'w'], ['h'], 'mm'),
        makeNode('Transpose', ['h'], ['h_t'], 'transpose'),
        makeNode('MatMul', ['h_t', 'h'], ['y'], 'outer'),
      ],
      inputs: [makeTensorValueInfo('x', DataType.FLOAT, [1, 2, 6, 6])],
      outputs: [makeTensorValueInfo('y', DataType.FLOAT, [5, 5])],
      initializers: [weight, encodeTensor('shape', DataType.INT64, [2], BigInt64Array.of(1n, 72n))],
    });
    const { augmentedModel, tensorNames } = planCalibration(float);
    expect(tensorNames).toEqual(['flat', 'h', 'h_t', 'y']);
    const x = new ort.Tensor('float32', Float32Array.from({ length: 72 }, (_, i) => Math.cos(i * 0.7)), [1, 2, 6, 6]);
    const session = await ort.InferenceSession.create(augmentedModel);
    const observed = await session.run({ x }, tensorNames);
    await session.release();
    const calibrator = new MinMaxCalibrator();
    for (const name of tensorNames) calibrator.observe(name, observed[name].data as Float32Array);

    const { model, report } = quantizeQdq(float, calibrator.ranges());
    expect(report.quantizedNodes).toEqual(['mm', 'outer']);
    expect(decodeTensor(initializersOf(model).get('w_scale')!).dims).toEqual([5]);
    const dq = nodesOf(model).find((n) => n.name === 'w_DequantizeLinear');
    expect(dq?.attribute.map((a) => [a.name, Number(a.i)])).toEqual([['axis', 1]]);
    expect(nodesOf(model).find((n) => n.name === 'outer')?.input).toEqual(['h_t_DequantizeLinear_Output', 'h_DequantizeLinear_Output']);
    const quantized = await ort.InferenceSession.create(model);
    const y = (await quantized.run({ x })).y.data as Float32Array;
    await quantized.release();
    const expected = observed.y.data as Float32Array;
    const worst = expected.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
    const largest = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(worst).toBeLessThan(0.05 * largest);
  });

  it('reports a Conv whose weight is not a constant and leaves it float', () => {
    const float = buildModel({
      nodes: [makeNode('Conv', ['x', 'w'], ['y'], 'dynamic')],
      inputs: [makeTensorValueInfo('x', DataType.FLOAT, [1, 1, 3, 3]), makeTensorValueInfo('w', DataType.FLOAT, [1, 1, 1, 1])],
      outputs: [makeTensorValueInfo('y', DataType.FLOAT, [1, 1, 3, 3])],
    });
    const { report, model } = quantizeQdq(float, new Map());
    expect(report.skippedNodes).toEqual([{ name: 'dynamic', reason: "its weight 'w' is not a constant initializer" }]);
    expect(readModelInfo(model).format).toBe('float');
  });

  it('says which ranges are missing', () => {
    try {
      quantizeQdq(convNetModel(net, { transB: true }), new Map([['x', { min: 0, max: 1 }]]));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'quantize-failed' });
      expect((error as QuantLensError).message).toContain("'conv_out', 'features', 'logits'");
    }
  });
});

describe('models quantizeQdq refuses or leaves alone', () => {
  it('refuses an already quantized model', () => {
    const float = convNetModel(net, { transB: true });
    const { model } = quantizeQdq(float, ranges);
    expect(() => quantizeQdq(model, ranges)).toThrow(/already quantized \(QDQ format\)/);
    expect(() => planCalibration(model)).toThrow(QuantLensError);
  });

  it('skips ops fed by non-float tensors', () => {
    const float = buildModel({
      nodes: [makeNode('MatMul', ['a', 'b'], ['y'], 'int-matmul')],
      inputs: [makeTensorValueInfo('a', DataType.INT32, [2, 2]), makeTensorValueInfo('b', DataType.INT32, [2, 2])],
      outputs: [makeTensorValueInfo('y', DataType.INT32, [2, 2])],
    });
    expect(quantizeQdq(float, new Map()).report.skippedNodes).toEqual([{ name: 'int-matmul', reason: "its input 'a' is not float32" }]);
  });
});
