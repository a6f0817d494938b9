/**
 * Exposes intermediate tensors as extra graph outputs without re-encoding the model: a serialized
 * `ModelProto { graph: GraphProto { output: [...] } }` fragment is appended to the original bytes.
 * Protobuf parsers merge a singular embedded message that occurs twice and concatenate its repeated
 * fields, so the result reads as the original model with more outputs, every other byte untouched
 * (weights are not copied through a decode/encode round trip, and unknown fields survive).
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { QuantLensError } from '../errors.ts';
import { GraphProtoSchema, ModelProtoSchema, ValueInfoProtoSchema, type ModelProto, type ValueInfoProto } from '../onnx/gen/onnx_pb.ts';
import { intAttribute, makeNode, makeTensorValueInfo } from '../onnx/builders.ts';
import type { DataType } from '../onnx/dtypes.ts';

/** A tensor to expose, with its element type when known (a bare name lets the runtime infer it). */
export interface OutputRequest {
  name: string;
  elemType?: DataType;
  /** Expose `name` as a new tensor: a Cast of this tensor to `elemType`, appended to the graph (FP16 tensors read as float32). */
  castFrom?: string;
}

/**
 * The model bytes with `tensors` appended as graph outputs. Pass the parsed `model` to skip names
 * that already are outputs and to reject names the graph does not have.
 */
export function addOutputs(modelBytes: Uint8Array, tensors: readonly (string | OutputRequest)[], model?: ModelProto): Uint8Array {
  const requests = dedupe(tensors.map((t) => (typeof t === 'string' ? { name: t } : t)));
  const wanted = model ? checkedAgainst(model, requests) : requests;
  if (wanted.length === 0) return modelBytes;
  const fragment = outputsFragment(wanted);
  const out = new Uint8Array(modelBytes.length + fragment.length);
  out.set(modelBytes, 0);
  out.set(fragment, modelBytes.length);
  return out;
}

/** The serialized fragment alone: field 7 (graph) holding field 12 (output) entries, and field 1 (node) Casts for `castFrom` requests. */
export function outputsFragment(tensors: readonly OutputRequest[]): Uint8Array {
  const output: ValueInfoProto[] = tensors.map((t) =>
    t.elemType === undefined ? create(ValueInfoProtoSchema, { name: t.name }) : makeTensorValueInfo(t.name, t.elemType),
  );
  const node = tensors
    .filter((t) => t.castFrom !== undefined && t.elemType !== undefined)
    .map((t) => makeNode('Cast', [t.castFrom ?? ''], [t.name], `${t.name}__Cast`, [intAttribute('to', t.elemType ?? 0)]));
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { graph: create(GraphProtoSchema, { output, node }) }));
}

function dedupe(requests: OutputRequest[]): OutputRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => (seen.has(r.name) ? false : (seen.add(r.name), true)));
}

function checkedAgainst(model: ModelProto, requests: OutputRequest[]): OutputRequest[] {
  const graph = model.graph;
  const existing = new Set(graph?.output.map((o) => o.name) ?? []);
  const known = new Set([...(graph?.input.map((i) => i.name) ?? []), ...(graph?.node.flatMap((n) => n.output) ?? [])]);
  const missing = requests.filter((r) => !known.has(r.castFrom ?? r.name)).map((r) => `'${r.castFrom ?? r.name}'`);
  if (missing.length > 0) {
    throw new QuantLensError(
      'invalid-input',
      `The model has no tensor named ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}.`,
      'Pick tensors produced by the model\'s nodes (see the layer matching).',
    );
  }
  return requests.filter((r) => !existing.has(r.name));
}
