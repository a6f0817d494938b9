import { QuantLensError } from '../../errors.ts';

/** Upper bound on what one decompressed file may grow to unless a caller says otherwise (1 GiB). */
export const DEFAULT_MAX_BYTES = 1 << 30;

/** A `dataset-invalid` error naming the file and what is wrong with it. */
export function invalidFile(fileName: string, problem: string, hint: string, cause?: unknown): QuantLensError {
  return new QuantLensError('dataset-invalid', `${fileName}: ${problem}`, hint, cause === undefined ? undefined : { cause });
}

/** True when the bytes start with the gzip magic (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a byte stream to the end into one array, failing once it passes `maxBytes`. */
export async function readAllBounded(stream: ReadableStream<Uint8Array>, fileName: string, maxBytes: number, what: string): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw invalidFile(fileName, `the ${what} unpacks to more than ${maxBytes} bytes.`, 'Split the file, or raise the size limit if it really is this large.');
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof QuantLensError) throw error;
    throw invalidFile(fileName, `the ${what} is damaged or truncated (${error instanceof Error ? error.message : String(error)}).`, 'Download or export the file again.', error);
  }
  return concatBytes(chunks, total);
}

/** Joins chunks into one array of `total` bytes. */
export function concatBytes(chunks: readonly Uint8Array[], total = chunks.reduce((n, c) => n + c.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Decodes UTF-8 text strictly (a stray byte is an error, not a silent U+FFFD), dropping a BOM. */
export function decodeUtf8(bytes: Uint8Array | string, fileName: string): string {
  if (typeof bytes === 'string') return bytes.replace(/^\uFEFF/, '');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw invalidFile(fileName, 'the file is not UTF-8 text.', 'Save it as UTF-8 (CSV/JSON/text) and import it again.', error);
  }
}

/** Reads a stream chunk by chunk (ReadableStream's own async iterator is not in every lib). */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopped early (the consumer broke out): release the source.
    await reader.cancel().catch(() => undefined);
  }
}

/** True when a Blob starts with the gzip magic (1f 8b). */
export async function isGzipBlob(blob: Blob): Promise<boolean> {
  return isGzip(new Uint8Array(await blob.slice(0, 2).arrayBuffer()));
}

/** The bytes of a Blob, gunzipped on the fly (DecompressionStream) when it is gzip. */
export async function blobChunks(blob: Blob): Promise<ReadableStream<Uint8Array>> {
  return (await isGzipBlob(blob)) ? blob.stream().pipeThrough(new DecompressionStream('gzip')) : blob.stream();
}

/** Where a fixed-row file's rows start, how long each is and how many the header promises. */
export interface RowLayout {
  headerBytes: number;
  rowBytes: number;
  rowCount: number;
}

/**
 * Cuts a byte stream into its header and fixed-size rows. `parseHeader` sees the bytes so far and
 * returns null while it needs more (throwing when they are wrong). Rows are built from bytes that
 * actually arrived, so a lying header cannot make this allocate; a short or over-long file fails
 * with the counts. Each yielded row owns its buffer.
 */
export async function* streamRows(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, parseHeader: (head: Uint8Array) => RowLayout | null, fileName: string, maxHeaderBytes = 1 << 20): AsyncGenerator<Uint8Array, RowLayout> {
  let layout: RowLayout | null = null;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let rows = 0;
  try {
    for await (const chunk of chunks) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (!layout) {
        const head = concatBytes(pending, pendingBytes);
        layout = parseHeader(head);
        if (!layout) {
          if (pendingBytes > maxHeaderBytes) throw invalidFile(fileName, `the header is longer than ${maxHeaderBytes} bytes.`, 'This is not a file of the expected kind.');
          pending = [head];
          continue;
        }
        pending = [head.subarray(layout.headerBytes)];
        pendingBytes = head.length - layout.headerBytes;
      }
      if (layout.rowBytes <= 0) {
        if (layout.rowCount > 0) throw invalidFile(fileName, 'each row of the array holds no values.', 'Export an array whose dimensions are all above zero.');
        continue;
      }
      if (pendingBytes < layout.rowBytes) continue;
      // Join once, then cut every complete row out of it: each byte is copied about twice.
      const joined = concatBytes(pending, pendingBytes);
      let offset = 0;
      while (joined.length - offset >= layout.rowBytes) {
        if (rows === layout.rowCount) throw invalidFile(fileName, `the file is longer than its header says (${layout.rowCount} rows of ${layout.rowBytes} bytes).`, 'The header and the data disagree: re-export the file.');
        rows++;
        offset += layout.rowBytes;
        yield joined.slice(offset - layout.rowBytes, offset);
      }
      pending = [joined.subarray(offset)];
      pendingBytes = joined.length - offset;
    }
  } catch (error) {
    if (error instanceof QuantLensError) throw error;
    throw invalidFile(fileName, `the file could not be read (${error instanceof Error ? error.message : String(error)}).`, 'The file is damaged or truncated: download or export it again.', error);
  }
  if (!layout) throw invalidFile(fileName, `the file ends inside its header (${pendingBytes} bytes).`, 'The file is truncated: download or export it again.');
  if (rows < layout.rowCount || pendingBytes > 0) {
    const problem = rows < layout.rowCount ? `the header promises ${layout.rowCount} rows of ${layout.rowBytes} bytes but the file holds ${rows} (and ${pendingBytes} bytes more)` : `${pendingBytes} bytes follow the last of the ${layout.rowCount} rows`;
    throw invalidFile(fileName, `${problem}.`, 'The file is truncated or its header lies: download or export it again.');
  }
  return layout;
}
