/**
 * Small constructors and accessors over the generated protobuf types, for model surgery and tests.
 */
import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttributeType,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorShapeProtoSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './gen/onnx_pb.ts';
import type { DataType } from './dtypes.ts';

/** An INT attribute. */
export function intAttribute(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeType.INT, i: BigInt(value) });
}

/** An INTS attribute. */
export function intsAttribute(name: string, values: readonly number[]): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeType.INTS, ints: values.map(BigInt) });
}

/** A FLOAT attribute. */
export function floatAttribute(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeType.FLOAT, f: value });
}

/** A TENSOR attribute (e.g. Constant's value). */
export function tensorAttribute(name: string, value: TensorProto): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeType.TENSOR, t: value });
}

/** A node in the default ONNX domain unless `domain` says otherwise. */
export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  attributes: readonly AttributeProto[] = [],
  domain?: string,
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    name,
    input: [...inputs],
    output: [...outputs],
    attribute: [...attributes],
    ...(domain === undefined ? {} : { domain }),
  });
}

/** A tensor ValueInfo; `shape` undefined leaves the rank unknown, string dims are symbolic. */
export function makeTensorValueInfo(
  name: string,
  elemType: DataType,
  shape?: readonly (number | string | null)[],
): ValueInfoProto {
  const dims = shape?.map((d) =>
    typeof d === 'number'
      ? { value: { case: 'dimValue' as const, value: BigInt(d) } }
      : typeof d === 'string'
        ? { value: { case: 'dimParam' as const, value: d } }
        : {},
  );
  const tensorType = dims === undefined ? { elemType } : { elemType, shape: create(TensorShapeProtoSchema, { dim: dims }) };
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }),
  });
}

/** What `makeModel` builds: one graph and where it came from. */
export interface ModelParts {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  /** Default-domain opset (13 when absent), then any others. */
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
  irVersion?: number;
  producerName: string;
  graphName: string;
}

/** A model of a single graph (generated models: the demo's tools, the benchmark, tests). */
export function makeModel(parts: ModelParts): ModelProto {
  const opsets = [{ domain: '', version: parts.opset ?? 13 }, ...(parts.extraOpsets ?? [])];
  return create(ModelProtoSchema, {
    irVersion: BigInt(parts.irVersion ?? 8),
    producerName: parts.producerName,
    producerVersion: '1',
    opsetImport: opsets.map((o) => create(OperatorSetIdProtoSchema, { domain: o.domain, version: BigInt(o.version) })),
    graph: create(GraphProtoSchema, {
      name: parts.graphName,
      node: parts.nodes,
      input: parts.inputs,
      output: parts.outputs,
      initializer: parts.initializers ?? [],
    }),
  });
}

/** The attribute called `name`, if the node has one. */
export function findAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

/** An INT attribute's value, or `fallback` when absent. */
export function intAttributeOf(node: NodeProto, name: string, fallback: number): number {
  const attribute = findAttribute(node, name);
  return attribute === undefined ? fallback : Number(attribute.i);
}

/** A FLOAT attribute's value, or `fallback` when absent. */
export function floatAttributeOf(node: NodeProto, name: string, fallback: number): number {
  const attribute = findAttribute(node, name);
  return attribute === undefined ? fallback : attribute.f;
}
