import type { TensorSample } from '../dataset.ts';
import type { RgbaImage } from '../../preprocess/spec.ts';
import { blobChunks, invalidFile, isGzipBlob, readAllBounded, streamChunks, streamRows, type RowLayout } from './bytes.ts';

/** IDX header: element type 0x08 (unsigned byte) and big-endian uint32 dimensions. */
export interface IdxHeader {
  /** 1 for a label file (0x00000801), 3 for an image file (0x00000803); other ranks are accepted too. */
  dims: number[];
  headerBytes: number;
}

const MAX_RANK = 8;
const HINT = 'Use the MNIST-style IDX files (e.g. t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte), gzipped or not.';

/**
 * Parses an IDX header from the first bytes of a file: null while more bytes are needed.
 * Only unsigned-byte data (type 0x08) is accepted; anything else fails with what it found.
 */
export function parseIdxHeader(head: Uint8Array, fileName: string): IdxHeader | null {
  if (head.length < 4) return null;
  if (head[0] !== 0 || head[1] !== 0) {
    throw invalidFile(fileName, `not an IDX file (magic ${hex(head.subarray(0, 4))}, expected 00 00 08 01 or 00 00 08 03).`, HINT);
  }
  if (head[2] !== 0x08) {
    throw invalidFile(fileName, `IDX element type 0x${head[2].toString(16).padStart(2, '0')} is not supported; only unsigned bytes (0x08) are.`, HINT);
  }
  const rank = head[3];
  if (rank < 1 || rank > MAX_RANK) throw invalidFile(fileName, `an IDX file with ${rank} dimensions is not supported (1 to ${MAX_RANK}).`, HINT);
  const headerBytes = 4 + 4 * rank;
  if (head.length < headerBytes) return null;
  const view = new DataView(head.buffer, head.byteOffset, headerBytes);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { dims, headerBytes };
}

function layoutOf(header: IdxHeader, fileName: string): RowLayout {
  const [count, ...rest] = header.dims;
  const rowBytes = rest.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(rowBytes * count)) throw invalidFile(fileName, `the header's dimensions (${header.dims.join(' x ')}) are impossibly large.`, HINT);
  return { headerBytes: header.headerBytes, rowBytes, rowCount: count };
}

/** Reads just the header of an IDX file (gzipped or not), without reading the rest. */
export async function readIdxHeader(blob: Blob, fileName: string): Promise<IdxHeader> {
  let head = new Uint8Array(0);
  for await (const chunk of streamChunks(await blobChunks(blob))) {
    const joined = new Uint8Array(head.length + chunk.length);
    joined.set(head);
    joined.set(chunk, head.length);
    head = joined;
    const header = parseIdxHeader(head, fileName);
    if (header) return header; // leaving the loop cancels the stream
    if (head.length > 4 + 4 * MAX_RANK) break;
  }
  throw invalidFile(fileName, `the file ends inside its header (${head.length} bytes).`, HINT);
}

/** Reads a 1-D IDX label file whole (labels are small: one byte each), gzipped or not. */
export async function readIdxLabels(blob: Blob, fileName: string, maxBytes = 64 << 20): Promise<Uint8Array> {
  const bytes = await readAllBounded(await blobChunks(blob), fileName, maxBytes, 'label file');
  const header = parseIdxHeader(bytes, fileName);
  if (!header) throw invalidFile(fileName, `the file ends inside its header (${bytes.length} bytes).`, HINT);
  if (header.dims.length !== 1) throw invalidFile(fileName, `a label file has 1 dimension; this one has ${header.dims.length} (${header.dims.join(' x ')}): is it an image file?`, HINT);
  const count = header.dims[0];
  if (bytes.length - header.headerBytes !== count) {
    throw invalidFile(fileName, `the header promises ${count} labels but the file holds ${bytes.length - header.headerBytes}.`, 'The file is truncated or its header lies: download it again.');
  }
  return bytes.slice(header.headerBytes);
}

/** An IDX image set with its labels, ready to stream. */
export interface IdxDataset {
  count: number;
  /** Per-sample dimensions, e.g. [28, 28]. */
  dims: number[];
  /** '0' .. the largest label; the label value is the class index. Empty without labels. */
  classNames: string[];
  /** Streams uint8 tensor samples named `<file>#<i>`, one row at a time. */
  samples(): AsyncGenerator<TensorSample, void>;
}

/**
 * Opens an MNIST-style pair: images (rank >= 2, e.g. N x 28 x 28) and, optionally, labels
 * (rank 1, N). Counts must agree. Nothing but the headers and the labels is read until
 * `samples()` streams the pixels.
 */
export async function openIdxDataset(images: { blob: Blob; name: string }, labels?: { blob: Blob; name: string }): Promise<IdxDataset> {
  const header = await readIdxHeader(images.blob, images.name);
  if (header.dims.length < 2) throw invalidFile(images.name, `an image file has 2 or more dimensions; this one has 1 (${header.dims[0]}): is it a label file?`, HINT);
  const layout = layoutOf(header, images.name);
  const expectedBytes = layout.headerBytes + layout.rowCount * layout.rowBytes;
  if (!(await isGzipBlob(images.blob)) && images.blob.size !== expectedBytes) {
    // Plain files can be checked now; gzipped ones are checked as they stream.
    throw invalidFile(images.name, `the header promises ${header.dims.join(' x ')} bytes of pixels (${expectedBytes} bytes with the header) but the file has ${images.blob.size}.`, 'The file is truncated or its header lies: download it again.');
  }
  const labelValues = labels ? await readIdxLabels(labels.blob, labels.name) : null;
  if (labels && labelValues && labelValues.length !== layout.rowCount) {
    throw invalidFile(labels.name, `holds ${labelValues.length} labels but ${images.name} holds ${layout.rowCount} images.`, 'Pick the label file that belongs to this image file.');
  }
  const maxLabel = labelValues ? labelValues.reduce((a, b) => Math.max(a, b), 0) : -1;
  const dims = header.dims.slice(1);
  const baseName = images.name.replace(/^.*[\\/]/, '');
  return {
    count: layout.rowCount,
    dims,
    classNames: Array.from({ length: maxLabel + 1 }, (_, i) => String(i)),
    async *samples() {
      const rows = streamRows(streamChunks(await blobChunks(images.blob)), (head) => {
        const parsed = parseIdxHeader(head, images.name);
        return parsed && layoutOf(parsed, images.name);
      }, images.name);
      let index = 0;
      for await (const row of rows) {
        yield { kind: 'tensor', index, name: `${baseName}#${index}`, label: labelValues ? labelValues[index] : null, dtype: 'uint8', dims, data: row };
        index++;
      }
    },
  };
}

/**
 * Shows a uint8 tensor sample as an image: [h, w] grayscale, or [h, w, c] with 1, 3 or 4
 * channels. Returns null for any other shape or type.
 */
export function tensorToRgba(sample: Pick<TensorSample, 'dtype' | 'dims' | 'data'>): RgbaImage | null {
  if (sample.dtype !== 'uint8' || !(sample.data instanceof Uint8Array)) return null;
  const [height, width, channels = 1] = sample.dims;
  if (sample.dims.length < 2 || sample.dims.length > 3 || ![1, 3, 4].includes(channels)) return null;
  if (sample.data.length !== width * height * channels) return null;
  const source = sample.data;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    out[p * 4] = source[s];
    out[p * 4 + 1] = channels === 1 ? source[s] : source[s + 1];
    out[p * 4 + 2] = channels === 1 ? source[s] : source[s + 2];
    out[p * 4 + 3] = channels === 4 ? source[s + 3] : 255;
  }
  return { width, height, data: out };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
