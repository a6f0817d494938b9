/**
 * addOutputs appends a graph-output fragment to the model bytes: the original bytes stay a prefix,
 * ORT loads the result, the new outputs exist and the original outputs are bit-identical.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web/wasm';
import { addOutputs, outputsFragment } from '../../../../src/core/diff/add-outputs.ts';
import { parseModel } from '../../../../src/core/onnx/model.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { demoFloatBytes, demoQuantizedBytes, demoSamples } from './helpers.ts';

ort.env.wasm.numThreads = 1;

async function runAll(model: Uint8Array, input: Float32Array): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const results = await session.run({ input: new ort.Tensor('float32', input, [input.length / 784, 1, 28, 28]) });
    return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

describe('outputsFragment', () => {
  it('is a ModelProto with only field 7 (graph) holding field 12 (output) value infos', () => {
    // 3a = field 7, length-delimited; 62 = field 12; 0a = ValueInfoProto.name.
    expect(Buffer.from(outputsFragment([{ name: 'ab' }])).toString('hex')).toBe('3a06' + '6204' + '0a026162');
    // With a type: ValueInfoProto.type (12) → TypeProto.tensor_type (0a) → elem_type (08) = 1.
    expect(Buffer.from(outputsFragment([{ name: 'ab', elemType: DataType.FLOAT }])).toString('hex')).toBe('3a0c' + '620a' + '0a026162' + '1204' + '0a020801');
  });
});

describe('addOutputs', () => {
  const names = ['/conv1/Conv_output_0', '/MaxPool_output_0', '/fc1/Gemm_output_0'];

  it('keeps the original bytes as a prefix and parses as the model with more outputs', () => {
    const edited = addOutputs(demoFloatBytes, names);
    expect(edited.subarray(0, demoFloatBytes.length)).toEqual(demoFloatBytes);
    const reparsed = parseModel(edited);
    const original = parseModel(demoFloatBytes);
    expect(reparsed.graph?.output.map((o) => o.name)).toEqual(['logits', ...names]);
    expect(reparsed.graph?.node).toEqual(original.graph?.node);
    expect(reparsed.graph?.initializer).toEqual(original.graph?.initializer);
  });

  it('skips existing outputs and duplicates, and rejects unknown tensors when given the parsed model', () => {
    const model = parseModel(demoFloatBytes);
    expect(addOutputs(demoFloatBytes, ['logits'], model)).toBe(demoFloatBytes);
    const once = parseModel(addOutputs(demoFloatBytes, [names[0], names[0], 'logits'], model));
    expect(once.graph?.output.map((o) => o.name)).toEqual(['logits', names[0]]);
    expect(() => addOutputs(demoFloatBytes, ['nope'], model)).toThrowError(/no tensor named 'nope'/);
  });

  for (const [label, bytes, extra] of [
    ['float', demoFloatBytes, names],
    ['QDQ', demoQuantizedBytes, ['/conv1/Conv_output_0_DequantizeLinear_Output', '/conv2/Conv_output_0', 'logits_QuantizeLinear_Input', '/fc1/Gemm_output_0_QuantizeLinear_Output']],
  ] as const) {
    it(`${label}: loads in ORT, returns the new outputs, and the original output is bit-identical`, async () => {
      const samples = await demoSamples(16);
      const batch = new Float32Array(16 * 784);
      samples.forEach((s, i) => batch.set(s.input as Float32Array, i * 784));
      const plain = await runAll(bytes, batch);
      const withTyped = await runAll(addOutputs(bytes, extra.map((name) => ({ name, elemType: name.endsWith('QuantizeLinear_Output') ? DataType.UINT8 : DataType.FLOAT }))), batch);
      const withBare = await runAll(addOutputs(bytes, [...extra]), batch);
      for (const result of [withTyped, withBare]) {
        expect(Object.keys(result).sort()).toEqual(['logits', ...extra].sort());
        expect(Buffer.from(result.logits.buffer, result.logits.byteOffset, result.logits.byteLength))
          .toEqual(Buffer.from(plain.logits.buffer, plain.logits.byteOffset, plain.logits.byteLength));
      }
    });
  }
});
