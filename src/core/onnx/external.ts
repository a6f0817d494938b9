/**
 * Weights kept outside the .onnx file (TensorProto.data_location = EXTERNAL, with external_data
 * entries "location", "offset", "length"). A browser cannot open files next to the model, so the
 * user picks the data files with the model and their bytes are copied into the model here: every
 * later step (evaluation, diagnosis, quantization, resume) then sees one self-contained model.
 */
import { clearField } from '@bufbuild/protobuf';
import { QuantLensError } from '../errors.ts';
import { missingExternalData } from './external-given.ts';
import { TensorProtoSchema, TensorProto_DataLocation, type AttributeProto, type GraphProto, type ModelProto, type TensorProto } from './gen/onnx_pb.ts';
import { DataType } from './dtypes.ts';
import { elementCount } from './tensor.ts';

/** One tensor whose bytes live in an external file. */
export interface ExternalTensor {
  tensor: string;
  /** The location as written in the model (relative to the model's folder). */
  location: string;
  offset: number;
  /** Bytes to read: the "length" entry, else computed from dims and element type; null when neither says. */
  length: number | null;
}

/** One external file the model needs, as the user will know it: its file name. */
export interface ExternalFile {
  /** The file name (last part of the location), which is what a picked file can be matched by. */
  fileName: string;
  location: string;
  tensors: number;
  /** Bytes of the file the model reads (sum of its tensors' lengths). */
  bytes: number;
}

/** Reads `length` bytes at `offset` of a picked data file. */
export type ExternalReader = (fileName: string, offset: number, length: number) => Promise<Uint8Array>;

const FIXED_SIZES: Partial<Record<number, number>> = {
  [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.BOOL]: 1,
  [DataType.UINT16]: 2, [DataType.INT16]: 2, [DataType.FLOAT16]: 2, [DataType.BFLOAT16]: 2,
  [DataType.INT32]: 4, [DataType.UINT32]: 4, [DataType.INT64]: 8, [DataType.UINT64]: 8,
  [DataType.COMPLEX64]: 8, [DataType.COMPLEX128]: 16,
};


/** Every tensor of the model stored externally: initializers, Constant values and subgraphs included. */
export function externalTensors(model: ModelProto): ExternalTensor[] {
  const found: ExternalTensor[] = [];
  for (const tensor of allTensors(model)) {
    if (isExternal(tensor)) found.push(describe(tensor));
  }
  return found;
}

/** The external files a model needs, grouped by file name, in the order the model first names them. */
export function externalFiles(tensors: readonly ExternalTensor[]): ExternalFile[] {
  const files = new Map<string, ExternalFile>();
  for (const t of tensors) {
    const fileName = fileNameOf(t.location);
    const file = files.get(fileName) ?? { fileName, location: t.location, tensors: 0, bytes: 0 };
    file.tensors++;
    file.bytes += t.length ?? 0;
    files.set(fileName, file);
  }
  return [...files.values()];
}

/** The file-name part of an external data location ('weights/model.data' → 'model.data'). */
export function fileNameOf(location: string): string {
  return location.split(/[\\/]/).filter(Boolean).at(-1) ?? location;
}


/**
 * Copies every external tensor's bytes into the model (raw_data) and marks it as stored in the
 * model again. `sizes` are the picked files' sizes, checked before reading so a short or wrong file
 * gives a sentence rather than garbage weights. Mutates and returns `model`.
 */
export async function inlineExternalData(model: ModelProto, sizes: ReadonlyMap<string, number>, read: ExternalReader): Promise<ModelProto> {
  const needed = externalFiles(externalTensors(model));
  const missing = missingExternalData(needed, [...sizes.keys()]);
  if (missing) throw missing;
  for (const tensor of allTensors(model)) {
    if (!isExternal(tensor)) continue;
    const { location, offset, length } = describe(tensor);
    const fileName = fileNameOf(location);
    const label = tensor.name === '' ? 'a tensor' : `tensor '${tensor.name}'`;
    if (length === null) {
      throw new QuantLensError('external-data-missing', `The model does not say how many bytes of '${fileName}' hold ${label}.`, 'Export the model again with onnx.save(..., save_as_external_data=True), which writes the lengths.');
    }
    const size = sizes.get(fileName) ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > size) {
      throw new QuantLensError(
        'external-data-missing',
        `'${fileName}' is too short for this model: ${label} needs bytes ${offset.toLocaleString('en')} to ${(offset + length).toLocaleString('en')}, and the file has ${size.toLocaleString('en')}.`,
        'Pick the data file written with this model (it may be truncated, or belong to another export).',
      );
    }
    tensor.rawData = await read(fileName, offset, length);
    tensor.externalData = [];
    clearField(tensor, TensorProtoSchema.field.dataLocation); // absent = DEFAULT: the bytes a model saved without external data has

  }
  return model;
}

function isExternal(tensor: TensorProto): boolean {
  return tensor.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

function describe(tensor: TensorProto): ExternalTensor {
  const entry = (key: string) => tensor.externalData.find((e) => e.key === key)?.value;
  const location = entry('location') ?? '';
  const offset = Number(entry('offset') ?? 0);
  const stated = entry('length');
  const size = FIXED_SIZES[tensor.dataType];
  const computed = size === undefined ? null : elementCount(tensor.dims) * size;
  const length = stated !== undefined && /^\d+$/.test(stated) ? Number(stated) : computed;
  return { tensor: tensor.name, location, offset: Number.isFinite(offset) ? offset : -1, length };
}

/** Every TensorProto a model holds: graphs (and their subgraphs), node attributes, sparse tensors, functions. */
function* allTensors(model: ModelProto): Generator<TensorProto> {
  if (model.graph) yield* graphTensors(model.graph, 0);
  for (const fn of model.functions) for (const node of fn.node) yield* attributeTensors(node.attribute, 0);
}

function* graphTensors(graph: GraphProto, depth: number): Generator<TensorProto> {
  if (depth > 100) return; // protobuf-es refuses deeper nesting anyway
  yield* graph.initializer;
  for (const sparse of graph.sparseInitializer) yield* sparseParts(sparse);
  for (const node of graph.node) yield* attributeTensors(node.attribute, depth);
}

function* attributeTensors(attributes: readonly AttributeProto[], depth: number): Generator<TensorProto> {
  for (const attribute of attributes) {
    if (attribute.t) yield attribute.t;
    yield* attribute.tensors;
    if (attribute.sparseTensor) yield* sparseParts(attribute.sparseTensor);
    for (const sparse of attribute.sparseTensors) yield* sparseParts(sparse);
    if (attribute.g) yield* graphTensors(attribute.g, depth + 1);
    for (const g of attribute.graphs) yield* graphTensors(g, depth + 1);
  }
}

function* sparseParts(sparse: { values?: TensorProto; indices?: TensorProto }): Generator<TensorProto> {
  if (sparse.values) yield sparse.values;
  if (sparse.indices) yield sparse.indices;
}
