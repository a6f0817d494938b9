import { describe, expect, it } from 'vitest';
import { create, toBinary } from '@bufbuild/protobuf';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { TensorProtoSchema, TensorProto_DataLocation } from '../../../../src/core/onnx/gen/onnx_pb.ts';
import { DataType, dataTypeOf, dtypeName } from '../../../../src/core/onnx/dtypes.ts';
import { decodeTensor, encodeTensor, parseTensorProto } from '../../../../src/core/onnx/tensor.ts';
import { fixtureData } from './fixtures.ts';

describe('TensorProto reading and writing', () => {
  it('reads the conformance .pb files', () => {
    const { inputs, output } = fixtureData('test_dequantizelinear');
    expect(inputs.map((t) => [t.name, t.dtype, t.dims])).toEqual([['x', 'uint8', [4]], ['x_scale', 'float32', []], ['x_zero_point', 'uint8', []]]);
    expect(Array.from(inputs[0].data as Uint8Array)).toEqual([0, 3, 128, 255]);
    expect(Array.from(output.data as Float32Array)).toEqual([-256, -250, 0, 254]);
  });

  it('round-trips typed arrays through raw_data', () => {
    const cases = [
      [DataType.FLOAT, Float32Array.of(1.5, -2, 3.25)],
      [DataType.INT8, Int8Array.of(-128, 0, 127)],
      [DataType.INT32, Int32Array.of(-2147483648, 7, 2147483647)],
      [DataType.INT64, BigInt64Array.of(-5n, 0n, 9007199254740993n)],
    ] as const;
    for (const [dataType, data] of cases) {
      const bytes = toBinary(TensorProtoSchema, encodeTensor('t', dataType, [3], data));
      const decoded = decodeTensor(parseTensorProto(bytes));
      expect(decoded.dims).toEqual([3]);
      expect(Array.from(decoded.data as ArrayLike<number | bigint>)).toEqual(Array.from(data as ArrayLike<number | bigint>));
    }
  });

  it('reads typed fields (float_data, int32_data, int64_data) as well as raw_data', () => {
    const floats = create(TensorProtoSchema, { name: 'f', dataType: DataType.FLOAT, dims: [2n], floatData: [0.5, -1] });
    expect(Array.from(decodeTensor(floats).data as Float32Array)).toEqual([0.5, -1]);
    const bytes = create(TensorProtoSchema, { name: 'u', dataType: DataType.UINT8, dims: [1, 2].map(BigInt), int32Data: [7, 255] });
    expect(decodeTensor(bytes).data).toEqual(Uint8Array.of(7, 255));
    const longs = create(TensorProtoSchema, { name: 'l', dataType: DataType.INT64, dims: [], int64Data: [42n] });
    expect(decodeTensor(longs)).toMatchObject({ dims: [], dtype: 'int64', data: BigInt64Array.of(42n) });
  });

  it('refuses external data and inconsistent sizes with a readable error', () => {
    const external = create(TensorProtoSchema, { name: 'w', dataType: DataType.FLOAT, dims: [2n], dataLocation: TensorProto_DataLocation.EXTERNAL });
    expect(() => decodeTensor(external)).toThrow(/external data file/);
    const short = create(TensorProtoSchema, { name: 'w', dataType: DataType.FLOAT, dims: [3n], floatData: [1] });
    expect(() => decodeTensor(short)).toThrow(QuantLensError);
    expect(() => encodeTensor('w', DataType.FLOAT, [2, 2], new Float32Array(3))).toThrow(/4/);
  });

  it('names element types as onnxruntime does', () => {
    expect([1, 2, 3, 6, 7, 10, 11, 16, 17, 22].map(dtypeName)).toEqual(
      ['float32', 'uint8', 'int8', 'int32', 'int64', 'float16', 'float64', 'bfloat16', 'float8e4m3fn', 'int4'],
    );
    expect(dataTypeOf('float16')).toBe(DataType.FLOAT16);
    expect(dataTypeOf('nope')).toBeUndefined();
  });
});
