import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { float16Bits, toFloat16Model } from '../../../../src/core/providers/fp16.ts';
import { parseModel } from '../../../../src/core/onnx/model.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { modelInfoOf } from '../../../../src/core/onnx/info.ts';
import { prepareChunk } from '../../../../src/core/eval/prepare.ts';
import { loadDemo } from '../../../helpers/demo.ts';

describe('float16 bits (IEEE 754 binary16, round to nearest even)', () => {
  it('matches values numpy.float16 gives', () => {
    // numpy: np.array([...], np.float16).view(np.uint16)
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.1, 0x2e66], [65504, 0x7bff], [65520, 0x7c00],
      [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002], [2 ** -14, 0x0400], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
      [Infinity, 0x7c00], [-Infinity, 0xfc00],
    ];
    for (const [value, bits] of cases) expect(float16Bits(value), String(value)).toBe(bits);
    expect(float16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float16Bits(NaN) & 0x3ff).not.toBe(0);
  });
});

describe('FP16 copy of the demo float model', () => {
  const demo = loadDemo();
  const converted = toFloat16Model(demo.floatModel);

  it('keeps float32 inputs and outputs, and computes in float16 inside', () => {
    const model = parseModel(converted);
    const info = modelInfoOf(model);
    expect(info.inputs.map((i) => i.dtype)).toEqual(['float32']);
    expect(info.outputs.map((o) => o.dtype)).toEqual(['float32']);
    expect(model.graph!.initializer.every((t) => t.dataType === DataType.FLOAT16)).toBe(true);
    expect(info.opHistogram.Cast).toBe(2);
    expect(info.nodeCount).toBe(modelInfoOf(parseModel(demo.floatModel)).nodeCount + 2);
  });

  it('gives the same digits as the FP32 model on onnxruntime (wasm, in Node)', async () => {
    const [fp32, fp16] = await Promise.all([ort.InferenceSession.create(demo.floatModel), ort.InferenceSession.create(converted)]);
    const spec = demo.manifest.preprocess;
    let same = 0;
    let maxDiff = 0;
    const samples = demo.testSet.samples.slice(0, 50);
    const chunk = await prepareChunk(samples, spec);
    for (const sample of chunk.samples) {
      const feeds = { [fp32.inputNames[0]]: new ort.Tensor('float32', sample.input as Float32Array, [1, 1, 28, 28]) };
      const [a, b] = await Promise.all([fp32.run(feeds), fp16.run(feeds)]);
      const x = a[fp32.outputNames[0]].data as Float32Array;
      const y = b[fp16.outputNames[0]].data as Float32Array;
      const argmax = (v: Float32Array) => v.indexOf(Math.max(...v));
      if (argmax(x) === argmax(y)) same++;
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
    }
    expect(same).toBe(samples.length);
    expect(maxDiff).toBeGreaterThan(0); // it really computed in float16
    expect(maxDiff).toBeLessThan(0.1);
    await Promise.all([fp32.release(), fp16.release()]);
  });
});
