/**
 * Matches each tensor of the float model with the tensor of the quantized model that stands for it.
 * Nodes are paired by op type (QLinearConv counts as Conv), preferring the same name (quantizers
 * keep node names, and ORT names the tensors it adds `X_QuantizeLinear_Input`,
 * `X_DequantizeLinear_Output`, `W_quantized`), then by order; topology is the check: a pair holds
 * only when every data input comes from paired nodes, the same graph input, or constants, once
 * Q/DQ pairs are looked through. Then, for a float tensor T made by node F:
 * - QDQ: the DequantizeLinear output of DQ(Q(T')), T' the output of F's twin ('dequantized'; local
 *   error compares T' with it), or T' itself when it is not quantized ('float');
 * - QOperator: the QLinear* output, an integer tensor dequantized with its scale and zero point.
 * Relu/Clip folded into the preceding quantized op (ORT removes them) are matched to that op's output.
 */
import type { ModelProto, NodeProto } from '../onnx/gen/onnx_pb.ts';
import { DataType, dataTypeOf } from '../onnx/dtypes.ts';
import { isQOperatorOp, modelInfoOf, type ModelFormat } from '../onnx/info.ts';
import { intAttributeOf } from '../onnx/builders.ts';
import { indexGraph, qdqNodeParams, qlinearLayout, readQuantParams, type GraphIndex, type QuantParamsInfo } from './graph.ts';
import type { OutputRequest } from './add-outputs.ts';

export { addOutputs, outputsFragment, type OutputRequest } from './add-outputs.ts';

/** One float tensor and its counterpart in the quantized model. */
export interface TensorMatch {
  floatTensor: string;
  /** The tensor to read from the quantized model. */
  quantizedTensor: string;
  kind: 'dequantized' | 'float' | 'qoperator' | 'graph-input';
  /** For integer tensors (QOperator outputs, a quantized graph input): how to dequantize them. */
  dequantize?: QuantParamsInfo;
  /** FP16: the float16 tensor that `quantizedTensor` (a Cast to float32 added for the analysis) exposes. */
  castFrom?: string;
  /** QDQ: the float tensor entering this tensor's QuantizeLinear; local error compares it with `quantizedTensor`. */
  beforeQuantize?: string;
  /** The float node that produces `floatTensor` (null for a graph input) and its position in the float graph. */
  floatNode: string | null;
  opType: string;
  nodeIndex: number;
  quantizedNode: string | null;
  /** The nearest matched float tensors upstream (through unmatched ones), for the sensitivity ranking. */
  upstream: string[];
  note?: string;
}

/** A tensor that has no counterpart, and why. */
export interface UnmatchedTensor {
  tensor: string;
  model: 'float' | 'quantized';
  reason: string;
}

/** The result of matching: matches in float graph order, and what could not be matched. */
export interface TensorMatching {
  format: ModelFormat;
  matches: TensorMatch[];
  unmatched: UnmatchedTensor[];
}

type Source = { kind: 'const' } | { kind: 'input'; name: string } | { kind: 'node'; node: NodeProto; outputIndex: number } | { kind: 'unknown' };
const FOLDABLE_ACTIVATIONS = new Set(['Relu', 'Clip']);
// Ops that QOperator models run directly on quantized integers, keeping the scale and zero point.
const INTEGER_PASS_THROUGH = new Set([
  'Identity', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'MaxPool', 'Slice', 'Gather', 'Resize', 'DepthToSpace', 'SpaceToDepth',
]);

/** Pairs the float model's tensors with the quantized model's. */
export function matchTensors(floatModel: ModelProto, quantizedModel: ModelProto): TensorMatching {
  const format = modelInfoOf(quantizedModel).format;
  if (!floatModel.graph || !quantizedModel.graph) return { format, matches: [], unmatched: [] };
  const f = indexGraph(floatModel.graph);
  const q = indexGraph(quantizedModel.graph);
  const floatNodes = f.graph.node.filter((n) => n.opType !== 'Constant');
  const floatPosition = new Map(f.graph.node.map((n, i) => [n, i]));
  const { pairs, paired, unmatched } = pairNodes(f, q);

  const matches: TensorMatch[] = [];
  const matchedFloat = new Set<string>();
  const add = (match: TensorMatch) => {
    matches.push(match);
    matchedFloat.add(match.floatTensor);
  };
  for (const input of f.inputs) matchGraphInput(input, q).forEach(add);
  for (const [quantizedNode, floatNode] of pairs) {
    floatNode.output.forEach((floatTensor, j) => {
      const quantizedOutput = quantizedNode.output[j];
      if (!floatTensor || !quantizedOutput) return;
      const folded = foldedActivation(floatTensor, f, paired, readersAllPaired(quantizedOutput, q, pairs));
      const base = {
        floatNode: floatNode.name || floatNode.opType, opType: floatNode.opType, quantizedNode: quantizedNode.name || quantizedNode.opType,
        nodeIndex: floatPosition.get(floatNode) ?? -1,
      };
      const target = folded ? { ...base, floatTensor: folded.output[0], note: `${folded.opType} folded into the quantized ${quantizedNode.opType}` } : { ...base, floatTensor };
      if (folded) {
        unmatched.push({ tensor: floatTensor, model: 'float', reason: `the quantized model folds the following ${folded.opType} into ${quantizedNode.opType}, so this tensor does not exist there` });
      }
      add({ ...counterpart(target, quantizedOutput, quantizedNode, q), upstream: [] });
    });
  }
  for (const node of floatNodes) {
    for (const tensor of node.output) {
      if (tensor === '' || matchedFloat.has(tensor) || unmatched.some((u) => u.tensor === tensor && u.model === 'float')) continue;
      const why = paired.has(node) ? 'its node was paired but this output was not' : `its node '${node.name || node.opType}' (${node.opType}) has no twin in the quantized model`;
      unmatched.push({ tensor, model: 'float', reason: why });
    }
  }
  for (const match of matches) match.upstream = upstreamOf(match.floatTensor, f, matchedFloat);
  matches.sort((a, b) => a.nodeIndex - b.nodeIndex);
  return { format, matches, unmatched };
}

/** Node pairs (quantized node → float twin) in quantized graph order, and the quantized outputs left without a twin. */
export function pairNodes(f: GraphIndex, q: GraphIndex): { pairs: Map<NodeProto, NodeProto>; paired: Set<NodeProto>; unmatched: UnmatchedTensor[] } {
  const floatNodes = f.graph.node.filter((n) => n.opType !== 'Constant');
  const pairs = new Map<NodeProto, NodeProto>();
  const paired = new Set<NodeProto>();
  const unmatched: UnmatchedTensor[] = [];
  const lookThrough = lookThroughOps(q);
  for (const node of q.graph.node) {
    if (lookThrough.has(node.opType) || node.opType === 'Constant') continue;
    const floatOp = floatOpOf(node);
    const candidates = floatNodes.filter((n) => n.opType === floatOp && !paired.has(n));
    const byName = candidates.find((n) => n.name !== '' && n.name === node.name);
    const ordered = byName ? [byName, ...candidates.filter((n) => n !== byName)] : candidates;
    const partner = ordered.find((candidate) => sameInputs(node, candidate, q, f, pairs, paired, lookThrough));
    if (!partner) {
      const why = candidates.length === 0 ? `the float model has no unpaired ${floatOp} node` : `its inputs come from different places than in any float ${floatOp}`;
      node.output.filter((o) => o !== '').forEach((tensor) => unmatched.push({ tensor, model: 'quantized', reason: `node '${node.name || node.opType}' has no float twin: ${why}` }));
      continue;
    }
    pairs.set(node, partner);
    paired.add(partner);
  }
  return { pairs, paired, unmatched };
}

/** The outputs each model must expose for the layer analysis (pass them to addOutputs); graph inputs are left out. */
export function layerOutputs(matching: TensorMatching): { float: OutputRequest[]; quantized: OutputRequest[] } {
  const float = new Map<string, OutputRequest>();
  const quantized = new Map<string, OutputRequest>();
  for (const m of matching.matches) {
    // A graph input is the sample itself: no model needs to return it.
    const isGraphInput = m.floatNode === null;
    if (!isGraphInput) float.set(m.floatTensor, { name: m.floatTensor, elemType: DataType.FLOAT });
    const integerType = m.dequantize ? dataTypeOf(m.dequantize.dtype) : DataType.FLOAT;
    if (m.castFrom) quantized.set(m.quantizedTensor, { name: m.quantizedTensor, elemType: DataType.FLOAT, castFrom: m.castFrom });
    else quantized.set(m.quantizedTensor, integerType === undefined ? { name: m.quantizedTensor } : { name: m.quantizedTensor, elemType: integerType });
    if (m.beforeQuantize && !isGraphInput) quantized.set(m.beforeQuantize, { name: m.beforeQuantize, elemType: DataType.FLOAT });
  }
  return { float: [...float.values()], quantized: [...quantized.values()] };
}

/** The float op a quantized node stands for (QLinearConv → Conv). */
export function floatOpOf(node: NodeProto): string {
  if (isQOperatorOp(node.opType)) return qlinearLayout(node)?.floatOp ?? node.opType;
  return node.opType;
}

/** The data inputs of a node: QOperator value slots, or every input. */
export function dataInputs(node: NodeProto): string[] {
  const layout = qlinearLayout(node);
  return layout ? layout.inputs.map(([value]) => node.input[value]) : node.input;
}

function sameInputs(
  quantizedNode: NodeProto, floatNode: NodeProto, q: GraphIndex, f: GraphIndex, pairs: Map<NodeProto, NodeProto>, paired: Set<NodeProto>,
  lookThrough: ReadonlySet<string>,
): boolean {
  return dataInputs(quantizedNode).every((input, position) => {
    const floatInput = floatNode.input[position];
    if (!input) return !floatInput;
    if (!floatInput) return false;
    const fromQ = sourceIn(q, input, lookThrough);
    const fromF = sourceIn(f, floatInput, NO_OPS);
    if (fromQ.kind === 'const' || fromF.kind === 'const') return fromQ.kind === fromF.kind;
    if (fromQ.kind === 'input' && fromF.kind === 'input') return fromQ.name === fromF.name;
    if (fromQ.kind !== 'node' || fromF.kind !== 'node') return false;
    const twin = pairs.get(fromQ.node);
    if (twin === fromF.node) return fromQ.outputIndex === fromF.outputIndex;
    // A Relu/Clip the quantized model folded away: the float input comes through it.
    return FOLDABLE_ACTIVATIONS.has(fromF.node.opType) && !paired.has(fromF.node) && f.producer.get(fromF.node.input[0])?.node === twin;
  });
}

const QDQ_OPS: ReadonlySet<string> = new Set(['QuantizeLinear', 'DequantizeLinear']);
const FP16_CONVERSION_OPS: ReadonlySet<string> = new Set([...QDQ_OPS, 'Cast']);
const NO_OPS: ReadonlySet<string> = new Set();

/**
 * The quantized model's ops that only convert a tensor and have no float twin: Q/DQ, and in an FP16
 * model converted with float32 inputs and outputs (a Cast to float16 reading a graph input) its Casts.
 */
function lookThroughOps(q: GraphIndex): ReadonlySet<string> {
  const castsInputToHalf = q.graph.node.some((n) => n.opType === 'Cast' && q.inputs.has(n.input[0]) && intAttributeOf(n, 'to', 0) === DataType.FLOAT16);
  return castsInputToHalf ? FP16_CONVERSION_OPS : QDQ_OPS;
}

/** Where a tensor comes from, looking through the `lookThrough` ops (Q/DQ, and in QOperator models the input QuantizeLinear). */
function sourceIn(index: GraphIndex, tensor: string, lookThrough: ReadonlySet<string>): Source {
  let name = tensor;
  for (let hops = 0; hops < 8; hops++) {
    if (index.constants.has(name)) return { kind: 'const' };
    if (index.inputs.has(name)) return { kind: 'input', name };
    const producer = index.producer.get(name);
    if (!producer) return { kind: 'unknown' };
    if (lookThrough.has(producer.node.opType)) {
      name = producer.node.input[0];
      continue;
    }
    return { kind: 'node', node: producer.node, outputIndex: producer.outputIndex };
  }
  return { kind: 'unknown' };
}

/** True when every node reading a quantized output (directly or after its Q/DQ pair) has a float twin. */
function readersAllPaired(quantizedOutput: string, q: GraphIndex, pairs: Map<NodeProto, NodeProto>): boolean {
  const dequantized = throughQdq(quantizedOutput, q);
  const readers = [quantizedOutput, ...(dequantized ? [dequantized] : [])].flatMap((t) => q.consumers.get(t) ?? []);
  return readers.every((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear' || pairs.has(n));
}

/**
 * The Relu/Clip right after a float tensor when it has no twin and nothing unpaired in the quantized
 * model reads the op's output in its place (the quantized model folded it).
 */
function foldedActivation(floatTensor: string, f: GraphIndex, paired: Set<NodeProto>, quantizedReadersPaired: boolean): NodeProto | undefined {
  const consumers = f.consumers.get(floatTensor) ?? [];
  if (!quantizedReadersPaired) return undefined;
  if (consumers.length !== 1 || f.outputs.has(floatTensor)) return undefined;
  const [next] = consumers;
  return FOLDABLE_ACTIVATIONS.has(next.opType) && !paired.has(next) && next.input[0] === floatTensor ? next : undefined;
}

type MatchBase = Omit<TensorMatch, 'quantizedTensor' | 'kind' | 'dequantize' | 'beforeQuantize' | 'upstream'>;

function upstreamOf(tensor: string, f: GraphIndex, matched: Set<string>): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (name === '' || seen.has(name)) return;
    seen.add(name);
    if (matched.has(name)) found.add(name);
    else if (!f.constants.has(name)) f.producer.get(name)?.node.input.forEach(visit);
  };
  f.producer.get(tensor)?.node.input.forEach(visit);
  return [...found];
}

function counterpart(base: MatchBase, quantizedOutput: string, quantizedNode: NodeProto, q: GraphIndex): Omit<TensorMatch, 'upstream'> {
  const layout = qlinearLayout(quantizedNode);
  if (layout) {
    const params = readQuantParams(q, quantizedNode.input[layout.output[0]], quantizedNode.input[layout.output[1]], undefined);
    if (typeof params !== 'string') return { ...base, quantizedTensor: quantizedOutput, kind: 'qoperator', dequantize: params };
    return { ...base, quantizedTensor: quantizedOutput, kind: 'float', note: `output scale unreadable: ${params}` };
  }
  const dequantized = throughQdq(quantizedOutput, q);
  if (dequantized) return { ...base, quantizedTensor: dequantized, kind: 'dequantized', beforeQuantize: quantizedOutput };
  const carried = integerParams(quantizedOutput, q, 0);
  if (carried) return { ...base, quantizedTensor: quantizedOutput, kind: 'qoperator', dequantize: carried };
  if (lookThroughOps(q) === FP16_CONVERSION_OPS) {
    // FP16: the model's own Cast back to float32 (its outputs), or one added for the analysis.
    const toFloat = (q.consumers.get(quantizedOutput) ?? []).find((n) => n.opType === 'Cast' && intAttributeOf(n, 'to', 0) === DataType.FLOAT);
    if (toFloat) return { ...base, quantizedTensor: toFloat.output[0], kind: 'float' };
    return { ...base, quantizedTensor: `${quantizedOutput}__float32`, kind: 'float', castFrom: quantizedOutput };
  }
  return { ...base, quantizedTensor: quantizedOutput, kind: 'float' };
}

/** QOperator models run ops like MaxPool or Reshape on integers: their output keeps the input's scale and zero point. */
function integerParams(tensor: string, q: GraphIndex, depth: number): QuantParamsInfo | undefined {
  const producer = q.producer.get(tensor)?.node;
  if (!producer || depth > 16) return undefined;
  if (producer.opType === 'QuantizeLinear') {
    const params = qdqNodeParams(q, producer);
    return typeof params === 'string' ? undefined : params;
  }
  const layout = qlinearLayout(producer);
  if (layout) {
    const params = readQuantParams(q, producer.input[layout.output[0]], producer.input[layout.output[1]], undefined);
    return typeof params === 'string' ? undefined : params;
  }
  return INTEGER_PASS_THROUGH.has(producer.opType) ? integerParams(producer.input[0], q, depth + 1) : undefined;
}

/** The output of DequantizeLinear(QuantizeLinear(tensor)), when the quantized model has that pair. */
function throughQdq(tensor: string, q: GraphIndex): string | undefined {
  for (const quantize of (q.consumers.get(tensor) ?? []).filter((n) => n.opType === 'QuantizeLinear')) {
    const dequantize = (q.consumers.get(quantize.output[0]) ?? []).find((n) => n.opType === 'DequantizeLinear');
    if (dequantize) return dequantize.output[0];
  }
  return undefined;
}

function matchGraphInput(input: string, q: GraphIndex): TensorMatch[] {
  if (!q.inputs.has(input)) return [];
  const base = { floatTensor: input, floatNode: null, opType: 'input', nodeIndex: -1, quantizedNode: null };
  const dequantized = throughQdq(input, q);
  if (dequantized) return [{ ...base, quantizedTensor: dequantized, kind: 'dequantized', beforeQuantize: input, upstream: [] }];
  const quantize = (q.consumers.get(input) ?? []).find((n) => n.opType === 'QuantizeLinear');
  const params = quantize ? qdqNodeParams(q, quantize) : undefined;
  if (quantize && params && typeof params !== 'string') {
    return [{ ...base, quantizedTensor: quantize.output[0], kind: 'graph-input', dequantize: params, beforeQuantize: input, upstream: [] }];
  }
  return [];
}
