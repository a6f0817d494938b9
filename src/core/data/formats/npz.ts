import { BlobWriter, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import type { TensorDType, TensorSample } from '../dataset.ts';
import { invalidFile, streamChunks } from './bytes.ts';
import { itemBytes, parseNpyHeader, readNpy, streamNpyRows, writeNpy, type NpyArray } from './npy.ts';
import { openZip, type ZipArchive } from './zip.ts';

/** Array names read as the inputs, first match wins (`x.npy` inside the zip, and so on). */
export const NPZ_INPUT_NAMES = ['x', 'inputs', 'X', 'images', 'data'];
/** Array names read as the labels, first match wins. */
export const NPZ_LABEL_NAMES = ['y', 'labels', 'Y', 'label', 'targets'];
const HINT = "Save it with np.savez('set.npz', x=inputs, y=labels): x is (N, ...) already preprocessed, y is (N,) integer class indices.";

/** An opened .npz of already-preprocessed inputs, with labels when it has them. */
export interface NpzDataset {
  inputName: string;
  labelName: string | null;
  count: number;
  dtype: TensorDType;
  /** Per-sample dimensions (the input array's shape without its first axis). */
  dims: number[];
  /** '0' .. the largest label (the label value is the class index); empty without labels. */
  classNames: string[];
  /** Streams the inputs one sample at a time, inflating as it goes. */
  samples(): AsyncGenerator<TensorSample, void>;
  close(): Promise<void>;
}

/**
 * Opens a .npz (stored or deflated) holding `x`/`inputs` (N, ...) and optionally `y`/`labels`
 * (N,) with integer class indices >= 0 (see NPZ_INPUT_NAMES / NPZ_LABEL_NAMES). With a single
 * array and no recognised name, that array is the inputs. The labels are read whole; the inputs
 * are streamed by samples().
 */
export async function openNpz(blob: Blob, fileName: string): Promise<NpzDataset> {
  const archive = await openZip(blob, fileName);
  try {
    const arrays = new Map(archive.files.filter((f) => f.path.endsWith('.npy')).map((f) => [f.path.slice(0, -4), f.path]));
    if (arrays.size === 0) throw invalidFile(fileName, 'the archive holds no .npy arrays: is it a .npz?', HINT);
    const inputName = NPZ_INPUT_NAMES.find((n) => arrays.has(n)) ?? (arrays.size === 1 ? [...arrays.keys()][0] : undefined);
    if (inputName === undefined) {
      throw invalidFile(fileName, `no inputs array: found ${[...arrays.keys()].join(', ')}; expected one of ${NPZ_INPUT_NAMES.join(', ')}.`, HINT);
    }
    const labelName = NPZ_LABEL_NAMES.find((n) => arrays.has(n)) ?? null;
    const inputPath = arrays.get(inputName) as string;
    const header = await readInputHeader(archive, inputPath, `${fileName}:${inputPath}`);
    const [count, ...dims] = header.dims;
    if (count === undefined) throw invalidFile(`${fileName}:${inputPath}`, 'a 0-dimensional (scalar) array cannot hold samples.', HINT);
    const declared = archive.files.find((f) => f.path === inputPath)?.size ?? 0;
    const needed = header.headerBytes + count * sampleBytes(header.dtype, dims);
    if (needed !== declared) {
      throw invalidFile(`${fileName}:${inputPath}`, `the header promises shape (${header.dims.join(', ')}) of ${header.dtype}, ${needed} bytes with the header, but the array is ${declared} bytes.`, 'The file is truncated or its header lies: export it again.');
    }
    const labels = labelName === null ? null : readLabels(await archive.read(arrays.get(labelName) as string), `${fileName}:${labelName}.npy`, count);
    const maxLabel = labels ? labels.reduce((a, b) => Math.max(a, b), -1) : -1;
    return {
      inputName,
      labelName,
      count,
      dtype: header.dtype,
      dims,
      classNames: Array.from({ length: maxLabel + 1 }, (_, i) => String(i)),
      async *samples() {
        let index = 0;
        for await (const data of streamNpyRows(streamChunks(archive.stream(inputPath)), `${fileName}:${inputPath}`)) {
          yield { kind: 'tensor', index, name: `${inputName}[${index}]`, label: labels ? labels[index] : null, dtype: header.dtype, dims, data };
          index++;
        }
      },
      close: () => archive.close(),
    };
  } catch (error) {
    await archive.close();
    throw error;
  }
}

// Reads just enough of the inputs entry to know its dtype and shape, then stops inflating.
async function readInputHeader(archive: ZipArchive, path: string, name: string) {
  let head = new Uint8Array(0);
  for await (const chunk of streamChunks(archive.stream(path))) {
    const joined = new Uint8Array(head.length + chunk.length);
    joined.set(head);
    joined.set(chunk, head.length);
    head = joined;
    const header = parseNpyHeader(head, name);
    if (header) return header;
  }
  throw invalidFile(name, `the array ends inside its header (${head.length} bytes).`, HINT);
}

function readLabels(bytes: Uint8Array, name: string, count: number): Int32Array {
  const array = readNpy(bytes, name);
  if (array.dims.length !== 1 || array.dims[0] !== count) {
    throw invalidFile(name, `labels have shape (${array.dims.join(', ')}), expected (${count},) to match the inputs.`, HINT);
  }
  if (array.dtype === 'float32' || array.dtype === 'float64') throw invalidFile(name, `labels are ${array.dtype}; class indices must be integers.`, "Save them with y.astype('int64').");
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const value = Number(array.data[i]);
    if (!Number.isSafeInteger(value) || value < 0 || value > 1 << 24) throw invalidFile(name, `label ${i} is ${value}; class indices are integers from 0.`, HINT);
    labels[i] = value;
  }
  return labels;
}

/** Reads every array of a small .npz whole (tests, exports): name (without .npy) → array. */
export async function readNpzArrays(blob: Blob, fileName: string): Promise<Record<string, NpyArray>> {
  const archive = await openZip(blob, fileName);
  try {
    const out: Record<string, NpyArray> = {};
    for (const file of archive.files.filter((f) => f.path.endsWith('.npy'))) {
      out[file.path.slice(0, -4)] = readNpy(await archive.read(file.path), `${fileName}:${file.path}`);
    }
    return out;
  } finally {
    await archive.close();
  }
}

/**
 * Writes arrays as a .npz that numpy.load reads: one stored (uncompressed) `<name>.npy` per
 * array, fixed timestamps so the same arrays give the same bytes.
 */
export async function writeNpz(arrays: Record<string, NpyArray>): Promise<Blob> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), { useWebWorkers: false, level: 0, lastModDate: new Date(Date.UTC(1980, 0, 1)), extendedTimestamp: false });
  for (const [name, array] of Object.entries(arrays)) {
    if (!/^[\w.-]+$/.test(name)) throw invalidFile(`${name}.npy`, 'array names may hold letters, digits, _ . and - only.', 'Rename the array.');
    await writer.add(`${name}.npy`, new Uint8ArrayReader(writeNpy(array)));
  }
  return writer.close();
}

/** Bytes one sample of these dims and dtype takes (for size estimates before importing). */
export function sampleBytes(dtype: TensorDType, dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1) * itemBytes(dtype);
}
