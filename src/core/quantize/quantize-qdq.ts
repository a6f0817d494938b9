/**
 * Static post-training quantization to ONNX Runtime-style QDQ: 8- or 16-bit activations
 * (asymmetric by default), int8 symmetric weights (per channel or per tensor), int32 biases. Quantized ops read
 * DequantizeLinear outputs; every other op stays float and reads the dequantized tensors too.
 */
import { create } from '@bufbuild/protobuf';
import { QuantLensError } from '../errors.ts';
import { OperatorSetIdProtoSchema, type ModelProto, type NodeProto, type TensorProto } from '../onnx/gen/onnx_pb.ts';
import { DataType } from '../onnx/dtypes.ts';
import { intAttribute, makeNode } from '../onnx/builders.ts';
import { parseModel, serializeModel } from '../onnx/model.ts';
import { encodeTensor } from '../onnx/tensor.ts';
import { ensureQdqOpset } from './opset.ts';
import { resolveOptions, type ActivationType, type QuantizeOptions, type QuantizeReport } from './options.ts';
import { nodeLabel, planQuantization } from './plan.ts';
import { activationParams, type QuantParams, type TensorRange } from './qdq-math.ts';
import { quantizeBias, quantizeWeight, type QuantizedConstant } from './weights.ts';

/** The quantized model's bytes and what was (not) quantized. */
export interface QuantizeResult {
  model: Uint8Array;
  report: QuantizeReport;
}

/** Quantizes a float model to QDQ with the calibrated activation ranges (see planCalibration). */
export function quantizeQdq(floatBytes: Uint8Array, ranges: ReadonlyMap<string, TensorRange>, options: QuantizeOptions = {}): QuantizeResult {
  const model = parseModel(floatBytes);
  const graph = model.graph;
  const plan = planQuantization(model, options);
  const report: QuantizeReport = { quantizedNodes: plan.nodes.map((p) => p.label), skippedNodes: plan.skipped };
  if (!graph || plan.nodes.length === 0) return { model: serializeModel(model), report };
  requireRanges(plan.activations, ranges);
  ensureQdqOpset(model);

  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const graphOutputs = new Set(graph.output.map((o) => o.name));
  const resolved = resolveOptions(options);
  const excluded = new Set(resolved.nodesToExclude);
  const added: TensorProto[] = [];
  const scheme = { type: resolved.activationType, symmetric: resolved.symmetricActivations };
  if (WIDE_TYPES.has(scheme.type)) ensureMicrosoftDomain(model);
  const activations = quantizeActivations(plan.activations, ranges, graphOutputs, added, scheme);
  const { params, producerRename, consumerRename, activationNodes } = activations;

  // Per quantized node: its weight and bias inputs, replaced by their DequantizeLinear outputs.
  const constantRename = new Map<number, Map<string, string>>();
  const constantNodes = new Map<number, NodeProto[]>();
  const quantizedWeights = new Map<string, QuantizedConstant>();
  for (const nodePlan of plan.nodes) {
    const renames = new Map<string, string>();
    const nodes: NodeProto[] = [];
    const { weight, bias } = nodePlan;
    if (weight) {
      let constant = quantizedWeights.get(weight.name);
      if (!constant) {
        constant = quantizeWeight(initializers.get(weight.name) as TensorProto, weight.axis, resolved.weightGridFactors[nodePlan.label] ?? 1);
        quantizedWeights.set(weight.name, constant);
        nodes.push(dequantizeConstant(weight.name, constant, added));
      }
      renames.set(weight.name, `${weight.name}_DequantizeLinear_Output`);
      if (bias) {
        const inputScale = (params.get(nodePlan.activationInputs[0]) as QuantParams).scale;
        const biasConstant = quantizeBias(initializers.get(bias) as TensorProto, inputScale, constant);
        nodes.push(dequantizeConstant(bias, biasConstant, added));
        renames.set(bias, `${bias}_DequantizeLinear_Output`);
      }
    }
    constantRename.set(nodePlan.nodeIndex, renames);
    constantNodes.set(nodePlan.nodeIndex, nodes);
  }

  // Rebuild the node list in topological order: Q/DQ right after the producer of what they quantize.
  const produced = new Set(graph.node.flatMap((n) => n.output));
  const producedFrom = new Map([...producerRename].map(([original, renamed]) => [renamed, original]));
  const emitted = new Set<string>();
  const newNodes: NodeProto[] = [];
  const emitActivation = (name: string) => {
    if (emitted.has(name) || !activationNodes.has(name)) return;
    emitted.add(name);
    newNodes.push(...(activationNodes.get(name) ?? []));
  };
  plan.activations.filter((name) => !produced.has(name)).forEach(emitActivation);
  graph.node.forEach((node, index) => {
    newNodes.push(...(constantNodes.get(index) ?? []));
    const renames = constantRename.get(index);
    node.output = node.output.map((o) => producerRename.get(o) ?? o);
    const keepFloat = excluded.has(nodeLabel(node, index));
    node.input = node.input.map((i) =>
      keepFloat ? producerRename.get(i) ?? i : renames?.get(i) ?? consumerRename.get(i) ?? i,
    );
    newNodes.push(node);
    node.output.forEach((o) => emitActivation(producedFrom.get(o) ?? o));
  });
  graph.node = newNodes;

  // Drop float constants nothing reads any more; add the quantized ones.
  const stillRead = new Set([...newNodes.flatMap((n) => n.input), ...graph.output.map((o) => o.name)]);
  graph.initializer = [...graph.initializer.filter((t) => stillRead.has(t.name)), ...added];
  graph.input = graph.input.filter((i) => !initializers.has(i.name) || stillRead.has(i.name));
  return { model: serializeModel(model), report };
}

interface ActivationRewrite {
  params: Map<string, QuantParams>;
  /** Producers of quantized graph outputs write X_QuantizeLinear_Input instead of X. */
  producerRename: Map<string, string>;
  /** Consumers of other quantized tensors read X_DequantizeLinear_Output instead of X. */
  consumerRename: Map<string, string>;
  /** The QuantizeLinear/DequantizeLinear pair of each activation. */
  activationNodes: Map<string, NodeProto[]>;
}

const ZERO_POINT_TYPES: Record<ActivationType, { dataType: DataType; array: (v: number) => Uint8Array | Int8Array | Uint16Array | Int16Array }> = {
  uint8: { dataType: DataType.UINT8, array: (v) => Uint8Array.of(v) },
  int8: { dataType: DataType.INT8, array: (v) => Int8Array.of(v) },
  uint16: { dataType: DataType.UINT16, array: (v) => Uint16Array.of(v) },
  int16: { dataType: DataType.INT16, array: (v) => Int16Array.of(v) },
};
// ONNX has 16-bit Q/DQ from opset 21 only; ORT's com.microsoft Q/DQ take them at any opset (checked in ORT-web 1.30).
const WIDE_TYPES = new Set<ActivationType>(['uint16', 'int16']);
const MICROSOFT = 'com.microsoft';

function ensureMicrosoftDomain(model: ModelProto): void {
  if (!model.opsetImport.some((o) => o.domain === MICROSOFT)) model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: MICROSOFT, version: 1n }));
}

function quantizeActivations(
  names: readonly string[], ranges: ReadonlyMap<string, TensorRange>, graphOutputs: Set<string>, added: TensorProto[],
  scheme: { type: ActivationType; symmetric: boolean },
): ActivationRewrite {
  const rewrite: ActivationRewrite = { params: new Map(), producerRename: new Map(), consumerRename: new Map(), activationNodes: new Map() };
  const zeroPointType = ZERO_POINT_TYPES[scheme.type];
  const domain = WIDE_TYPES.has(scheme.type) ? MICROSOFT : undefined;
  for (const name of names) {
    const qdq = activationParams(ranges.get(name) as TensorRange, scheme.type, scheme.symmetric);
    rewrite.params.set(name, qdq);
    const scaleName = `${name}_scale`;
    const zeroPointName = `${name}_zero_point`;
    added.push(encodeTensor(scaleName, DataType.FLOAT, [], Float32Array.of(qdq.scale)));
    added.push(encodeTensor(zeroPointName, zeroPointType.dataType, [], zeroPointType.array(qdq.zeroPoint)));
    // ORT convention: a graph output keeps its name on the DequantizeLinear output.
    const isGraphOutput = graphOutputs.has(name);
    const quantizeInput = isGraphOutput ? `${name}_QuantizeLinear_Input` : name;
    const dequantizeOutput = isGraphOutput ? name : `${name}_DequantizeLinear_Output`;
    if (isGraphOutput) rewrite.producerRename.set(name, quantizeInput);
    else rewrite.consumerRename.set(name, dequantizeOutput);
    const quantized = `${name}_QuantizeLinear_Output`;
    rewrite.activationNodes.set(name, [
      makeNode('QuantizeLinear', [quantizeInput, scaleName, zeroPointName], [quantized], `${name}_QuantizeLinear`, [], domain),
      makeNode('DequantizeLinear', [quantized, scaleName, zeroPointName], [dequantizeOutput], `${name}_DequantizeLinear`, [], domain),
    ]);
  }
  return rewrite;
}

function dequantizeConstant(name: string, constant: QuantizedConstant, added: TensorProto[]): NodeProto {
  added.push(constant.quantized, constant.scale, constant.zeroPoint);
  const attributes = constant.axis === undefined ? [] : [intAttribute('axis', constant.axis)];
  return makeNode(
    'DequantizeLinear',
    [constant.quantized.name, constant.scale.name, constant.zeroPoint.name],
    [`${name}_DequantizeLinear_Output`],
    `${name}_DequantizeLinear`,
    attributes,
  );
}

function requireRanges(activations: readonly string[], ranges: ReadonlyMap<string, TensorRange>): void {
  const missing = activations.filter((name) => !ranges.has(name));
  if (missing.length === 0) return;
  const listed = missing.slice(0, 5).map((n) => `'${n}'`).join(', ');
  throw new QuantLensError(
    'quantize-failed',
    `No calibrated range for ${missing.length} tensor(s) the quantizer needs: ${listed}${missing.length > 5 ? ', ...' : ''}.`,
    'Run the model from planCalibration on the calibration samples and observe every tensor it lists.',
  );
}
