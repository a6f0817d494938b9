/**
 * Decides, node by node, what static QDQ quantization will do: which activations get a
 * QuantizeLinear/DequantizeLinear pair, which initializers become int8 weights (and along which
 * axis) or int32 biases, and which nodes stay float and why. Calibration and rewriting share it.
 */
import { QuantLensError } from '../errors.ts';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../onnx/gen/onnx_pb.ts';
import { DataType } from '../onnx/dtypes.ts';
import { modelInfoOf } from '../onnx/info.ts';
import { floatAttributeOf, intAttributeOf } from '../onnx/builders.ts';
import { resolveOptions, type QuantizableOp, type QuantizeOptions, type SkippedNode } from './options.ts';

/** The weight of a quantized node: an int8 initializer, per channel along `axis` or per tensor. */
export interface WeightPlan {
  name: string;
  /** Output-channel axis for per-channel scales; undefined for one scale per tensor. */
  axis: number | undefined;
}

/** What happens to one quantized node. */
export interface NodePlan {
  nodeIndex: number;
  /** The node's name, or OpType_index when it has none. */
  label: string;
  /** Inputs quantized as uint8 activations (calibrated). */
  activationInputs: string[];
  weight?: WeightPlan;
  /** A float32 1-D bias initializer quantized to int32 with scale input_scale * weight_scale. */
  bias?: string;
  /** Outputs quantized as uint8 activations (calibrated). */
  outputs: string[];
}

/** The quantization plan of a whole graph. */
export interface QuantizationPlan {
  nodes: NodePlan[];
  skipped: SkippedNode[];
  /** Every activation that needs a calibrated range, in graph order, without duplicates. */
  activations: string[];
}

/** A node's label in reports and in nodesToExclude: its name, or OpType_index when unnamed. */
export function nodeLabel(node: NodeProto, index: number): string {
  return node.name !== '' ? node.name : `${node.opType}_${index}`;
}

/** Plans the quantization of a model's main graph. */
export function planQuantization(model: ModelProto, options: QuantizeOptions = {}): QuantizationPlan {
  const resolved = resolveOptions(options);
  const graph = model.graph;
  if (!graph) return { nodes: [], skipped: [], activations: [] };
  const format = modelInfoOf(model).format;
  if (format === 'qdq' || format === 'qoperator' || format === 'mixed') {
    throw new QuantLensError(
      'quantize-failed',
      `This model is already quantized (${format === 'qdq' ? 'QDQ' : format === 'qoperator' ? 'QOperator' : 'mixed'} format).`,
      'Pick the float model to quantize; compare this one as the quantized twin instead.',
    );
  }
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const nonFloat = nonFloatTensors(graph);
  const useCount = countUses(graph);
  const excluded = new Set(resolved.nodesToExclude);
  const opTypes = new Set<string>(resolved.opTypes);
  const weightAxes = new Map<string, number | undefined>();
  const nodes: NodePlan[] = [];
  const skipped: SkippedNode[] = [];

  graph.node.forEach((node, nodeIndex) => {
    if (!opTypes.has(node.opType) || (node.domain !== '' && node.domain !== 'ai.onnx')) return;
    const label = nodeLabel(node, nodeIndex);
    if (excluded.has(label)) {
      skipped.push({ name: label, reason: 'excluded by nodesToExclude' });
      return;
    }
    const notFloat = node.input.slice(0, 2).find((i) => nonFloat.has(i));
    if (notFloat !== undefined) {
      skipped.push({ name: label, reason: `its input '${notFloat}' is not float32` });
      return;
    }
    const planned = planNode(node.opType as QuantizableOp, node, initializers, useCount, resolved.perChannel);
    if (typeof planned === 'string') {
      skipped.push({ name: label, reason: planned });
      return;
    }
    const { weight } = planned;
    if (weight && weightAxes.has(weight.name) && weightAxes.get(weight.name) !== weight.axis) {
      skipped.push({ name: label, reason: `its weight '${weight.name}' is shared with a node that quantizes it along another axis` });
      return;
    }
    if (weight) weightAxes.set(weight.name, weight.axis);
    nodes.push({ nodeIndex, label, ...planned });
  });

  const activations = [...new Set(nodes.flatMap((p) => [...p.activationInputs, ...p.outputs]))];
  return { nodes, skipped, activations };
}

type NodeDecision = Omit<NodePlan, 'nodeIndex' | 'label'>;

function planNode(
  opType: QuantizableOp, node: NodeProto, initializers: Map<string, TensorProto>,
  useCount: Map<string, number>, perChannel: boolean,
): NodeDecision | string {
  const [input, second, third] = node.input;
  if (!input) return 'it has no input';
  if (initializers.has(input)) return `its first input '${input}' is a constant, not an activation`;
  if (node.output.length !== 1 || node.output[0] === '') return 'it does not have exactly one output';
  const outputs = [node.output[0]];
  const secondTensor = second ? initializers.get(second) : undefined;
  if (!second) return 'it has no second input';
  if (secondTensor && secondTensor.dataType !== DataType.FLOAT) return `its weight '${second}' is not float32`;

  if (opType === 'Conv') {
    if (!secondTensor) return `its weight '${second}' is not a constant initializer`;
    const weight = { name: second, axis: perChannel ? 0 : undefined };
    const bias = biasIfQuantizable(third, Number(secondTensor.dims[0]), initializers, useCount);
    return { activationInputs: [input], weight, ...(bias ? { bias } : {}), outputs };
  }
  if (!secondTensor) return { activationInputs: [input, second], outputs };
  const rank = secondTensor.dims.length;
  if (opType === 'Gemm') {
    if (rank !== 2) return `its weight '${second}' is not 2-D`;
    const transB = intAttributeOf(node, 'transB', 0) !== 0;
    const channelAxis = transB ? 0 : 1;
    const weight = { name: second, axis: perChannel ? channelAxis : undefined };
    const plainScaling = floatAttributeOf(node, 'alpha', 1) === 1 && floatAttributeOf(node, 'beta', 1) === 1;
    const bias = plainScaling ? biasIfQuantizable(third, Number(secondTensor.dims[channelAxis]), initializers, useCount) : undefined;
    return { activationInputs: [input], weight, ...(bias ? { bias } : {}), outputs };
  }
  const weight = { name: second, axis: perChannel && rank >= 2 ? rank - 1 : undefined };
  return { activationInputs: [input], weight, outputs };
}

/** A bias is quantized when it is a float32 1-D initializer of one value per channel used by this node only. */
function biasIfQuantizable(
  name: string | undefined, channels: number, initializers: Map<string, TensorProto>, useCount: Map<string, number>,
): string | undefined {
  if (!name) return undefined;
  const tensor = initializers.get(name);
  if (!tensor || tensor.dataType !== DataType.FLOAT) return undefined;
  if (tensor.dims.length !== 1 || Number(tensor.dims[0]) !== channels) return undefined;
  return useCount.get(name) === 1 ? name : undefined;
}

/** Tensors whose declared element type (graph inputs, value infos) is known and not float32. */
function nonFloatTensors(graph: GraphProto): Set<string> {
  const declared = [...graph.input, ...graph.valueInfo, ...graph.output];
  return new Set(declared.filter((v) => {
    const type = v.type?.value;
    return type?.case === 'tensorType' && type.value.elemType !== DataType.FLOAT && type.value.elemType !== DataType.UNDEFINED;
  }).map((v) => v.name));
}

function countUses(graph: GraphProto): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const node of graph.node) node.input.filter((i) => i !== '').forEach(add);
  for (const output of graph.output) add(output.name);
  return counts;
}
