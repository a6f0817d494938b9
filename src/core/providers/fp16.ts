/**
 * FP16 execution of a float model on a WebNN device: ORT has no switch for it, so the model is
 * converted (weights and activations float16, inputs and outputs kept float32 through Cast nodes,
 * like onnxconverter-common's `convert_float_to_float16(keep_io_types=True)`). The conversion is
 * for the run only: the user's file and the wasm reference stay FP32.
 */
import { QuantLensError } from '../errors.ts';
import { DataType } from '../onnx/dtypes.ts';
import { intAttribute, makeNode } from '../onnx/builders.ts';
import { parseModel, serializeModel } from '../onnx/model.ts';
import { decodeFloatTensor, encodeTensor } from '../onnx/tensor.ts';
import type { NodeProto, TensorProto } from '../onnx/gen/onnx_pb.ts';

/** Inputs that ONNX requires in float32 whatever the data type (by op type: input positions). */
const FLOAT32_INPUTS: Record<string, number[]> = { Resize: [1, 2], Upsample: [1] };

/** Converts a float32 model to float16 compute with float32 inputs and outputs. */
export function toFloat16Model(bytes: Uint8Array): Uint8Array {
  const model = parseModel(bytes);
  const graph = model.graph!;
  if (graph.node.some((node) => node.attribute.some((a) => a.g !== undefined || a.graphs.length > 0))) {
    throw new QuantLensError('invalid-input', 'FP16 conversion does not handle models with control-flow subgraphs (If, Loop, Scan).', 'Run this model in FP32, or convert it to FP16 before loading it.');
  }
  const keepFloat32 = new Set<string>();
  for (const node of graph.node) for (const i of FLOAT32_INPUTS[node.opType] ?? []) if (node.input[i]) keepFloat32.add(node.input[i]);

  graph.initializer = graph.initializer.map((t) => (t.dataType === DataType.FLOAT && !keepFloat32.has(t.name) ? toFloat16Tensor(t) : t));
  for (const node of graph.node) convertNodeTypes(node, keepFloat32);
  for (const info of graph.valueInfo) {
    const tensorType = info.type?.value.case === 'tensorType' ? info.type.value.value : undefined;
    if (tensorType?.elemType === DataType.FLOAT && !keepFloat32.has(info.name)) tensorType.elemType = DataType.FLOAT16;
  }

  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  const isFloat32 = (elemType: number | undefined) => elemType === DataType.FLOAT;
  const elemTypeOf = (info: (typeof graph.input)[number]) => (info.type?.value.case === 'tensorType' ? info.type.value.value.elemType : undefined);
  const rename = (from: string, to: string, except?: NodeProto) => {
    for (const node of graph.node) {
      if (node === except) continue;
      node.input = node.input.map((name) => (name === from ? to : name));
    }
  };
  const casts: NodeProto[] = [];
  for (const input of graph.input) {
    if (initializerNames.has(input.name) || !isFloat32(elemTypeOf(input))) continue;
    const half = `${input.name}__fp16`;
    rename(input.name, half);
    casts.push(makeNode('Cast', [input.name], [half], `${input.name}__to_fp16`, [intAttribute('to', DataType.FLOAT16)]));
  }
  const outputCasts: NodeProto[] = [];
  for (const output of graph.output) {
    if (!isFloat32(elemTypeOf(output))) continue;
    const half = `${output.name}__fp16`;
    for (const node of graph.node) node.output = node.output.map((name) => (name === output.name ? half : name));
    rename(output.name, half);
    outputCasts.push(makeNode('Cast', [half], [output.name], `${output.name}__to_fp32`, [intAttribute('to', DataType.FLOAT)]));
  }
  graph.node = [...casts, ...graph.node, ...outputCasts];
  return serializeModel(model);
}

function convertNodeTypes(node: NodeProto, keepFloat32: Set<string>): void {
  for (const attribute of node.attribute) {
    if (node.opType === 'Cast' && attribute.name === 'to' && Number(attribute.i) === DataType.FLOAT) attribute.i = BigInt(DataType.FLOAT16);
    const isConstantValue = (node.opType === 'Constant' || node.opType === 'ConstantOfShape') && attribute.name === 'value';
    if (isConstantValue && attribute.t?.dataType === DataType.FLOAT && !node.output.some((o) => keepFloat32.has(o))) attribute.t = toFloat16Tensor(attribute.t);
  }
}

function toFloat16Tensor(tensor: TensorProto): TensorProto {
  const values = decodeFloatTensor(tensor);
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = float16Bits(values[i]);
  return encodeTensor(tensor.name, DataType.FLOAT16, tensor.dims.map(Number), bits);
}

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE 754 binary16 bits of a number, rounded to nearest even (overflow to infinity, NaN kept). */
export function float16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const x = scratch.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mantissa | 0x800000; // subnormal half: shift the implicit bit in
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (half + (rest > midpoint || (rest === midpoint && (half & 1)) ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && (half & 1)) ? 1 : 0));
}
