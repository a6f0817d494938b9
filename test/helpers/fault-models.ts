/**
 * Models with one fault each, made from the demo's float model so that they stay its twins (same
 * input and output): its weights moved to an external data file, a custom operator on its output,
 * a branch whose tensor outgrows WebAssembly on real data (but not on zeros). Used by the unit tests
 * (Node, real onnxruntime-web) and by test/e2e/faults.e2e.ts (real Chromium).
 */
import { create } from '@bufbuild/protobuf';
import { OperatorSetIdProtoSchema, StringStringEntryProtoSchema, TensorProto_DataLocation, type ModelProto } from '../../src/core/onnx/gen/onnx_pb.ts';
import { parseModel, serializeModel } from '../../src/core/onnx/model.ts';
import { intAttribute, makeNode } from '../../src/core/onnx/builders.ts';
import { encodeTensor } from '../../src/core/onnx/tensor.ts';
import { DataType } from '../../src/core/onnx/dtypes.ts';

/** The model's initializers moved to one data file (ONNX's external data: location, offset, length). */
export function withExternalData(modelBytes: Uint8Array, location: string): { model: Uint8Array; data: Uint8Array } {
  const model = parseModel(modelBytes);
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    if (tensor.rawData.length === 0) continue;
    const length = tensor.rawData.length;
    parts.push(new Uint8Array(tensor.rawData));
    tensor.externalData = [['location', location], ['offset', String(offset)], ['length', String(length)]].map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }));
    tensor.dataLocation = TensorProto_DataLocation.EXTERNAL;
    tensor.rawData = new Uint8Array(0);
    offset += length;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.length;
  }
  return { model: serializeModel(model), data };
}

/** The model's output passed through `domain:opType`, an operator no engine here has. */
export function withCustomOperator(modelBytes: Uint8Array, domain = 'com.example.vendor', opType = 'FancyActivation'): Uint8Array {
  const model = parseModel(modelBytes);
  const output = rerouteOutput(model);
  model.graph!.node.push(makeNode(opType, [output.before], [output.name], 'vendor_activation', [], domain));
  model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain, version: 1n }));
  return serializeModel(model);
}

/**
 * The model plus a branch that expands its input to [1, 1, 1024, 1 + max(input) × 2²¹] floats and
 * adds 0 × its sum to the output: 4 KB on an all-zero input (the load's trial run passes), 8 GiB on
 * a real digit (max 1), more than wasm32 can address, so the first real sample fails.
 */
export function withMemoryBlowUp(modelBytes: Uint8Array, scale = 2 ** 21): Uint8Array {
  const model = parseModel(modelBytes);
  const graph = model.graph!;
  const input = graph.input[0].name;
  const output = rerouteOutput(model);
  graph.initializer.push(
    encodeTensor('blowup_scale', DataType.FLOAT, [], new Float32Array([scale])),
    encodeTensor('blowup_one', DataType.FLOAT, [], new Float32Array([1])),
    encodeTensor('blowup_zero', DataType.FLOAT, [], new Float32Array([0])),
    encodeTensor('blowup_lead', DataType.INT64, [3], new BigInt64Array([1n, 1n, 1024n])),
    encodeTensor('blowup_vector', DataType.INT64, [1], new BigInt64Array([1n])),
  );
  graph.node.push(
    makeNode('ReduceMax', [input], ['blowup_max'], 'blowup_max', [intAttribute('keepdims', 0)]),
    makeNode('Mul', ['blowup_max', 'blowup_scale'], ['blowup_scaled'], 'blowup_scaled'),
    makeNode('Add', ['blowup_scaled', 'blowup_one'], ['blowup_count'], 'blowup_count'),
    makeNode('Cast', ['blowup_count'], ['blowup_count_int'], 'blowup_cast', [intAttribute('to', DataType.INT64)]),
    makeNode('Reshape', ['blowup_count_int', 'blowup_vector'], ['blowup_tail'], 'blowup_tail'),
    makeNode('Concat', ['blowup_lead', 'blowup_tail'], ['blowup_shape'], 'blowup_shape', [intAttribute('axis', 0)]),
    makeNode('Expand', ['blowup_max', 'blowup_shape'], ['blowup_big'], 'blowup_expand'),
    makeNode('ReduceSum', ['blowup_big'], ['blowup_sum'], 'blowup_sum', [intAttribute('keepdims', 0)]),
    makeNode('Mul', ['blowup_sum', 'blowup_zero'], ['blowup_nothing'], 'blowup_nothing'),
    makeNode('Add', [output.before, 'blowup_nothing'], [output.name], 'blowup_output'),
  );
  return serializeModel(model);
}

/** Renames the producer of the first graph output so a new node can write the output itself. */
function rerouteOutput(model: ModelProto): { name: string; before: string } {
  const graph = model.graph!;
  const name = graph.output[0].name;
  const before = `${name}_before_fault`;
  for (const node of graph.node) node.output = node.output.map((o) => (o === name ? before : o));
  return { name, before };
}
