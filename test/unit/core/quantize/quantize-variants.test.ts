/**
 * Variants end to end in ONNX Runtime (wasm, the browser's kernels): each calibration method and
 * activation scheme (uint8/int8, symmetric or not, 16-bit W8A16 through com.microsoft Q/DQ) gives
 * a model whose outputs equal a plain TypeScript quantize-dequantize reference with the same scales;
 * FP16 keeps float32 inputs and outputs; every variant re-reads and re-writes to the same bytes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/wasm';
import { planCalibration } from '../../../../src/core/quantize/calibration.ts';
import { HistogramCalibrator } from '../../../../src/core/quantize/histogram-calibrator.ts';
import { buildVariant, DEFAULT_RECIPE, describeRecipe, type VariantRecipe } from '../../../../src/core/quantize/variant.ts';
import { nodesToKeepFloat } from '../../../../src/core/quantize/sensitive-nodes.ts';
import { activationParams, dequantizeValue, quantizeValue, type QuantizedType, type TensorRange } from '../../../../src/core/quantize/qdq-math.ts';
import { parseModel, serializeModel } from '../../../../src/core/onnx/model.ts';
import { readModelInfo } from '../../../../src/core/onnx/info.ts';
import { IN_CHANNELS, INPUT_LENGTH, SIZE, convNetModel, convNetWeights, forward, samples } from './convnet.ts';

ort.env.wasm.numThreads = 1;
const net = convNetWeights();
const floatModel = convNetModel(net, { transB: true });
const testSet = samples(6, 2);

async function run(model: Uint8Array, inputs: Float32Array[], names?: string[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const data = new Float32Array(inputs.length * INPUT_LENGTH);
    inputs.forEach((x, i) => data.set(x, i * INPUT_LENGTH));
    const results = await session.run({ x: new ort.Tensor('float32', data, [inputs.length, IN_CHANNELS, SIZE, SIZE]) }, names ?? session.outputNames);
    return Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, tensor.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** The quantized model by hand: every activation quantize-dequantized with the variant's scheme, weights per channel. */
function reference(ranges: Map<string, TensorRange>, type: QuantizedType, symmetric: boolean) {
  const qdq = (name: string) => {
    const { scale, zeroPoint } = activationParams(ranges.get(name) as TensorRange, type, symmetric);
    return (values: Float32Array) => values.map((v) => dequantizeValue(quantizeValue(v, scale, zeroPoint, type), scale, zeroPoint));
  };
  const scaleOf = (name: string) => activationParams(ranges.get(name) as TensorRange, type, symmetric).scale;
  const rows = (flat: Float32Array, n: number) => Array.from({ length: n }, (_, c) => flat.subarray(c * (flat.length / n), (c + 1) * (flat.length / n)));
  const wq = (row: Float32Array) => {
    const s = Math.fround(row.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127);
    return { row: row.map((w) => dequantizeValue(quantizeValue(w, s, 0, 'int8'), s, 0)), s };
  };
  const bias = (b: Float32Array, inScale: number, scales: number[]) => b.map((v, c) => {
    const s = Math.fround(inScale * scales[c]);
    return dequantizeValue(quantizeValue(v, s, 0, 'int32'), s, 0);
  });
  const conv = rows(net.convWeight, net.convBias.length).map(wq);
  const fc = net.fcWeight.map(wq);
  const quantized = {
    convWeight: Float32Array.from(conv.flatMap((c) => Array.from(c.row))),
    convBias: bias(net.convBias, scaleOf('x'), conv.map((c) => c.s)),
    fcWeight: fc.map((f) => f.row),
    fcBias: bias(net.fcBias, scaleOf('features'), fc.map((f) => f.s)),
  };
  return (x: Float32Array) => forward(quantized, x, { input: qdq('x'), convOut: qdq('conv_out'), features: qdq('features'), logits: qdq('logits') });
}

describe('quantized variants in ONNX Runtime', () => {
  const calibrator = new HistogramCalibrator();
  let floatOutputs: Float32Array;
  beforeAll(async () => {
    const { augmentedModel, tensorNames } = planCalibration(floatModel);
    for (const sample of samples(16, 1)) {
      const outputs = await run(augmentedModel, [sample], tensorNames);
      for (const name of tensorNames) calibrator.observe(name, outputs[name]);
    }
    floatOutputs = (await run(floatModel, testSet)).logits;
  });

  const recipes: VariantRecipe[] = [
    { ...DEFAULT_RECIPE, calibration: { method: 'percentile', percentile: 99 } },
    { ...DEFAULT_RECIPE, calibration: { method: 'entropy' } },
    { ...DEFAULT_RECIPE, calibration: { method: 'mse' }, activationType: 'int8', symmetricActivations: true },
    { ...DEFAULT_RECIPE, activationType: 'uint8', symmetricActivations: true },
    { ...DEFAULT_RECIPE, activationType: 'int8' },
    { ...DEFAULT_RECIPE, activationType: 'int16' },
    { ...DEFAULT_RECIPE, calibration: { method: 'mse' }, activationType: 'uint16' },
  ];
  for (const recipe of recipes) {
    it(`${describeRecipe(recipe)}: equals the reference within one output step, and round-trips losslessly`, async () => {
      const { model, ranges, report } = buildVariant(floatModel, calibrator, recipe);
      expect(report.quantizedNodes).toEqual(['conv', 'fc']);
      const outputs = (await run(model, testSet)).logits;
      const expected = testSet.flatMap((x) => Array.from(reference(ranges, recipe.activationType, recipe.symmetricActivations)(x)));
      const step = activationParams(ranges.get('logits') as TensorRange, recipe.activationType, recipe.symmetricActivations).scale;
      outputs.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(step * 1.0001));
      const wide = recipe.activationType.endsWith('16');
      const qdqDomains = new Set(parseModel(model).graph?.node.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.domain));
      expect([...qdqDomains]).toEqual([wide ? 'com.microsoft' : '']);
      expect(serializeModel(parseModel(model))).toEqual(model);
    });
  }

  it('W8A16: the same ranges on a grid 257 times finer (65535 vs 255 steps)', () => {
    const scaleOf = (recipe: VariantRecipe) => {
      const { model } = buildVariant(floatModel, calibrator, recipe);
      const tensor = parseModel(model).graph?.initializer.find((t) => t.name === 'conv_out_scale');
      return new Float32Array(new Uint8Array(tensor?.rawData ?? []).buffer)[0];
    };
    expect(scaleOf(DEFAULT_RECIPE) / scaleOf({ ...DEFAULT_RECIPE, activationType: 'uint16' })).toBeCloseTo(65535 / 255, 3);
  });

  it('FP16: float32 inputs and outputs, float16 weights, outputs within FP16 rounding of the float model', async () => {
    const { model } = buildVariant(floatModel, calibrator, { ...DEFAULT_RECIPE, precision: 'fp16' });
    const info = readModelInfo(model);
    expect(info.inputs[0].dtype).toBe('float32');
    expect(info.outputs[0].dtype).toBe('float32');
    expect(parseModel(model).graph?.initializer.every((t) => t.dataType === 10)).toBe(true);
    const outputs = (await run(model, testSet)).logits;
    const largest = floatOutputs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    outputs.forEach((v, i) => expect(Math.abs(v - floatOutputs[i])).toBeLessThanOrEqual(2e-3 * largest));
    expect(serializeModel(parseModel(model))).toEqual(model);
  });

  it('keeps an excluded node in float and 16-bit activations around the rest', async () => {
    const { model, report } = buildVariant(floatModel, calibrator, { ...DEFAULT_RECIPE, activationType: 'int16', nodesToExclude: ['fc'] });
    expect(report.quantizedNodes).toEqual(['conv']);
    expect(parseModel(model).graph?.initializer.some((t) => t.name === 'fc.weight' && t.dataType === 1)).toBe(true);
    expect((await run(model, testSet)).logits).toHaveLength(testSet.length * 3);
  });
});

describe('nodesToKeepFloat', () => {
  const model = parseModel(floatModel);
  it('charges each ranked tensor to the quantized node behind it, in ranking order, without duplicates', () => {
    const ranked = ['relu_out', 'features', 'logits', 'x', 'conv_out'].map((floatTensor) => ({ floatTensor }));
    // relu_out -> the conv before it; features -> fc reads it quantized; logits -> fc; x -> conv reads it.
    expect(nodesToKeepFloat(model, ranked)).toEqual(['conv', 'fc']);
    expect(nodesToKeepFloat(model, ranked, { nodesToExclude: ['conv'] })).toEqual(['fc']);
  });
});
