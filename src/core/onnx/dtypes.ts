/**
 * ONNX element types (TensorProto.DataType) and the names onnxruntime gives them.
 */
import { TensorProto_DataType as DataType } from './gen/onnx_pb.ts';

export { DataType };

const ORT_NAMES: Partial<Record<DataType, string>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.UINT8]: 'uint8',
  [DataType.INT8]: 'int8',
  [DataType.UINT16]: 'uint16',
  [DataType.INT16]: 'int16',
  [DataType.INT32]: 'int32',
  [DataType.INT64]: 'int64',
  [DataType.STRING]: 'string',
  [DataType.BOOL]: 'bool',
  [DataType.FLOAT16]: 'float16',
  [DataType.DOUBLE]: 'float64',
  [DataType.UINT32]: 'uint32',
  [DataType.UINT64]: 'uint64',
  [DataType.COMPLEX64]: 'complex64',
  [DataType.COMPLEX128]: 'complex128',
  [DataType.BFLOAT16]: 'bfloat16',
};

// Types newer than the vendored onnx.proto (IR 8): data_type is a plain int32, so they still parse.
const NEWER_NAMES: Record<number, string> = {
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

/** The onnxruntime name of an ONNX element type ('float32', 'uint8', ...); 'undefined' for 0. */
export function dtypeName(dataType: number): string {
  if (dataType === DataType.UNDEFINED) return 'undefined';
  return ORT_NAMES[dataType as DataType] ?? NEWER_NAMES[dataType] ?? `onnx-type-${dataType}`;
}

/** The ONNX element type for an onnxruntime dtype name, or undefined when there is none. */
export function dataTypeOf(name: string): DataType | undefined {
  for (const [code, ortName] of Object.entries(ORT_NAMES)) {
    if (ortName === name) return Number(code) as DataType;
  }
  return undefined;
}
