/**
 * What a model is, read from its bytes: versions, real inputs and outputs, op counts, parameter
 * count and quantization format (float, fp16, QDQ, QOperator or a mix).
 */
import type { ModelInputInfo } from '../preprocess/spec.ts';
import type { ModelProto, ValueInfoProto } from './gen/onnx_pb.ts';
import { DataType, dtypeName } from './dtypes.ts';
import { parseModel } from './model.ts';
import { elementCount } from './tensor.ts';
import { externalFiles, externalTensors, type ExternalFile } from './external.ts';

/** How a model is (or is not) quantized. */
export type ModelFormat = 'float' | 'fp16' | 'qdq' | 'qoperator' | 'mixed';

/** A model's vital statistics, structured-clone safe. */
export interface ModelInfo {
  irVersion: number;
  /** Opset version per domain; the default domain is reported as 'ai.onnx'. */
  opsets: Record<string, number>;
  /** Producer name and version, e.g. 'pytorch 2.1.0' ('' when the exporter left it empty). */
  producer: string;
  /** Real graph inputs (initializers listed as inputs by old exporters are left out). */
  inputs: ModelInputInfo[];
  outputs: ModelInputInfo[];
  nodeCount: number;
  /** Number of nodes per op type (main graph only). */
  opHistogram: Record<string, number>;
  /** Total number of elements in all initializers (weights, biases, scales, zero points). */
  parameterCount: number;
  format: ModelFormat;
  /** Files the model keeps weights in (data_location EXTERNAL); empty for a self-contained model. */
  externalData: ExternalFile[];
  /**
   * Operators outside the default ONNX domain, as 'domain:OpType' (main graph; calls to the model's
   * own functions left out): com.microsoft contrib ops, ai.onnx.ml, or custom ops no engine may have.
   */
  nonStandardOps: string[];
}

const QDQ_OPS = new Set(['QuantizeLinear', 'DequantizeLinear']);
const QOPERATOR_OPS = new Set([
  'ConvInteger', 'MatMulInteger', 'DynamicQuantizeLinear', 'QGemm', 'QAttention', 'DynamicQuantizeMatMul',
  'MatMulIntegerToFloat', 'DynamicQuantizeLSTM', 'QEmbedLayerNormalization', 'MatMulNBits',
]);
// Ops that, fed by a DequantizeLinear, make a QDQ "quantized compute" pattern.
const QDQ_COMPUTE_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Attention', 'LSTM', 'GRU', 'Einsum']);

/** True for ops that compute on quantized integers directly (QLinear*, *Integer, com.microsoft Q ops). */
export function isQOperatorOp(opType: string): boolean {
  return opType.startsWith('QLinear') || opType.startsWith('QOrdered') || QOPERATOR_OPS.has(opType);
}

/** Reads a model's vital statistics; throws QuantLensError('not-onnx') for non-ONNX bytes. */
export function readModelInfo(bytes: Uint8Array): ModelInfo {
  return modelInfoOf(parseModel(bytes));
}

/** The same as readModelInfo, for an already parsed model. */
export function modelInfoOf(model: ModelProto): ModelInfo {
  const graph = model.graph;
  const nodes = graph?.node ?? [];
  const initializerNames = new Set(graph?.initializer.map((t) => t.name) ?? []);
  const opHistogram: Record<string, number> = {};
  for (const node of nodes) opHistogram[node.opType] = (opHistogram[node.opType] ?? 0) + 1;
  const opsets: Record<string, number> = {};
  for (const opset of model.opsetImport) opsets[opset.domain === '' ? 'ai.onnx' : opset.domain] = Number(opset.version);
  return {
    irVersion: Number(model.irVersion),
    opsets,
    producer: `${model.producerName} ${model.producerVersion}`.trim(),
    inputs: (graph?.input ?? []).filter((v) => !initializerNames.has(v.name)).map(valueInfoToInput),
    outputs: (graph?.output ?? []).map(valueInfoToInput),
    nodeCount: nodes.length,
    opHistogram,
    parameterCount: (graph?.initializer ?? []).reduce((n, t) => n + elementCount(t.dims), 0),
    format: detectFormat(model),
    externalData: externalFiles(externalTensors(model)),
    nonStandardOps: nonStandardOps(model),
  };
}

/** A graph input or output as { name, dtype, shape } with symbolic dims as strings, unknown as null. */
export function valueInfoToInput(valueInfo: ValueInfoProto): ModelInputInfo {
  const type = valueInfo.type?.value;
  if (type?.case !== 'tensorType') {
    return { name: valueInfo.name, dtype: type?.case === undefined ? 'undefined' : type.case.replace(/Type$/, ''), shape: [] };
  }
  const shape = (type.value.shape?.dim ?? []).map((d) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null,
  );
  return { name: valueInfo.name, dtype: dtypeName(type.value.elemType), shape };
}

function nonStandardOps(model: ModelProto): string[] {
  const local = new Set(model.functions.map((f) => `${f.domain}:${f.name}`));
  const ops = new Set<string>();
  for (const node of model.graph?.node ?? []) {
    if (node.domain === '' || node.domain === 'ai.onnx' || local.has(`${node.domain}:${node.opType}`)) continue;
    ops.add(`${node.domain}:${node.opType}`);
  }
  return [...ops];
}

function detectFormat(model: ModelProto): ModelFormat {
  const nodes = model.graph?.node ?? [];
  const hasQOperator = nodes.some((n) => isQOperatorOp(n.opType));
  const hasQdqOps = nodes.some((n) => QDQ_OPS.has(n.opType));
  const dequantized = new Set(nodes.filter((n) => n.opType === 'DequantizeLinear').flatMap((n) => n.output));
  // QOperator models carry Q/DQ at their borders; only DQ feeding a compute op marks QDQ style there.
  const hasQdqCompute = nodes.some((n) => QDQ_COMPUTE_OPS.has(n.opType) && n.input.some((i) => dequantized.has(i)));
  if (hasQOperator) return hasQdqCompute ? 'mixed' : 'qoperator';
  // QDQ with some compute ops left in float (e.g. a sensitive layer excluded from quantization): mixed precision.
  const hasFloatCompute = nodes.some((n) => QDQ_COMPUTE_OPS.has(n.opType) && !n.input.some((i) => dequantized.has(i)));
  if (hasQdqOps) return hasQdqCompute && hasFloatCompute ? 'mixed' : 'qdq';
  return isMostlyFloat16(model) ? 'fp16' : 'float';
}

function isMostlyFloat16(model: ModelProto): boolean {
  let half = 0;
  let single = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    if (tensor.dataType === DataType.FLOAT16) half += elementCount(tensor.dims);
    if (tensor.dataType === DataType.FLOAT) single += elementCount(tensor.dims);
  }
  if (half + single > 0) return half > single;
  return (model.graph?.input ?? []).some((v) => valueInfoToInput(v).dtype === 'float16');
}
