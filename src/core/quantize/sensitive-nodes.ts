/**
 * From the diagnosis's ranking (matched tensors, most damaged first) to the nodes the quantizer can
 * keep in float: only quantized ops (Conv, Gemm, MatMul) have a switch. A ranked tensor is charged
 * to the quantized node that produced it; else to the quantized node reading it as a quantized
 * input (its Q/DQ pair is that node's); else to the nearest quantized node upstream (a Relu or
 * MaxPool passes on the noise of the Conv before it).
 */
import type { ModelProto } from '../onnx/gen/onnx_pb.ts';
import type { QuantizeOptions } from './options.ts';
import { planQuantization } from './plan.ts';

/** A ranked tensor of the float model, as the diagnosis names it. */
export interface RankedTensor {
  floatTensor: string;
}

/** Quantized node labels to keep in float, in the order of the ranking, without duplicates or already-excluded nodes. */
export function nodesToKeepFloat(floatModel: ModelProto, ranked: readonly RankedTensor[], options: QuantizeOptions = {}): string[] {
  const graph = floatModel.graph;
  if (!graph) return [];
  const excluded = new Set(options.nodesToExclude ?? []);
  // Plan without exclusions: which nodes the quantizer would quantize at all.
  const plan = planQuantization(floatModel, { ...options, nodesToExclude: [] });
  const quantizedByIndex = new Map(plan.nodes.map((p) => [p.nodeIndex, p]));
  const producerOf = new Map<string, number>();
  graph.node.forEach((node, index) => node.output.forEach((o) => producerOf.set(o, index)));

  const charge = (tensor: string): string | null => {
    const seen = new Set<string>();
    let current: string | undefined = tensor;
    while (current !== undefined && !seen.has(current)) {
      seen.add(current);
      const producer = producerOf.get(current);
      const planned = producer === undefined ? undefined : quantizedByIndex.get(producer);
      if (planned) return planned.label;
      const reader = plan.nodes.find((p) => p.activationInputs.includes(current as string));
      if (reader && current === tensor) return reader.label;
      current = producer === undefined ? undefined : graph.node[producer].input.find((i) => i !== '' && (producerOf.has(i) || graph.input.some((g) => g.name === i)));
    }
    return null;
  };

  const nodes: string[] = [];
  for (const { floatTensor } of ranked) {
    const label = charge(floatTensor);
    if (label !== null && !excluded.has(label) && !nodes.includes(label)) nodes.push(label);
  }
  return nodes;
}
