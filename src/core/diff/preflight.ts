/**
 * Preflight of a float/quantized pair, before any inference: each model's vital statistics, which
 * nodes of the quantized model are quantized and how (per tensor or per channel, int8/uint8/int16,
 * symmetric or not), which compute ops stayed float, and the input-range check.
 */
import type { ModelProto, NodeProto } from '../onnx/gen/onnx_pb.ts';
import { isQOperatorOp, modelInfoOf, type ModelInfo } from '../onnx/info.ts';
import type { TensorRange } from '../quantize/qdq-math.ts';
import { indexGraph, qdqNodeParams, qlinearLayout, readQuantParams, type GraphIndex, type QuantParamsInfo } from './graph.ts';
import { checkInputRanges, type InputRangeCheck } from './input-range.ts';

/** A model and the size of its file. */
export interface PreflightModel {
  proto: ModelProto;
  byteLength: number;
}

/** A model's vital statistics plus its file size. */
export interface ModelFacts extends ModelInfo {
  byteLength: number;
}

/** How one tensor is quantized. */
export interface QuantScheme {
  /** The tensor that holds the quantized values. */
  tensor: string;
  dtype: string;
  granularity: 'per-tensor' | 'per-channel';
  /** Number of scales (1 per tensor). */
  scaleCount: number;
  axis?: number;
  /** Every zero point is 0. */
  symmetric: boolean;
}

/** A node of the quantized model that computes on quantized tensors. */
export interface QuantizedNode {
  name: string;
  opType: string;
  style: 'qdq' | 'qoperator';
  /** The constant input (weight), when the node has one. */
  weight?: QuantScheme;
  /** Quantized activation inputs. */
  activations: QuantScheme[];
  /** The quantized output, when the output is quantized. */
  output?: QuantScheme;
}

/** Everything the preflight found. */
export interface PreflightReport {
  float: ModelFacts;
  quantized: ModelFacts;
  quantizedNodes: QuantizedNode[];
  /** Compute ops (Conv, Gemm, MatMul, ...) of the quantized model that still run in float. */
  floatComputeNodes: { name: string; opType: string }[];
  inputRanges: InputRangeCheck[];
  /** Plain sentences for the user, most important first. */
  warnings: string[];
}

const COMPUTE_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Attention', 'LSTM', 'GRU', 'Einsum']);

/** Runs every preflight check; `observedInputRanges` are min/max of the preprocessed test data per input name. */
export function preflight(
  floatModel: PreflightModel, quantizedModel: PreflightModel, observedInputRanges: Readonly<Record<string, TensorRange>> = {},
): PreflightReport {
  const quantizedNodes = describeQuantizedNodes(quantizedModel.proto);
  const floatComputeNodes = listFloatComputeNodes(quantizedModel.proto);
  const inputRanges = checkInputRanges(quantizedModel.proto, observedInputRanges);
  const warnings = inputRanges.filter((c) => c.severity !== 'ok').sort((a, b) => severityRank(a) - severityRank(b)).map((c) => c.message);
  if (quantizedNodes.length === 0) warnings.push('The quantized model has no quantized nodes: it computes in float like the float model.');
  return {
    float: { ...modelInfoOf(floatModel.proto), byteLength: floatModel.byteLength },
    quantized: { ...modelInfoOf(quantizedModel.proto), byteLength: quantizedModel.byteLength },
    quantizedNodes,
    floatComputeNodes,
    inputRanges,
    warnings,
  };
}

/** The quantized nodes of a model, QDQ (DequantizeLinear → op → QuantizeLinear) or QOperator, in graph order. */
export function describeQuantizedNodes(model: ModelProto): QuantizedNode[] {
  if (!model.graph) return [];
  const index = indexGraph(model.graph);
  const described: QuantizedNode[] = [];
  model.graph.node.forEach((node, nodeIndex) => {
    const name = node.name !== '' ? node.name : `${node.opType}_${nodeIndex}`;
    if (isQOperatorOp(node.opType)) {
      const entry = describeQOperator(index, node, name);
      if (entry) described.push(entry);
    } else if (node.opType !== 'QuantizeLinear' && node.opType !== 'DequantizeLinear') {
      const entry = describeQdq(index, node, name);
      if (entry) described.push(entry);
    }
  });
  return described;
}

function describeQdq(index: GraphIndex, node: NodeProto, name: string): QuantizedNode | undefined {
  const activations: QuantScheme[] = [];
  let weight: QuantScheme | undefined;
  node.input.forEach((input, position) => {
    const producer = index.producer.get(input)?.node;
    if (producer?.opType !== 'DequantizeLinear') return;
    const scheme = schemeOf(producer.input[0], qdqNodeParams(index, producer));
    if (!scheme) return;
    if (!index.constants.has(producer.input[0])) activations.push(scheme);
    else if (position === 1 || (!weight && scheme.dtype !== 'int32')) weight = scheme;
  });
  const quantizeNode = (index.consumers.get(node.output[0] ?? '') ?? []).find((c) => c.opType === 'QuantizeLinear');
  const output = quantizeNode ? schemeOf(quantizeNode.output[0], qdqNodeParams(index, quantizeNode)) : undefined;
  // An op that only reads dequantized activations and writes float (e.g. Relu on a DQ output) runs in float.
  if (!weight && !output) return undefined;
  if (!weight && activations.length === 0) return undefined;
  return { name, opType: node.opType, style: 'qdq', ...(weight ? { weight } : {}), activations, ...(output ? { output } : {}) };
}

function describeQOperator(index: GraphIndex, node: NodeProto, name: string): QuantizedNode | undefined {
  const layout = qlinearLayout(node);
  if (!layout) return { name, opType: node.opType, style: 'qoperator', activations: [] };
  const activations: QuantScheme[] = [];
  let weight: QuantScheme | undefined;
  for (const [value, scale, zeroPoint] of layout.inputs) {
    const axis = node.opType === 'QLinearConv' && value === 3 ? 0 : undefined;
    const scheme = schemeOf(node.input[value], readQuantParams(index, node.input[scale], node.input[zeroPoint], axis));
    if (!scheme) continue;
    if (index.constants.has(node.input[value])) weight = scheme;
    else activations.push(scheme);
  }
  const [outScale, outZeroPoint] = layout.output;
  const output = schemeOf(node.output[0], readQuantParams(index, node.input[outScale], node.input[outZeroPoint], undefined));
  return { name, opType: node.opType, style: 'qoperator', ...(weight ? { weight } : {}), activations, ...(output ? { output } : {}) };
}

function schemeOf(tensor: string, params: QuantParamsInfo | string): QuantScheme | undefined {
  if (typeof params === 'string') return undefined;
  const perChannel = params.scales.length > 1;
  return {
    tensor,
    dtype: params.dtype,
    granularity: perChannel ? 'per-channel' : 'per-tensor',
    scaleCount: params.scales.length,
    ...(perChannel && params.axis !== undefined ? { axis: params.axis } : {}),
    symmetric: params.zeroPoints.every((z) => z === 0),
  };
}

function listFloatComputeNodes(model: ModelProto): { name: string; opType: string }[] {
  if (!model.graph) return [];
  const index = indexGraph(model.graph);
  return model.graph.node
    .map((node, nodeIndex) => ({ node, name: node.name !== '' ? node.name : `${node.opType}_${nodeIndex}` }))
    .filter(({ node }) => COMPUTE_OPS.has(node.opType) && !node.input.some((i) => index.producer.get(i)?.node.opType === 'DequantizeLinear'))
    .map(({ node, name }) => ({ name, opType: node.opType }));
}

function severityRank(check: InputRangeCheck): number {
  return check.severity === 'error' ? 0 : check.severity === 'warning' ? 1 : 2;
}
