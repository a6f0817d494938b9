/**
 * TensorProto <-> typed arrays: reads initializers and conformance-test .pb files, and writes the
 * quantized weights back. raw_data is little-endian, as ONNX specifies (and as every JS host is).
 */
import { create, fromBinary } from '@bufbuild/protobuf';
import { QuantLensError } from '../errors.ts';
import { TensorProtoSchema, TensorProto_DataLocation, type TensorProto } from './gen/onnx_pb.ts';
import { DataType, dtypeName } from './dtypes.ts';

/** The typed arrays a decoded tensor can hold (float16/bfloat16 as raw Uint16 bits, bool as Uint8). */
export type TensorData =
  | Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A tensor as plain data: onnxruntime dtype name, dims and values. */
export interface DecodedTensor {
  name: string;
  dtype: string;
  dims: number[];
  data: TensorData;
}

type ArrayMaker = { bytes: number; fromBuffer: (buffer: ArrayBuffer) => TensorData; fromValues: (t: TensorProto) => TensorData };

const int32Field = <T extends TensorData>(make: (values: number[]) => T) => (t: TensorProto) => make(t.int32Data);

const ARRAYS: Partial<Record<DataType, ArrayMaker>> = {
  [DataType.FLOAT]: { bytes: 4, fromBuffer: (b) => new Float32Array(b), fromValues: (t) => Float32Array.from(t.floatData) },
  [DataType.DOUBLE]: { bytes: 8, fromBuffer: (b) => new Float64Array(b), fromValues: (t) => Float64Array.from(t.doubleData) },
  [DataType.UINT8]: { bytes: 1, fromBuffer: (b) => new Uint8Array(b), fromValues: int32Field((v) => Uint8Array.from(v)) },
  [DataType.BOOL]: { bytes: 1, fromBuffer: (b) => new Uint8Array(b), fromValues: int32Field((v) => Uint8Array.from(v)) },
  [DataType.INT8]: { bytes: 1, fromBuffer: (b) => new Int8Array(b), fromValues: int32Field((v) => Int8Array.from(v)) },
  [DataType.UINT16]: { bytes: 2, fromBuffer: (b) => new Uint16Array(b), fromValues: int32Field((v) => Uint16Array.from(v)) },
  [DataType.FLOAT16]: { bytes: 2, fromBuffer: (b) => new Uint16Array(b), fromValues: int32Field((v) => Uint16Array.from(v)) },
  [DataType.BFLOAT16]: { bytes: 2, fromBuffer: (b) => new Uint16Array(b), fromValues: int32Field((v) => Uint16Array.from(v)) },
  [DataType.INT16]: { bytes: 2, fromBuffer: (b) => new Int16Array(b), fromValues: int32Field((v) => Int16Array.from(v)) },
  [DataType.INT32]: { bytes: 4, fromBuffer: (b) => new Int32Array(b), fromValues: int32Field((v) => Int32Array.from(v)) },
  [DataType.UINT32]: { bytes: 4, fromBuffer: (b) => new Uint32Array(b), fromValues: (t) => Uint32Array.from(t.uint64Data, Number) },
  [DataType.INT64]: { bytes: 8, fromBuffer: (b) => new BigInt64Array(b), fromValues: (t) => BigInt64Array.from(t.int64Data) },
  [DataType.UINT64]: { bytes: 8, fromBuffer: (b) => new BigUint64Array(b), fromValues: (t) => BigUint64Array.from(t.uint64Data) },
};

/** Number of elements a tensor's dims describe (1 for a scalar). */
export function elementCount(dims: readonly (number | bigint)[]): number {
  return dims.reduce<number>((n, d) => n * Number(d), 1);
}

/** Decodes a TensorProto into a typed array; throws QuantLensError('model-unreadable') when it cannot. */
export function decodeTensor(tensor: TensorProto): DecodedTensor {
  const label = tensor.name === '' ? 'a tensor' : `tensor '${tensor.name}'`;
  if (tensor.dataLocation === TensorProto_DataLocation.EXTERNAL || tensor.externalData.length > 0) {
    throw new QuantLensError(
      'external-data-missing',
      `The model keeps ${label} in an external data file, which was not given with the model.`,
      'Pick the .onnx file and its data file(s) together, or re-export the model with its weights embedded in the .onnx file.',
    );
  }
  const maker = ARRAYS[tensor.dataType as DataType];
  if (!maker) {
    throw new QuantLensError(
      'model-unreadable',
      `Cannot read ${label}: element type ${dtypeName(tensor.dataType)} is not supported here.`,
      'Use a model whose weights are float32, float16 or integer tensors.',
    );
  }
  const dims = tensor.dims.map(Number);
  const expected = elementCount(dims);
  // Copy raw bytes into a fresh, aligned buffer: raw_data may sit at any offset in the model bytes
  // (and Node's Buffer#slice is a view, so copy with the Uint8Array constructor).
  const data = tensor.rawData.length > 0 ? maker.fromBuffer(new Uint8Array(tensor.rawData).buffer) : maker.fromValues(tensor);
  if (data.length !== expected) {
    throw new QuantLensError(
      'model-unreadable',
      `Cannot read ${label}: its dims [${dims.join(',')}] need ${expected} values but it holds ${data.length}.`,
      'The model file is damaged; export it again.',
    );
  }
  return { name: tensor.name, dtype: dtypeName(tensor.dataType), dims, data };
}

/** Parses a serialized TensorProto (e.g. an ONNX test-data input_0.pb). */
export function parseTensorProto(bytes: Uint8Array): TensorProto {
  try {
    return fromBinary(TensorProtoSchema, bytes);
  } catch (cause) {
    throw new QuantLensError(
      'model-unreadable',
      'These bytes are not a serialized ONNX TensorProto.',
      'Pass a .pb tensor file written by onnx.numpy_helper or onnx.TensorProto.SerializeToString().',
      { cause },
    );
  }
}

/** Builds a TensorProto whose values are stored little-endian in raw_data. */
export function encodeTensor(name: string, dataType: DataType, dims: readonly number[], data: TensorData): TensorProto {
  const expected = elementCount(dims);
  if (data.length !== expected) {
    throw new QuantLensError(
      'invalid-input',
      `Tensor '${name}' has ${data.length} values but dims [${dims.join(',')}] need ${expected}.`,
      'Pass data whose length matches the product of the dims.',
    );
  }
  const rawData = new Uint8Array(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return create(TensorProtoSchema, { name, dataType, dims: dims.map(BigInt), rawData });
}

/** Decodes a float tensor as Float32Array (float32 or float64 storage); throws for other types. */
export function decodeFloatTensor(tensor: TensorProto): Float32Array {
  const decoded = decodeTensor(tensor);
  if (decoded.data instanceof Float32Array) return decoded.data;
  if (decoded.data instanceof Float64Array) return Float32Array.from(decoded.data);
  throw new QuantLensError(
    'invalid-input',
    `Tensor '${tensor.name}' is ${decoded.dtype}, not a float tensor.`,
    'Only float32 weights can be quantized.',
  );
}
