/**
 * End to end: calibrate a small float Conv+Relu+Gemm model in ONNX Runtime, quantize it to QDQ,
 * run the result in ONNX Runtime and compare it with the float model and with a plain TypeScript
 * quantize-dequantize reference.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/wasm';
import { planCalibration } from '../../../../src/core/quantize/calibration.ts';
import { MinMaxCalibrator } from '../../../../src/core/quantize/calibrator.ts';
import { quantizeQdq } from '../../../../src/core/quantize/quantize-qdq.ts';
import {
  asymmetricParams, dequantizeLinear, quantizeLinear, quantizeValue, dequantizeValue, type TensorRange,
} from '../../../../src/core/quantize/qdq-math.ts';
import { parseModel, serializeModel } from '../../../../src/core/onnx/model.ts';
import { readModelInfo } from '../../../../src/core/onnx/info.ts';
import { compareTwins } from '../../../../src/core/onnx/twins.ts';
import {
  CLASSES, IN_CHANNELS, INPUT_LENGTH, SIZE, convNetModel, convNetWeights, forward, samples, type ConvNet,
} from './convnet.ts';

ort.env.wasm.numThreads = 1;

const net = convNetWeights();
const calibrationSet = samples(8, 1);
const testSet = samples(6, 2);

function batch(inputs: Float32Array[]): ort.Tensor {
  const data = new Float32Array(inputs.length * INPUT_LENGTH);
  inputs.forEach((x, i) => data.set(x, i * INPUT_LENGTH));
  return new ort.Tensor('float32', data, [inputs.length, IN_CHANNELS, SIZE, SIZE]);
}

async function run(model: Uint8Array, inputs: Float32Array[], outputNames?: string[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const results = await session.run({ x: batch(inputs) }, outputNames ?? session.outputNames);
    return Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, tensor.data as Float32Array]));
  } finally {
    await session.release();
  }
}

async function calibrate(floatModel: Uint8Array): Promise<Map<string, TensorRange>> {
  const { augmentedModel, tensorNames } = planCalibration(floatModel);
  const calibrator = new MinMaxCalibrator();
  for (const sample of calibrationSet) {
    const outputs = await run(augmentedModel, [sample], tensorNames);
    for (const name of tensorNames) calibrator.observe(name, outputs[name]);
  }
  return calibrator.ranges();
}

/**
 * Widens a range so that its uint8 scale is a power of two and its ends are on the grid: then
 * every quantized tensor is dyadic and float32 sums of them are exact in any order, so ONNX
 * Runtime and the reference must agree to the last bit, whatever kernels ORT picks.
 */
function dyadicRange(range: TensorRange): TensorRange {
  const low = Math.min(range.min, 0);
  const high = Math.max(range.max, 0);
  let step = 2 ** Math.ceil(Math.log2((high - low) / 255 || 2 ** -20));
  for (;;) {
    const zeroPoint = Math.ceil(-low / step);
    if (zeroPoint <= 255 && (255 - zeroPoint) * step >= high) return { min: -zeroPoint * step, max: (255 - zeroPoint) * step };
    step *= 2;
  }
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
};

const absMax = (values: ArrayLike<number>) => Array.from(values).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The quantized model written out by hand: quantize-dequantize every tensor with the same scales, then float maths. */
function reference(ranges: Map<string, TensorRange>, perChannel: boolean): (x: Float32Array) => Float32Array {
  const qdq = (name: string) => {
    const { scale, zeroPoint } = asymmetricParams(ranges.get(name) as TensorRange);
    return (values: Float32Array) => dequantizeLinear(quantizeLinear(values, scale, zeroPoint, 'uint8'), scale, zeroPoint);
  };
  const inputScale = (name: string) => asymmetricParams(ranges.get(name) as TensorRange).scale;
  const convRows = Array.from({ length: net.convBias.length }, (_, c) => net.convWeight.subarray(c * 18, (c + 1) * 18));
  const weightScales = (rows: Float32Array[]) => {
    const perRow = rows.map((row) => absMax(row) / 127);
    return perChannel ? perRow : perRow.map(() => Math.max(...perRow));
  };
  const qdqRows = (rows: Float32Array[], scales: number[]) =>
    rows.map((row, c) => Float32Array.from(row, (w) => dequantizeValue(quantizeValue(w, scales[c], 0, 'int8'), scales[c], 0)));
  const qdqBias = (bias: Float32Array, activationScale: number, scales: number[]) =>
    Float32Array.from(bias, (b, c) => {
      const scale = Math.fround(activationScale * scales[c]);
      return dequantizeValue(quantizeValue(b, scale, 0, 'int32'), scale, 0);
    });
  const convScales = weightScales(convRows);
  const fcScales = weightScales(net.fcWeight);
  const quantizedNet: ConvNet = {
    convWeight: Float32Array.from(qdqRows(convRows, convScales).flatMap((row) => Array.from(row))),
    convBias: qdqBias(net.convBias, inputScale('x'), convScales),
    fcWeight: qdqRows(net.fcWeight, fcScales),
    fcBias: qdqBias(net.fcBias, inputScale('features'), fcScales),
  };
  return (x) => forward(quantizedNet, x, { input: qdq('x'), convOut: qdq('conv_out'), features: qdq('features'), logits: qdq('logits') });
}

describe('static QDQ quantization, end to end in ONNX Runtime', () => {
  const floatModel = convNetModel(net, { transB: true });
  let ranges: Map<string, TensorRange>;
  let floatOutputs: Float32Array;

  beforeAll(async () => {
    ranges = await calibrate(floatModel);
    floatOutputs = (await run(floatModel, testSet)).logits;
  });

  it('the test model and its TypeScript forward pass agree', () => {
    const expected = Float32Array.from(testSet.flatMap((x) => Array.from(forward(net, x))));
    // Summation order differs from ORT's kernels: allow float32 rounding relative to the largest logit.
    const tolerance = 1e-6 * absMax(expected);
    floatOutputs.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tolerance));
  });

  it('calibrates the inputs and outputs of quantized ops with MinMax', () => {
    expect([...ranges.keys()]).toEqual(['x', 'conv_out', 'features', 'logits']);
    const inputs = calibrationSet.flatMap((x) => Array.from(x));
    expect(ranges.get('x')).toEqual({ min: Math.min(...inputs), max: Math.max(...inputs) });
    const logits = calibrationSet.flatMap((x) => Array.from(forward(net, x)));
    const close = (a: number | undefined, b: number) => expect(Math.abs((a ?? NaN) - b)).toBeLessThanOrEqual(1e-6 * Math.abs(b));
    close(ranges.get('logits')?.min, Math.min(...logits));
    close(ranges.get('logits')?.max, Math.max(...logits));
  });

  for (const perChannel of [true, false]) {
    const mode = perChannel ? 'per-channel' : 'per-tensor';

    it(`${mode}: runs in ORT, stays close to the float model and matches the reference exactly`, async () => {
      const calibrated = quantizeQdq(floatModel, ranges, { perChannel });
      expect(calibrated.report).toEqual({ quantizedNodes: ['conv', 'fc'], skippedNodes: [] });
      const calibratedOutputs = (await run(calibrated.model, testSet)).logits;
      expect(cosine(calibratedOutputs, floatOutputs)).toBeGreaterThan(0.99);
      // With arbitrary scales, float32 summation order may move a value across a rounding tie: one step at most.
      const rawExpected = testSet.flatMap((x) => Array.from(reference(ranges, perChannel)(x)));
      const logitsStep = asymmetricParams(ranges.get('logits') as TensorRange).scale;
      calibratedOutputs.forEach((v, i) => expect(Math.abs(v - rawExpected[i])).toBeLessThanOrEqual(logitsStep * 1.0001));

      const gridRanges = new Map([...ranges].map(([name, range]) => [name, dyadicRange(range)]));
      const { model } = quantizeQdq(floatModel, gridRanges, { perChannel });
      const quantizedOutputs = (await run(model, testSet)).logits;
      expect(cosine(quantizedOutputs, floatOutputs)).toBeGreaterThan(0.99);
      const expected = testSet.flatMap((x) => Array.from(reference(gridRanges, perChannel)(x)));
      expect(quantizedOutputs).toHaveLength(testSet.length * CLASSES);
      quantizedOutputs.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-5));
    });

    it(`${mode}: re-reading and re-writing the quantized model gives the same bytes`, () => {
      const { model } = quantizeQdq(floatModel, ranges, { perChannel });
      expect(serializeModel(parseModel(model))).toEqual(model);
    });
  }

  it('handles Gemm weights stored untransposed (transB=0): per-channel along axis 1', async () => {
    const untransposed = convNetModel(net, { transB: false });
    const { model } = quantizeQdq(untransposed, ranges, { perChannel: true });
    const scale = parseModel(model).graph?.initializer.find((t) => t.name === 'fc.weight_scale');
    expect(scale?.dims).toEqual([3n]);
    const dq = parseModel(model).graph?.node.find((n) => n.name === 'fc.weight_DequantizeLinear');
    expect(dq?.attribute.map((a) => [a.name, Number(a.i)])).toEqual([['axis', 1]]);
    const outputs = (await run(model, testSet)).logits;
    const transposed = (await run(quantizeQdq(floatModel, ranges, { perChannel: true }).model, testSet)).logits;
    expect(outputs).toEqual(transposed);
  });

  it('produces a QDQ twin of the float model', () => {
    const { model } = quantizeQdq(floatModel, ranges);
    const info = readModelInfo(model);
    expect(info.format).toBe('qdq');
    expect(compareTwins(readModelInfo(floatModel), info)).toEqual([]);
    expect(info.opHistogram).toEqual({ QuantizeLinear: 4, DequantizeLinear: 8, Conv: 1, Relu: 1, Flatten: 1, Gemm: 1 });
  });
});
