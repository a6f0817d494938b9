import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { StringStringEntryProtoSchema, TensorProto_DataLocation, type TensorProto } from '../../../../src/core/onnx/gen/onnx_pb.ts';
import { bundleModel, type DataFile } from '../../../../src/core/onnx/bundle.ts';
import { makeNode, makeTensorValueInfo, tensorAttribute } from '../../../../src/core/onnx/builders.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { readModelInfo } from '../../../../src/core/onnx/info.ts';
import { encodeTensor } from '../../../../src/core/onnx/tensor.ts';
import { openSession } from '../../../../src/runtime/ort.ts';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { loadDemo } from '../../../helpers/demo.ts';
import { withExternalData } from '../../../helpers/fault-models.ts';
import { buildModel } from './build-model.ts';

/** A float tensor whose bytes are at `offset` of `location` (ONNX external data, as onnx.save writes it). */
function external(name: string, dims: number[], location: string, offset: number, length?: number): TensorProto {
  const tensor = encodeTensor(name, DataType.FLOAT, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));
  tensor.rawData = new Uint8Array(0);
  tensor.dataLocation = TensorProto_DataLocation.EXTERNAL;
  const entries: [string, string][] = [['location', location], ['offset', String(offset)]];
  if (length !== undefined) entries.push(['length', String(length)]);
  tensor.externalData = entries.map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }));
  return tensor;
}

const fileOf = (name: string, bytes: Uint8Array): DataFile => ({ name, size: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length) });

// y = (x + a) * b + c; a and b in 'weights/model.data' (b without a length entry), c in a Constant node kept in 'extra.bin'.
function externalModel(): { model: Uint8Array; data: Uint8Array; extra: Uint8Array } {
  const c = external('c', [4], 'extra.bin', 0, 16);
  const model = buildModel({
    nodes: [
      makeNode('Add', ['x', 'a'], ['xa'], 'add'),
      makeNode('Mul', ['xa', 'b'], ['xab'], 'mul'),
      makeNode('Constant', [], ['c'], 'const_c', [tensorAttribute('value', c)]),
      makeNode('Add', ['xab', 'c'], ['y'], 'add_c'),
    ],
    inputs: [makeTensorValueInfo('x', DataType.FLOAT, [4])],
    outputs: [makeTensorValueInfo('y', DataType.FLOAT, [4])],
    initializers: [external('a', [4], 'weights/model.data', 0, 16), external('b', [4], 'weights/model.data', 16)],
  });
  const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 10, 10, 10, 10]).buffer);
  const extra = new Uint8Array(new Float32Array([0.5, 0.5, 0.5, 0.5]).buffer);
  return { model, data, extra };
}

describe('external data (weights kept outside the .onnx file)', () => {
  it('is found when reading the model: files, tensors and bytes, subgraph-free Constant values included', () => {
    const info = readModelInfo(externalModel().model);
    expect(info.externalData).toEqual([
      { fileName: 'model.data', location: 'weights/model.data', tensors: 2, bytes: 32 },
      { fileName: 'extra.bin', location: 'extra.bin', tensors: 1, bytes: 16 },
    ]);
    expect(readModelInfo(loadDemo().floatModel).externalData).toEqual([]);
  });

  it('without its data files, stops with a sentence naming them', async () => {
    const { model, data } = externalModel();
    const error = await bundleModel(model, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuantLensError);
    expect((error as QuantLensError).code).toBe('external-data-missing');
    expect((error as QuantLensError).message).toBe("This model keeps its weights in 'model.data' and 'extra.bin', which were not given: pick both files.");
    const one = await bundleModel(model, [fileOf('model.data', data)]).catch((e: unknown) => e);
    expect((one as QuantLensError).message).toBe("This model keeps its weights in 'extra.bin', which was not given: pick both files.");
  });

  it('with them, becomes one self-contained model that onnxruntime-web runs with the right weights', async () => {
    const { model, data, extra } = externalModel();
    const bundled = await bundleModel(model, [fileOf('model.data', data), fileOf('extra.bin', extra)]);
    expect(bundled.dataFiles).toEqual(['model.data', 'extra.bin']);
    expect(bundled.info.externalData).toEqual([]);
    const session = await openSession(bundled.bytes!, { provider: 'wasm', numThreads: 1 });
    const out = await session.run({ x: { data: new Float32Array([0, 1, 2, 3]), dims: [4] } });
    expect([...out.y.data]).toEqual([10.5, 30.5, 50.5, 70.5]);
    await session.release();
  });

  it('gives back the very model it was made from (the demo, weights moved out and copied back in)', async () => {
    const demo = loadDemo().floatModel;
    const { model, data } = withExternalData(demo, 'mnist-cnn.float.onnx.data');
    expect(readModelInfo(model).externalData).toEqual([{ fileName: 'mnist-cnn.float.onnx.data', location: 'mnist-cnn.float.onnx.data', tensors: 8, bytes: data.length }]);
    const bundled = await bundleModel(model, [fileOf('mnist-cnn.float.onnx.data', data)]);
    expect(Buffer.from(bundled.bytes!).equals(Buffer.from(demo))).toBe(true); // byte for byte
  });

  it('refuses a data file too short for the model, or one that does not say how long a tensor is', async () => {
    const { model, data, extra } = externalModel();
    const short = await bundleModel(model, [fileOf('model.data', data.slice(0, 20)), fileOf('extra.bin', extra)]).catch((e: unknown) => e);
    expect((short as QuantLensError).message).toBe("'model.data' is too short for this model: tensor 'b' needs bytes 16 to 32, and the file has 20.");
    const odd = external('s', [2], 'strings.bin', 0);
    odd.dataType = DataType.STRING;
    const strings = buildModel({ nodes: [makeNode('Identity', ['s'], ['y'], 'id')], inputs: [], outputs: [makeTensorValueInfo('y', DataType.STRING, [2])], initializers: [odd] });
    const unknown = await bundleModel(strings, [fileOf('strings.bin', new Uint8Array(8))]).catch((e: unknown) => e);
    expect((unknown as QuantLensError).message).toBe("The model does not say how many bytes of 'strings.bin' hold tensor 's'.");
  });
});
