import { BlobReader, Uint8ArrayWriter, ZipReader, type Entry, type FileEntry } from '@zip.js/zip.js';
import { QuantLensError } from '../../errors.ts';
import type { EncodedSample } from '../dataset.ts';
import { sniffImageType } from '../decode.ts';
import { planFolderImport, type FolderEntry, type FolderPlan } from '../folder.ts';
import { DEFAULT_MAX_BYTES, invalidFile } from './bytes.ts';

/** One file inside a zip, as listed from its central directory (nothing is inflated yet). */
export interface ZipFileInfo extends FolderEntry {
  compressedSize: number;
  encrypted: boolean;
}

/**
 * An opened zip: its file list, and a reader that inflates one entry at a time on demand.
 * Only the central directory is read when it opens; a Blob (browser File, Node Blob) is read by range.
 */
export interface ZipArchive {
  fileName: string;
  files: ZipFileInfo[];
  /** Inflates one entry; fails on a damaged entry or one larger than `maxBytes`. */
  read(path: string, maxBytes?: number): Promise<Uint8Array>;
  /** Streams one entry as it inflates (a damaged entry errors the stream, at the latest at its end). */
  stream(path: string, maxBytes?: number): ReadableStream<Uint8Array>;
  close(): Promise<void>;
}

// Tools add these; they are never data.
const JUNK = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)/i;

/** Opens a zip held in a Blob and lists its files (directories and OS junk left out). */
export async function openZip(blob: Blob, fileName = 'archive.zip'): Promise<ZipArchive> {
  // No workers: the core runs inside a worker already, and in Node; zip.js then inflates in-thread.
  const reader = new ZipReader(new BlobReader(blob), { useWebWorkers: false });
  let entries: Entry[];
  try {
    entries = await reader.getEntries();
  } catch (error) {
    throw invalidFile(fileName, `this is not a readable zip file (${describe(error)}).`, 'Check that the file is a complete .zip (re-download or re-create it).', error);
  }
  const byPath = new Map<string, FileEntry>();
  const files: ZipFileInfo[] = [];
  for (const entry of entries) {
    if (entry.directory || JUNK.test(entry.filename)) continue;
    const path = entry.filename.replace(/\\/g, '/').replace(/^\/+/, '');
    if (byPath.has(path)) continue; // a zip may repeat a name; the first one wins, as unzip does
    byPath.set(path, entry);
    files.push({ path, size: entry.uncompressedSize, compressedSize: entry.compressedSize, encrypted: entry.encrypted });
  }
  const readableEntry = (path: string, maxBytes: number): FileEntry => {
    const entry = byPath.get(path);
    if (!entry) throw invalidFile(fileName, `'${path}' is not in the zip.`, 'Check the path (it is case-sensitive).');
    if (entry.encrypted) throw invalidFile(fileName, `'${path}' is encrypted.`, 'Re-create the zip without a password.');
    if (entry.uncompressedSize > maxBytes) {
      throw invalidFile(fileName, `'${path}' unpacks to ${entry.uncompressedSize} bytes, more than the ${maxBytes} allowed.`, 'Split the archive, or raise the size limit if it really is this large.');
    }
    return entry;
  };
  const damaged = (path: string, error: unknown) => invalidFile(fileName, `'${path}' could not be unpacked (${describe(error)}).`, 'The zip is damaged: re-create it.', error);
  return {
    fileName,
    files,
    async read(path, maxBytes = DEFAULT_MAX_BYTES) {
      const entry = readableEntry(path, maxBytes);
      try {
        // zip.js checks the inflated length against the declared size, and the CRC-32.
        return await entry.getData(new Uint8ArrayWriter(), { useWebWorkers: false, checkSignature: true });
      } catch (error) {
        throw damaged(path, error);
      }
    },
    stream(path, maxBytes = DEFAULT_MAX_BYTES) {
      return entryStream(readableEntry(path, maxBytes), (error) => damaged(path, error));
    },
    close: () => reader.close(),
  };
}

/**
 * Plans a labelled-folder import from a zip: `root/<class>/<img>` (one top folder), or
 * `<class>/<img>` at the zip's top level (the zip's own name then stands for the root folder).
 * The result is exactly planFolderImport's plan; encrypted entries are skipped with a reason.
 */
export function planZipImport(archive: Pick<ZipArchive, 'fileName' | 'files'>): FolderPlan {
  const usable = archive.files.filter((f) => !f.encrypted);
  const nested = usable.filter((f) => f.path.includes('/'));
  const tops = new Set(nested.map((f) => f.path.split('/')[0]));
  const singleRoot = tops.size === 1 && nested.some((f) => f.path.split('/').length >= 3);
  const zipName = archive.fileName.replace(/^.*[\\/]/, '').replace(/\.zip$/i, '') || 'archive';
  const rootName = singleRoot ? [...tops][0] : zipName;
  const archivePathOf = new Map<string, string>();
  const entries = usable.map((f) => {
    const path = singleRoot && f.path.startsWith(`${rootName}/`) ? f.path : `${rootName}/${f.path}`;
    archivePathOf.set(path, f.path);
    return { path, size: f.size };
  });
  if (entries.length === 0) {
    throw new QuantLensError('dataset-empty', `${archive.fileName}: the zip holds no readable files.`, 'Zip a folder with one subfolder per class, each holding images (e.g. digits/7/img001.png).');
  }
  const plan = planFolderImport(entries);
  const encrypted = archive.files.filter((f) => f.encrypted).map((f) => ({ name: f.path, reason: 'encrypted (password-protected) entry' }));
  // Each planned entry keeps the path inside the archive, so the reader can find it again.
  const planned = plan.entries.map((item) => ({ ...item, entry: { ...item.entry, path: archivePathOf.get(item.entry.path) ?? item.entry.path } }));
  return { ...plan, entries: planned, skipped: [...plan.skipped, ...encrypted] };
}

/**
 * Streams a planned zip import as samples, inflating one entry at a time. A file whose content
 * is not an image the browser decodes is reported through `onSkip` and left out; indices stay dense.
 */
export async function* readZipSamples(archive: ZipArchive, plan: FolderPlan, onSkip: (skipped: { name: string; reason: string }) => void = () => {}): AsyncGenerator<EncodedSample> {
  let index = 0;
  for (const item of plan.entries) {
    const bytes = await archive.read(item.entry.path);
    const mime = sniffImageType(bytes);
    if (!mime) {
      onSkip({ name: item.name, reason: 'content is not a PNG, JPEG, WebP, GIF or BMP image' });
      continue;
    }
    yield { index: index++, name: item.name, label: item.label, mime, bytes: exactBuffer(bytes) };
  }
}

/** The ArrayBuffer holding exactly these bytes (copying only when the view is a slice). */
export function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
}

/** Pipes an entry into a ReadableStream with backpressure; any failure errors the stream. */
function entryStream(entry: FileEntry, wrap: (error: unknown) => Error): ReadableStream<Uint8Array> {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let finished = false;
  let wake: (() => void) | null = null;
  const fail = (error: unknown) => {
    if (finished) return;
    finished = true;
    controller.error(wrap(error));
  };
  const readable = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    pull: () => wake?.(),
    cancel: () => {
      finished = true;
      wake?.();
    },
  }, { highWaterMark: 4 });
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (finished) throw new Error('reading stopped');
      controller.enqueue(chunk);
      while (!finished && (controller.desiredSize ?? 1) <= 0) await new Promise<void>((resolve) => (wake = resolve));
    },
    close() {
      if (finished) return;
      finished = true;
      controller.close();
    },
    abort: fail,
  });
  entry.getData(writable, { useWebWorkers: false, checkSignature: true }).catch(fail);
  return readable;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
