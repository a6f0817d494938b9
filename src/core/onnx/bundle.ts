/**
 * A picked model and the data files picked with it, made into one self-contained model: the
 * external weights copied in (see external.ts), so every later step needs the one file only.
 */
import { QuantLensError } from '../errors.ts';
import { inlineExternalData } from './external.ts';
import { modelInfoOf, type ModelInfo } from './info.ts';
import { parseModel, serializeModel } from './model.ts';

/** A file picked next to the model (a File in the browser, a file on disk in Node). */
export interface DataFile {
  name: string;
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface BundledModel {
  /** The facts of the self-contained model. */
  info: ModelInfo;
  /** The self-contained model's bytes; null when the model had no external data (use the file as it is). */
  bytes: Uint8Array | null;
  /** The data files whose bytes were copied in, by name. */
  dataFiles: string[];
}

/** Protobuf cannot hold a message of 2 GiB or more (ONNX's reason for external data). */
const PROTOBUF_LIMIT = 2 ** 31 - 1;

/** Reads the model; with external data, copies the given files' bytes into it (missing files: an error naming them). */
export async function bundleModel(modelBytes: Uint8Array, dataFiles: readonly DataFile[]): Promise<BundledModel> {
  const model = parseModel(modelBytes);
  const before = modelInfoOf(model);
  if (before.externalData.length === 0) return { info: before, bytes: null, dataFiles: [] };
  const total = modelBytes.length + before.externalData.reduce((n, f) => n + f.bytes, 0);
  if (total > PROTOBUF_LIMIT) {
    throw new QuantLensError('model-too-large', `This model is ${(total / 1024 ** 3).toFixed(1)} GB with its data files, too large to load in a browser (one model may be at most 2 GB, and onnxruntime-web needs twice that).`, 'Use a smaller model, or evaluate this pair with the command line (quantlens eval --engine onnxruntime-node).');
  }
  const byName = new Map(dataFiles.map((f) => [f.name, f]));
  await inlineExternalData(model, new Map(dataFiles.map((f) => [f.name, f.size])), (name, offset, length) => byName.get(name)!.read(offset, length));
  return { info: modelInfoOf(model), bytes: serializeModel(model), dataFiles: before.externalData.map((f) => f.fileName) };
}
