import type { TensorData, TensorDType } from '../dataset.ts';
import { invalidFile, streamRows } from './bytes.ts';

/** An n-dimensional array as .npy stores it: row-major (C order), little-endian. */
export interface NpyArray {
  dtype: TensorDType;
  dims: number[];
  data: TensorData;
}

/** A parsed .npy header: where the data starts and what it holds. */
export interface NpyHeader {
  version: 1 | 2 | 3;
  dtype: TensorDType;
  dims: number[];
  headerBytes: number;
}

/** The .npy `descr` strings read and written, and the dtype each one becomes. */
export const NPY_DTYPES: Record<string, TensorDType> = {
  '<f4': 'float32', '<f8': 'float64', '|u1': 'uint8', '<u1': 'uint8', '|i1': 'int8', '<i1': 'int8', '<i4': 'int32', '<i8': 'int64',
};
const DESCR_OF: Record<TensorDType, string> = { float32: '<f4', float64: '<f8', uint8: '|u1', int8: '|i1', int32: '<i4', int64: '<i8' };
const ITEM_BYTES: Record<TensorDType, number> = { float32: 4, float64: 8, uint8: 1, int8: 1, int32: 4, int64: 8 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const HINT = "Save it with numpy (np.save / np.savez) as float32, float64, uint8, int8, int32 or int64, e.g. np.ascontiguousarray(x, dtype='<f4').";

/** Bytes per element of a dtype. */
export function itemBytes(dtype: TensorDType): number {
  return ITEM_BYTES[dtype];
}

/**
 * Parses a .npy header (format versions 1, 2 and 3): null while more bytes are needed. Fails on
 * a wrong magic, an unsupported dtype (big-endian, structured, ...) and Fortran order, saying which.
 */
export function parseNpyHeader(head: Uint8Array, fileName: string): NpyHeader | null {
  const prefix = Math.min(head.length, MAGIC.length);
  for (let i = 0; i < prefix; i++) {
    if (head[i] !== MAGIC[i]) throw invalidFile(fileName, 'not a .npy array (it does not start with \\x93NUMPY).', HINT);
  }
  if (head.length < 8) return null;
  const major = head[6];
  if (major !== 1 && major !== 2 && major !== 3) throw invalidFile(fileName, `.npy format version ${major}.${head[7]} is not supported (1, 2 and 3 are).`, HINT);
  const lengthBytes = major === 1 ? 2 : 4;
  if (head.length < 8 + lengthBytes) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  const dictLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerBytes = 8 + lengthBytes + dictLength;
  if (dictLength > 1 << 20) throw invalidFile(fileName, `the header claims to be ${dictLength} bytes long.`, HINT);
  if (head.length < headerBytes) return null;
  const dictBytes = head.subarray(8 + lengthBytes, headerBytes);
  const dict = major === 3 ? new TextDecoder().decode(dictBytes) : String.fromCharCode(...dictBytes);
  return { version: major, ...parseHeaderDict(dict, fileName), headerBytes };
}

function parseHeaderDict(dict: string, fileName: string): { dtype: TensorDType; dims: number[] } {
  const descr = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(dict);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(dict);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(dict);
  if (!descr || !fortran || !shape) {
    const structured = /['"]descr['"]\s*:\s*\[/.test(dict);
    throw invalidFile(fileName, structured ? 'structured (record) arrays are not supported.' : `the header is not a numpy header dict (${JSON.stringify(dict.slice(0, 80))}).`, HINT);
  }
  const dtype = NPY_DTYPES[descr[2]];
  if (!dtype) {
    const why = descr[2].startsWith('>') ? 'big-endian data is not supported' : `dtype '${descr[2]}' is not supported`;
    throw invalidFile(fileName, `${why}.`, HINT);
  }
  if (fortran[1] === 'True') throw invalidFile(fileName, 'the array is stored in Fortran (column-major) order, which is not supported.', 'Save np.ascontiguousarray(x) instead of x.');
  const parts = shape[1].split(',').map((p) => p.trim()).filter((p) => p !== '');
  const dims = parts.map((p) => (/^\d+L?$/.test(p) ? Number.parseInt(p, 10) : NaN));
  if (dims.some((d) => !Number.isSafeInteger(d))) throw invalidFile(fileName, `the shape (${shape[1]}) is not a tuple of sizes.`, HINT);
  return { dtype, dims };
}

/** Reads a whole .npy held in memory; the data length must match the header exactly. */
export function readNpy(bytes: Uint8Array, fileName: string): NpyArray {
  const header = parseNpyHeader(bytes, fileName);
  if (!header) throw invalidFile(fileName, `the file ends inside its header (${bytes.length} bytes).`, 'The file is truncated: export it again.');
  const available = bytes.length - header.headerBytes;
  const expected = elementCount(header.dims, available) * ITEM_BYTES[header.dtype];
  if (available !== expected) {
    throw invalidFile(fileName, `the header promises shape (${header.dims.join(', ')}) of ${header.dtype}, ${describeBytes(header)} but ${available} bytes follow it.`, 'The file is truncated or its header lies: export it again.');
  }
  return { dtype: header.dtype, dims: header.dims, data: typedArray(header.dtype, bytes.slice(header.headerBytes).buffer) };
}

/**
 * Streams a .npy array along its first axis: each row is one typed array of the remaining dims.
 * Rows come from bytes that arrived, so a lying shape never makes it allocate.
 */
export async function* streamNpyRows(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, fileName: string): AsyncGenerator<TensorData, NpyHeader> {
  const seen: { header: NpyHeader | null } = { header: null };
  const rows = streamRows(chunks, (head) => {
    const header = parseNpyHeader(head, fileName);
    if (!header) return null;
    seen.header = header;
    if (header.dims.length === 0) throw invalidFile(fileName, 'a 0-dimensional (scalar) array cannot hold samples.', 'Save the inputs stacked along a first axis: shape (N, ...).');
    const [count, ...rest] = header.dims;
    const rowValues = elementCount(rest, 1 << 28);
    if (rowValues < 0) throw invalidFile(fileName, `one sample of shape (${rest.join(', ')}) is impossibly large.`, HINT);
    return { headerBytes: header.headerBytes, rowBytes: rowValues * ITEM_BYTES[header.dtype], rowCount: count };
  }, fileName);
  for await (const row of rows) yield typedArray((seen.header as NpyHeader).dtype, row.buffer as ArrayBuffer);
  if (!seen.header) throw invalidFile(fileName, 'the file ends inside its header.', 'The file is truncated: export it again.');
  return seen.header;
}

/** Writes a version-1 .npy (little-endian, C order), header padded to 64 bytes as numpy does. */
export function writeNpy(array: NpyArray): Uint8Array {
  const count = array.dims.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw invalidFile('array', `shape (${array.dims.join(', ')}) holds ${count} values but the data has ${array.data.length}.`, 'Pass dims that match the data.');
  const shape = array.dims.length === 1 ? `(${array.dims[0]},)` : `(${array.dims.join(', ')})`;
  let dict = `{'descr': '${DESCR_OF[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  dict += ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
  const out = new Uint8Array(10 + dict.length + array.data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  new DataView(out.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), 10 + dict.length);
  return out;
}

/** A typed array of `dtype` over `buffer` (whose length must be a multiple of the item size). */
export function typedArray(dtype: TensorDType, buffer: ArrayBuffer): TensorData {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer);
    case 'float64': return new Float64Array(buffer);
    case 'uint8': return new Uint8Array(buffer);
    case 'int8': return new Int8Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'int64': return new BigInt64Array(buffer);
  }
}

// Element count, or -1 when it passes `limit` (a lying shape): the caller's length check then fails.
function elementCount(dims: readonly number[], limit: number): number {
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (count > limit) return -1;
  }
  return count;
}

function describeBytes(header: NpyHeader): string {
  const count = elementCount(header.dims, Number.MAX_SAFE_INTEGER);
  return count < 0 ? 'an impossibly large array,' : `${count * ITEM_BYTES[header.dtype]} bytes,`;
}
