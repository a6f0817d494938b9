import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/wasm';
import {
  asymmetricParams, dequantizeLinear, dequantizeLinearPerAxis, quantizeLinear, quantizeLinearPerAxis,
  roundHalfToEven, symmetricParams,
} from '../../../../src/core/quantize/qdq-math.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { makeNode, makeTensorValueInfo } from '../../../../src/core/onnx/builders.ts';
import { buildModel } from '../onnx/build-model.ts';
import { fixtureData, fixtureModel } from '../onnx/fixtures.ts';

ort.env.wasm.numThreads = 1;

/** QuantizeLinear with a 1-D input of any length (the fixture's input is fixed to 6 values). */
function quantizeLinearModel(): Uint8Array {
  return buildModel({
    nodes: [makeNode('QuantizeLinear', ['x', 'y_scale', 'y_zero_point'], ['y'], 'q')],
    inputs: [makeTensorValueInfo('x', DataType.FLOAT, ['n']), makeTensorValueInfo('y_scale', DataType.FLOAT, []), makeTensorValueInfo('y_zero_point', DataType.UINT8, [])],
    outputs: [makeTensorValueInfo('y', DataType.UINT8, ['n'])],
  });
}

const numbers = (data: ArrayLike<number | bigint>) => Array.from(data as ArrayLike<number>, Number);

async function runOrt(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<number[]> {
  const session = await ort.InferenceSession.create(model);
  try {
    const results = await session.run(feeds);
    return numbers(results[session.outputNames[0]].data as ArrayLike<number>);
  } finally {
    await session.release();
  }
}

describe('Q/DQ arithmetic against the ONNX conformance fixtures', () => {
  it('QuantizeLinear per tensor', () => {
    const { inputs: [x, scale, zeroPoint], output } = fixtureData('test_quantizelinear');
    const y = quantizeLinear(x.data as Float32Array, numbers(scale.data)[0], numbers(zeroPoint.data)[0], 'uint8');
    expect(y).toBeInstanceOf(Uint8Array);
    expect(numbers(y)).toEqual(numbers(output.data));
  });

  it('QuantizeLinear per axis', () => {
    const { inputs: [x, scale, zeroPoint], output } = fixtureData('test_quantizelinear_axis');
    const y = quantizeLinearPerAxis(x.data as Float32Array, x.dims, 1, numbers(scale.data), numbers(zeroPoint.data), 'uint8');
    expect(numbers(y)).toEqual(numbers(output.data));
  });

  it('DequantizeLinear per tensor', () => {
    const { inputs: [x, scale, zeroPoint], output } = fixtureData('test_dequantizelinear');
    const y = dequantizeLinear(numbers(x.data), numbers(scale.data)[0], numbers(zeroPoint.data)[0]);
    expect(y).toEqual(output.data);
  });

  it('DequantizeLinear per axis', () => {
    const { inputs: [x, scale, zeroPoint], output } = fixtureData('test_dequantizelinear_axis');
    const y = dequantizeLinearPerAxis(numbers(x.data), x.dims, 1, numbers(scale.data), numbers(zeroPoint.data));
    expect(y).toEqual(output.data);
  });

  it('ONNX Runtime gives the fixture outputs too, and agrees with us on ties and saturation', async () => {
    for (const test of ['test_quantizelinear', 'test_quantizelinear_axis', 'test_dequantizelinear', 'test_dequantizelinear_axis']) {
      const { inputs, output } = fixtureData(test);
      const model = fixtureModel(test);
      const feeds = Object.fromEntries(inputs.map((t) => [t.name, new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.dims)]));
      expect(await runOrt(model, feeds)).toEqual(numbers(output.data));
    }
    // Ties to even, negative ties, saturation both ways, values that are not exact in float32.
    const x = Float32Array.of(0, 1, 2, 3, 5, 7, -1, -3, -5, 2.5, 1000, -1000, 0.1, -0.3, 255.5, -256.5, 1e-8, NaN);
    const feeds = { x: new ort.Tensor('float32', x, [x.length]), y_scale: new ort.Tensor('float32', Float32Array.of(2), []), y_zero_point: new ort.Tensor('uint8', Uint8Array.of(128), []) };
    const ours = numbers(quantizeLinear(x, 2, 128, 'uint8'));
    const theirs = await runOrt(quantizeLinearModel(), feeds);
    expect(ours.slice(0, -1)).toEqual(theirs.slice(0, -1)); // NaN has no specified result
    expect(ours.slice(0, 9)).toEqual([128, 128, 129, 130, 130, 132, 128, 126, 126]);
  });
});

describe('rounding and parameters', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999999, 2.5000001, -7].map(roundHalfToEven)).toEqual([0, 2, 2, 0, -2, -2, 2, 3, -7]);
  });

  it('saturates int8 and int32', () => {
    expect(numbers(quantizeLinear([-1000, 1000, -128.5, 127.5], 1, 0, 'int8'))).toEqual([-128, 127, -128, 127]);
    expect(numbers(quantizeLinear([1e12, -1e12], 1, 0, 'int32'))).toEqual([2147483647, -2147483648]);
  });

  it('computes asymmetric uint8 parameters with the range widened to include 0', () => {
    expect(asymmetricParams({ min: 0, max: 2.55 })).toEqual({ scale: Math.fround(0.01), zeroPoint: 0 });
    expect(asymmetricParams({ min: 1, max: 2.55 })).toEqual({ scale: Math.fround(0.01), zeroPoint: 0 });
    expect(asymmetricParams({ min: -1, max: -0.5 })).toEqual({ scale: Math.fround(1 / 255), zeroPoint: 255 });
    expect(asymmetricParams({ min: -1, max: 1 })).toEqual({ scale: Math.fround(2 / 255), zeroPoint: 128 });
    expect(asymmetricParams({ min: 0, max: 0 })).toEqual({ scale: 1, zeroPoint: 0 });
    expect(() => asymmetricParams({ min: 0, max: Infinity })).toThrow(/not finite/);
  });

  it('computes symmetric int8 parameters on [-127, 127]', () => {
    expect(symmetricParams(127)).toEqual({ scale: 1, zeroPoint: 0 });
    expect(symmetricParams(2)).toEqual({ scale: Math.fround(2 / 127), zeroPoint: 0 });
    expect(symmetricParams(0)).toEqual({ scale: 1, zeroPoint: 0 });
    expect(numbers(quantizeLinear([-2, 2, 1], 2 / 127, 0, 'int8'))).toEqual([-127, 127, 64]);
  });

  it('checks per-axis arguments', () => {
    expect(() => quantizeLinearPerAxis([1, 2, 3, 4], [2, 2], 0, [1], [0], 'int8')).toThrow(/needs 2 scales and zero points along axis 0/);
    expect(numbers(quantizeLinearPerAxis([1, 2, 3, 4], [2, 2], -1, [1, 2], [0, 0], 'int8'))).toEqual([1, 1, 3, 2]);
  });
});
