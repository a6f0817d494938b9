/**
 * Builds small ONNX models in tests from the generated protobuf types.
 */
import { create } from '@bufbuild/protobuf';
import {
  GraphProtoSchema, ModelProtoSchema, OperatorSetIdProtoSchema,
  type NodeProto, type TensorProto, type ValueInfoProto,
} from '../../../../src/core/onnx/gen/onnx_pb.ts';
import { serializeModel } from '../../../../src/core/onnx/model.ts';

export interface ModelParts {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  opset?: number;
  irVersion?: number;
  extraOpsets?: { domain: string; version: number }[];
}

/** Serialized model bytes for a single graph. */
export function buildModel(parts: ModelParts): Uint8Array {
  const opsets = [{ domain: '', version: parts.opset ?? 13 }, ...(parts.extraOpsets ?? [])];
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(parts.irVersion ?? 8),
    producerName: 'quantlens-test',
    producerVersion: '1',
    opsetImport: opsets.map((o) => create(OperatorSetIdProtoSchema, { domain: o.domain, version: BigInt(o.version) })),
    graph: create(GraphProtoSchema, {
      name: 'test',
      node: parts.nodes,
      input: parts.inputs,
      output: parts.outputs,
      initializer: parts.initializers ?? [],
    }),
  });
  return serializeModel(model);
}
