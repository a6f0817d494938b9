/**
 * Graph lookups shared by the preflight and layer analyses: who produces and who reads a tensor,
 * constant tensors (initializers and Constant nodes), quantization parameters read from them, and
 * where each QOperator op keeps its (value, scale, zero point) triples.
 */
import type { GraphProto, NodeProto, TensorProto } from '../onnx/gen/onnx_pb.ts';
import { findAttribute, intAttributeOf } from '../onnx/builders.ts';
import { decodeTensor } from '../onnx/tensor.ts';

/** Producers, consumers and constants of one graph. */
export interface GraphIndex {
  graph: GraphProto;
  producer: Map<string, { node: NodeProto; nodeIndex: number; outputIndex: number }>;
  consumers: Map<string, NodeProto[]>;
  constants: Map<string, TensorProto>;
  /** Real graph inputs (initializers left out). */
  inputs: Set<string>;
  outputs: Set<string>;
}

/** Indexes a graph's main nodes. */
export function indexGraph(graph: GraphProto): GraphIndex {
  const producer: GraphIndex['producer'] = new Map();
  const consumers: GraphIndex['consumers'] = new Map();
  const constants = new Map(graph.initializer.map((t) => [t.name, t]));
  graph.node.forEach((node, nodeIndex) => {
    node.output.forEach((name, outputIndex) => {
      if (name !== '') producer.set(name, { node, nodeIndex, outputIndex });
    });
    for (const name of node.input) {
      if (name === '') continue;
      const list = consumers.get(name) ?? [];
      if (!list.includes(node)) list.push(node);
      consumers.set(name, list);
    }
    const value = node.opType === 'Constant' ? findAttribute(node, 'value')?.t : undefined;
    if (value && node.output[0]) constants.set(node.output[0], value);
  });
  const inputs = new Set(graph.input.map((v) => v.name).filter((name) => !constants.has(name)));
  return { graph, producer, consumers, constants, inputs, outputs: new Set(graph.output.map((o) => o.name)) };
}

/** The scale(s) and zero point(s) of one quantized tensor. */
export interface QuantParamsInfo {
  scales: Float32Array;
  zeroPoints: number[];
  /** Element type of the quantized values ('int8', 'uint8', 'int16', ...). */
  dtype: string;
  /** Axis of per-channel parameters (undefined for one scale). */
  axis: number | undefined;
}

/** Reads a scale and zero point from constants; a string says why it could not. */
export function readQuantParams(
  index: GraphIndex, scaleName: string | undefined, zeroPointName: string | undefined, axis: number | undefined,
): QuantParamsInfo | string {
  const scaleTensor = scaleName ? index.constants.get(scaleName) : undefined;
  if (!scaleTensor) return `its scale '${scaleName ?? ''}' is not a constant`;
  const scale = decodeTensor(scaleTensor);
  const scales = Float32Array.from(scale.data as ArrayLike<number>, Number);
  if (!zeroPointName) return { scales, zeroPoints: Array.from(scales, () => 0), dtype: 'uint8', axis: scales.length > 1 ? axis ?? 1 : undefined };
  const zeroPointTensor = index.constants.get(zeroPointName);
  if (!zeroPointTensor) return `its zero point '${zeroPointName}' is not a constant`;
  const zeroPoint = decodeTensor(zeroPointTensor);
  const zeroPoints = Array.from(zeroPoint.data as ArrayLike<number | bigint>, Number);
  return { scales, zeroPoints, dtype: zeroPoint.dtype, axis: scales.length > 1 ? axis ?? 1 : undefined };
}

/** The parameters of a QuantizeLinear or DequantizeLinear node (axis defaults to 1, as ONNX says). */
export function qdqNodeParams(index: GraphIndex, node: NodeProto): QuantParamsInfo | string {
  return readQuantParams(index, node.input[1], node.input[2], intAttributeOf(node, 'axis', 1));
}

/** Dequantizes values held as numbers: (q − zeroPoint) · scale per element (per channel along `dims[axis]`). */
export function dequantize(values: ArrayLike<number>, params: QuantParamsInfo, dims?: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  if (params.scales.length === 1) {
    const scale = params.scales[0];
    const zeroPoint = params.zeroPoints[0];
    for (let i = 0; i < values.length; i++) out[i] = Math.fround(Math.fround(values[i] - zeroPoint) * scale);
    return out;
  }
  const channels = params.scales.length;
  const axis = params.axis ?? 1;
  const inner = dims ? dims.slice(axis < 0 ? axis + dims.length + 1 : axis + 1).reduce((n, d) => n * d, 1) : 1;
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = Math.fround(Math.fround(values[i] - params.zeroPoints[c]) * params.scales[c]);
  }
  return out;
}

/** Where a QOperator op keeps its quantized inputs (value, scale, zero point) and output (scale, zero point). */
export interface QLinearLayout {
  inputs: [number, number, number][];
  output: [number, number];
  /** The float op it replaces. */
  floatOp: string;
}

const UNARY = (floatOp: string): QLinearLayout => ({ inputs: [[0, 1, 2]], output: [3, 4], floatOp });
const BINARY = (floatOp: string): QLinearLayout => ({ inputs: [[0, 1, 2], [3, 4, 5]], output: [6, 7], floatOp });

const QLINEAR_LAYOUTS: Record<string, QLinearLayout> = {
  QLinearConv: BINARY('Conv'),
  QLinearMatMul: BINARY('MatMul'),
  QLinearAdd: BINARY('Add'),
  QLinearMul: BINARY('Mul'),
  QGemm: { inputs: [[0, 1, 2], [3, 4, 5]], output: [7, 8], floatOp: 'Gemm' },
  QLinearGlobalAveragePool: UNARY('GlobalAveragePool'),
  QLinearAveragePool: UNARY('AveragePool'),
  QLinearLeakyRelu: UNARY('LeakyRelu'),
  QLinearSigmoid: UNARY('Sigmoid'),
  QLinearSoftmax: UNARY('Softmax'),
};

/** The layout of a QOperator op with scales and zero points (QLinearConcat's depends on its input count). */
export function qlinearLayout(node: NodeProto): QLinearLayout | undefined {
  if (node.opType === 'QLinearConcat') {
    const inputs: [number, number, number][] = [];
    for (let i = 2; i + 2 < node.input.length; i += 3) inputs.push([i, i + 1, i + 2]);
    return { inputs, output: [0, 1], floatOp: 'Concat' };
  }
  return QLINEAR_LAYOUTS[node.opType];
}

/** Ops that move values without changing them, so a value range passes through unchanged. */
export const VALUE_PRESERVING_OPS = new Set(['Identity', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze']);

/** The first consumer of `tensor` through value-preserving ops, with the tensor name it reads. */
export function consumersThroughReshapes(index: GraphIndex, tensor: string): { node: NodeProto; reads: string }[] {
  const found: { node: NodeProto; reads: string }[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const node of index.consumers.get(name) ?? []) {
      if (VALUE_PRESERVING_OPS.has(node.opType) && node.input[0] === name) visit(node.output[0]);
      else found.push({ node, reads: name });
    }
  };
  visit(tensor);
  return found;
}
