/**
 * Builds small ONNX models in tests from the generated protobuf types.
 */
import { makeModel, type ModelParts as ModelPartsOf } from '../../../../src/core/onnx/builders.ts';
import { serializeModel } from '../../../../src/core/onnx/model.ts';

export type ModelParts = Omit<ModelPartsOf, 'producerName' | 'graphName'>;

/** Serialized model bytes for a single graph. */
export function buildModel(parts: ModelParts): Uint8Array {
  return serializeModel(makeModel({ ...parts, producerName: 'quantlens-test', graphName: 'test' }));
}
