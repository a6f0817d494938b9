/**
 * Weight damage without inference: every constant input of a paired node is dequantized from the
 * quantized model's initializers and compared with the float model's initializer, as a whole and per
 * output channel (the channel axis of per-channel scales, else the op's output-channel axis).
 */
import type { ModelProto, NodeProto, TensorProto } from '../onnx/gen/onnx_pb.ts';
import { DataType } from '../onnx/dtypes.ts';
import { intAttributeOf } from '../onnx/builders.ts';
import { decodeFloatTensor, decodeTensor } from '../onnx/tensor.ts';
import { dequantize, indexGraph, qdqNodeParams, qlinearLayout, readQuantParams, type GraphIndex, type QuantParamsInfo } from './graph.ts';
import { pairNodes } from './layers.ts';
import { diffTensors, type TensorDiff } from './measures.ts';

/** The error of one dequantized weight against its float original. */
export interface WeightError {
  /** The float initializer. */
  floatWeight: string;
  /** The quantized initializer holding the integers. */
  quantizedWeight: string;
  node: string;
  opType: string;
  /** Input position on the node (1 = weight, 2 = bias for Conv/Gemm). */
  inputIndex: number;
  granularity: 'per-tensor' | 'per-channel';
  dtype: string;
  whole: TensorDiff;
  /** Axis of `perChannel`; undefined for tensors of rank < 2. */
  channelAxis?: number;
  perChannel: TensorDiff[];
  /** The channel with the lowest SQNR (-1 without channels). */
  worstChannel: number;
}

/** Errors of every quantized constant input of the paired nodes, in float graph order. */
export function weightErrors(floatModel: ModelProto, quantizedModel: ModelProto): WeightError[] {
  if (!floatModel.graph || !quantizedModel.graph) return [];
  const f = indexGraph(floatModel.graph);
  const q = indexGraph(quantizedModel.graph);
  const order = new Map(f.graph.node.map((n, i) => [n, i]));
  const { pairs } = pairNodes(f, q);
  const found: { position: number; error: WeightError }[] = [];
  for (const [quantizedNode, floatNode] of pairs) {
    floatNode.input.forEach((floatInput, inputIndex) => {
      const floatTensor = f.constants.get(floatInput);
      if (!floatTensor || floatTensor.dataType !== DataType.FLOAT) return;
      const quantized = quantizedConstant(quantizedNode, inputIndex, q);
      if (!quantized) return;
      const error = compareWeight(floatTensor, quantized, floatNode, inputIndex);
      if (error) found.push({ position: order.get(floatNode) ?? 0, error });
    });
  }
  return found.sort((a, b) => a.position - b.position).map((e) => e.error);
}

interface QuantizedConstant {
  tensor: TensorProto;
  params: QuantParamsInfo;
}

function quantizedConstant(node: NodeProto, inputIndex: number, q: GraphIndex): QuantizedConstant | undefined {
  const layout = qlinearLayout(node);
  if (layout) {
    const slot = layout.inputs[inputIndex];
    const tensor = slot ? q.constants.get(node.input[slot[0]]) : undefined;
    if (!slot || !tensor) return undefined;
    const axis = node.opType === 'QGemm' ? (intAttributeOf(node, 'transB', 0) ? 0 : 1) : node.opType === 'QLinearMatMul' ? tensor.dims.length - 1 : 0;
    const params = readQuantParams(q, node.input[slot[1]], node.input[slot[2]], axis);
    return typeof params === 'string' ? undefined : { tensor, params };
  }
  const dequantizeNode = q.producer.get(node.input[inputIndex] ?? '')?.node;
  if (dequantizeNode?.opType !== 'DequantizeLinear') return undefined;
  const tensor = q.constants.get(dequantizeNode.input[0]);
  const params = qdqNodeParams(q, dequantizeNode);
  return tensor && typeof params !== 'string' ? { tensor, params } : undefined;
}

function compareWeight(floatTensor: TensorProto, quantized: QuantizedConstant, node: NodeProto, inputIndex: number): WeightError | undefined {
  const dims = floatTensor.dims.map(Number);
  const reference = decodeFloatTensor(floatTensor);
  const integers = decodeTensor(quantized.tensor).data as ArrayLike<number>;
  if (integers.length !== reference.length) return undefined;
  const restored = dequantize(integers, quantized.params, dims);
  const perChannelParams = quantized.params.scales.length > 1;
  const channelAxis = dims.length < 2 ? undefined : perChannelParams ? normalizeAxis(quantized.params.axis ?? 0, dims.length) : outputChannelAxis(node, dims.length);
  const perChannel = channelAxis === undefined ? [] : channelDiffs(reference, restored, dims, channelAxis);
  let worstChannel = -1;
  perChannel.forEach((d, c) => {
    if (worstChannel < 0 || d.sqnrDb < perChannel[worstChannel].sqnrDb) worstChannel = c;
  });
  return {
    floatWeight: floatTensor.name,
    quantizedWeight: quantized.tensor.name,
    node: node.name || node.opType,
    opType: node.opType,
    inputIndex,
    granularity: perChannelParams ? 'per-channel' : 'per-tensor',
    dtype: quantized.params.dtype,
    whole: diffTensors(reference, restored),
    ...(channelAxis === undefined ? {} : { channelAxis }),
    perChannel,
    worstChannel,
  };
}

/** The output-channel axis of a weight: 0 for Conv, by transB for Gemm, the last for MatMul. */
function outputChannelAxis(node: NodeProto, rank: number): number {
  if (node.opType === 'Gemm') return intAttributeOf(node, 'transB', 0) ? 0 : 1;
  if (node.opType === 'MatMul') return rank - 1;
  if (node.opType === 'ConvTranspose') return 1;
  return 0;
}

function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function channelDiffs(x: Float32Array, y: Float32Array, dims: number[], axis: number): TensorDiff[] {
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((n, d) => n * d, 1);
  const outer = x.length / (channels * inner);
  const diffs: TensorDiff[] = [];
  for (let c = 0; c < channels; c++) {
    const xs = new Float32Array(outer * inner);
    const ys = new Float32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      const from = (o * channels + c) * inner;
      xs.set(x.subarray(from, from + inner), o * inner);
      ys.set(y.subarray(from, from + inner), o * inner);
    }
    diffs.push(diffTensors(xs, ys));
  }
  return diffs;
}
