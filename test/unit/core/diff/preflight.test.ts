/**
 * Preflight: model facts, how each node is quantized, and the input-range check on a model that
 * src/core/quantize calibrated on one input scale and that is then fed another.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/wasm';
import { preflight, describeQuantizedNodes } from '../../../../src/core/diff/preflight.ts';
import { checkInputRanges } from '../../../../src/core/diff/input-range.ts';
import { parseModel } from '../../../../src/core/onnx/model.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { encodeTensor } from '../../../../src/core/onnx/tensor.ts';
import { makeNode, makeTensorValueInfo } from '../../../../src/core/onnx/builders.ts';
import { planCalibration } from '../../../../src/core/quantize/calibration.ts';
import { MinMaxCalibrator } from '../../../../src/core/quantize/calibrator.ts';
import { quantizeQdq } from '../../../../src/core/quantize/quantize-qdq.ts';
import { buildModel } from '../onnx/build-model.ts';
import { IN_CHANNELS, SIZE, convNetModel, convNetWeights, samples } from '../quantize/convnet.ts';
import { demoFloatBytes, demoQuantizedBytes } from './helpers.ts';
import { floatMatMulModel, qoperatorMatMulModel } from './qoperator-model.ts';

ort.env.wasm.numThreads = 1;

/** The convnet quantized by src/core/quantize, calibrated on inputs mapped from [-1, 1) to [low, high). */
async function quantizedOn(low: number, high: number): Promise<Uint8Array> {
  const floatModel = convNetModel(convNetWeights(), { transB: true });
  const { augmentedModel, tensorNames } = planCalibration(floatModel);
  const session = await ort.InferenceSession.create(augmentedModel);
  const calibrator = new MinMaxCalibrator();
  for (const sample of samples(8, 1)) {
    const scaled = Float32Array.from(sample, (v) => low + ((v + 1) / 2) * (high - low));
    const outputs = await session.run({ x: new ort.Tensor('float32', scaled, [1, IN_CHANNELS, SIZE, SIZE]) }, tensorNames);
    for (const name of tensorNames) calibrator.observe(name, outputs[name].data as Float32Array);
  }
  await session.release();
  return quantizeQdq(floatModel, calibrator.ranges()).model;
}

describe('preflight of the demo pair', () => {
  const report = preflight(
    { proto: parseModel(demoFloatBytes), byteLength: demoFloatBytes.length },
    { proto: parseModel(demoQuantizedBytes), byteLength: demoQuantizedBytes.length },
    { input: { min: 0, max: 1 } },
  );

  it('reports both models’ facts', () => {
    expect(report.float).toMatchObject({ format: 'float', parameterCount: 52138, byteLength: demoFloatBytes.length, opsets: { 'ai.onnx': 13 } });
    expect(report.quantized.format).toBe('qdq');
    expect(report.quantized.opHistogram).toMatchObject({ QuantizeLinear: 8, DequantizeLinear: 16, Conv: 2, Gemm: 2 });
    expect(report.floatComputeNodes).toEqual([]);
  });

  it('says which nodes are quantized and how', () => {
    // DQ → Relu → Q is a quantized node unit too; MaxPool and Flatten read float tensors.
    expect(report.quantizedNodes.map((n) => n.name)).toEqual(['/conv1/Conv', '/conv2/Conv', '/fc1/Gemm', '/Relu_2', '/fc2/Gemm']);
    expect(report.quantizedNodes[0]).toEqual({
      name: '/conv1/Conv', opType: 'Conv', style: 'qdq',
      weight: { tensor: 'conv1.weight_quantized', dtype: 'int8', granularity: 'per-channel', scaleCount: 8, axis: 0, symmetric: true },
      activations: [{ tensor: 'input_QuantizeLinear_Output', dtype: 'uint8', granularity: 'per-tensor', scaleCount: 1, symmetric: true }],
      output: { tensor: '/conv1/Conv_output_0_QuantizeLinear_Output', dtype: 'uint8', granularity: 'per-tensor', scaleCount: 1, symmetric: false },
    });
  });

  it('finds the 0..1 digits inside the input range and warns about nothing', () => {
    expect(report.inputRanges).toMatchObject([{ input: 'input', verdict: 'ok', severity: 'ok', dtype: 'uint8' }]);
    expect(report.inputRanges[0].stepsUsed).toBeCloseTo(255, 3);
    expect(report.warnings).toEqual([]);
  });
});

describe('input-range check on a model quantized by src/core/quantize', () => {
  let on255: Uint8Array;
  let on01: Uint8Array;
  beforeAll(async () => {
    on255 = await quantizedOn(0, 255);
    on01 = await quantizedOn(0, 1);
  });

  it('calibrated on 0..255, fed 0..1: the data fall on about one level', () => {
    const [check] = checkInputRanges(parseModel(on255), { x: { min: 0, max: 1 } });
    expect(check).toMatchObject({ input: 'x', quantizedBy: 'x_QuantizeLinear', verdict: 'far-inside', severity: 'error' });
    expect(check.representable.max).toBeGreaterThan(250);
    expect(check.message).toContain('calibrated on pixels scaled 0..255 and fed pixels scaled 0..1');
    const report = preflight({ proto: parseModel(on255), byteLength: 0 }, { proto: parseModel(on255), byteLength: 0 }, { x: { min: 0, max: 1 } });
    expect(report.warnings[0]).toBe(check.message);
  });

  it('calibrated on 0..1, fed 0..255: nearly everything is clipped', () => {
    const [check] = checkInputRanges(parseModel(on01), { x: { min: 0, max: 255 } });
    expect(check).toMatchObject({ verdict: 'far-outside', severity: 'error' });
    expect(check.overshoot).toBeGreaterThan(100);
    expect(check.message).toContain('values beyond it are clipped');
    expect(check.message).toContain('calibrated on pixels scaled 0..1 and fed pixels scaled 0..255');
  });

  it('accepts matching data, flags a mild overshoot, and says when it cannot check', () => {
    expect(checkInputRanges(parseModel(on01), { x: { min: 0.01, max: 0.98 } })[0].verdict).toBe('ok');
    const mild = checkInputRanges(parseModel(on01), { x: { min: -0.3, max: 1 } })[0];
    expect(mild).toMatchObject({ verdict: 'outside', severity: 'warning' });
    expect(mild.message).not.toContain('0..255');
    expect(checkInputRanges(parseModel(on01), {})[0]).toMatchObject({ verdict: 'not-checked', severity: 'ok' });
  });
});

describe('quantization schemes', () => {
  it('describes QOperator nodes and the QuantizeLinear on their input', () => {
    const model = parseModel(qoperatorMatMulModel());
    expect(describeQuantizedNodes(model)).toEqual([{
      name: 'matmul_quant', opType: 'QLinearMatMul', style: 'qoperator',
      weight: { tensor: 'w_quantized', dtype: 'int8', granularity: 'per-tensor', scaleCount: 1, symmetric: true },
      activations: [{ tensor: 'x_quantized', dtype: 'uint8', granularity: 'per-tensor', scaleCount: 1, symmetric: false }],
      output: { tensor: 'out_quantized', dtype: 'uint8', granularity: 'per-tensor', scaleCount: 1, symmetric: true },
    }]);
    const [check] = checkInputRanges(model, { x: { min: -1, max: 1 } });
    expect(check).toMatchObject({ quantizedBy: 'x_QuantizeLinear', verdict: 'ok' });
    expect(check.representable.min).toBeCloseTo((-128 * 2) / 255, 6);
    expect(preflight({ proto: parseModel(floatMatMulModel()), byteLength: 1 }, { proto: model, byteLength: 1 }).quantized.format).toBe('qoperator');
  });

  it('reads int16 activations and per-channel weights from DequantizeLinear', () => {
    const model = parseModel(buildModel({
      nodes: [
        makeNode('QuantizeLinear', ['x', 's', 'zp'], ['xq'], 'q'),
        makeNode('DequantizeLinear', ['xq', 's', 'zp'], ['xdq'], 'dq'),
        makeNode('DequantizeLinear', ['wq', 'ws', 'wzp'], ['wdq'], 'wdq', []),
        makeNode('MatMul', ['xdq', 'wdq'], ['y'], 'mm'),
      ],
      inputs: [makeTensorValueInfo('x', DataType.FLOAT, [1, 2])],
      outputs: [makeTensorValueInfo('y', DataType.FLOAT, [1, 3])],
      initializers: [
        encodeTensor('s', DataType.FLOAT, [], Float32Array.of(0.001)),
        encodeTensor('zp', DataType.INT16, [], Int16Array.of(0)),
        encodeTensor('wq', DataType.INT8, [2, 3], Int8Array.of(1, 2, 3, 4, 5, 6)),
        encodeTensor('ws', DataType.FLOAT, [3], Float32Array.of(0.1, 0.2, 0.3)),
        encodeTensor('wzp', DataType.INT8, [3], Int8Array.of(0, 1, 0)),
      ],
    }));
    const [node] = describeQuantizedNodes(model);
    expect(node.activations[0]).toMatchObject({ dtype: 'int16', symmetric: true });
    expect(node.weight).toMatchObject({ dtype: 'int8', granularity: 'per-channel', scaleCount: 3, axis: 1, symmetric: false });
    expect(checkInputRanges(model, { x: { min: -30, max: 30 } })[0]).toMatchObject({ dtype: 'int16', verdict: 'ok' });
  });
});
