/**
 * Reading and writing ONNX model bytes: a cheap magic check, then a full protobuf parse that
 * turns anything that is not a model into a QuantLensError the user can act on.
 */
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { QuantLensError } from '../errors.ts';
import { ModelProtoSchema, type ModelProto } from './gen/onnx_pb.ts';

const NOT_ONNX_HINT = 'Pick the .onnx file exported from your framework.';

// First byte of a ModelProto field tag (field number << 3 | wire type) for the fields a model starts with.
const MODEL_FIRST_TAGS = new Set([
  0x08, // 1 ir_version, varint
  0x12, // 2 producer_name
  0x1a, // 3 producer_version
  0x22, // 4 domain
  0x28, // 5 model_version, varint
  0x32, // 6 doc_string
  0x3a, // 7 graph
  0x42, // 8 opset_import
  0x72, // 14 metadata_props
]);
// Two-byte tags: 20 training_info, 25 functions.
const MODEL_FIRST_TAGS_2 = [[0xa2, 0x01], [0xca, 0x01]];

/** Cheap check that the bytes can start an ONNX ModelProto; true does not guarantee a full parse. */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  if (MODEL_FIRST_TAGS.has(bytes[0])) return true;
  return MODEL_FIRST_TAGS_2.some(([a, b]) => bytes[0] === a && bytes[1] === b);
}

/** Parses ONNX model bytes; throws QuantLensError('not-onnx') for anything that is not a model. */
export function parseModel(bytes: Uint8Array): ModelProto {
  if (!looksLikeOnnx(bytes)) {
    throw new QuantLensError('not-onnx', `This file is not an ONNX model (${describeNonOnnx(bytes)}).`, NOT_ONNX_HINT);
  }
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const why = knownKind(bytes) ?? `it could not be read as one and may be truncated or corrupted: ${detail}`;
    throw new QuantLensError('not-onnx', `This file is not an ONNX model (${why}).`, NOT_ONNX_HINT, { cause });
  }
  if (model.graph === undefined || model.opsetImport.length === 0) {
    const missing = model.graph === undefined ? 'graph' : 'opset imports';
    const why = knownKind(bytes) ?? `it has no ${missing} and may be truncated`;
    throw new QuantLensError('not-onnx', `This file is not an ONNX model (${why}).`, NOT_ONNX_HINT);
  }
  return model;
}

/** Serializes a model back to ONNX bytes (deterministic: the same model gives the same bytes). */
export function serializeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

const SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'it is a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'it is a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'it is a GIF image' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'it is a ZIP archive, such as a PyTorch .pt checkpoint' },
  { bytes: [0x1f, 0x8b], what: 'it is gzip-compressed' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'it is a PDF document' },
];

/** A short phrase saying what the bytes look like instead, for the error message. */
function describeNonOnnx(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'it is empty';
  return knownKind(bytes) ?? 'its first bytes are not those of an ONNX ModelProto';
}

/** A file kind recognised from its first bytes (image, archive, text), if any. */
function knownKind(bytes: Uint8Array): string | undefined {
  const signature = SIGNATURES.find((s) => s.bytes.every((b, i) => bytes[i] === b));
  if (signature) return signature.what;
  const head = bytes.subarray(0, 64);
  const printable = head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f));
  return printable ? 'it looks like a text file' : undefined;
}
