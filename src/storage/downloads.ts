/**
 * Remote files (a model, a dataset archive) fetched with progress into IndexedDB, part by part, so
 * that a dropped connection resumes where it stopped (HTTP Range, If-Range on the ETag) instead of
 * starting over, and a finished file is served from the cache next time.
 */
import { QuantLensError } from '../core/errors.ts';
import { database, storageErrorWithEstimate, type DownloadRecord } from './db.ts';

export interface DownloadProgress {
  received: number;
  total: number | null;
  /** Resumed after a dropped connection (or from an earlier visit) at this byte. */
  resumedAt?: number;
}

/** Bytes written to IndexedDB per part. */
const PART_BYTES = 1 << 20;
/** Times a dropped connection is resumed automatically before giving up (then Load resumes again). */
const RETRIES = 3;

const partRange = (url: string) => IDBKeyRange.bound([url, 0], [url, Infinity]);

export async function getDownload(url: string): Promise<DownloadRecord | undefined> {
  return (await database()).get('downloads', url);
}

export async function listDownloads(): Promise<DownloadRecord[]> {
  return (await database()).getAll('downloads');
}

export async function deleteDownload(url: string): Promise<void> {
  const tx = (await database()).transaction(['downloads', 'downloadParts'], 'readwrite');
  await Promise.all([tx.objectStore('downloads').delete(url), tx.objectStore('downloadParts').delete(partRange(url)), tx.done]);
}

function nameFrom(url: string, response: Response): string {
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  if (match) return decodeURIComponent(match[1]);
  const path = new URL(url, location.href).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || 'download';
}

/** The file at `url`: from the cache when complete, else fetched (resuming a partial download). */
export async function download(url: string, onProgress: (progress: DownloadProgress) => void = () => {}, signal?: AbortSignal): Promise<File> {
  const db = await database();
  let record = await db.get('downloads', url);
  for (let attempt = 0; !record?.complete; attempt++) {
    try {
      record = await fetchRest(url, record, onProgress, signal);
    } catch (error) {
      if (signal?.aborted || error instanceof QuantLensError || attempt >= RETRIES) throw droppedError(url, error, await db.get('downloads', url));
      record = await db.get('downloads', url);
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
    }
  }
  const parts = await db.getAll('downloadParts', partRange(url));
  return new File(parts.map((p) => p.bytes), record.name, { type: record.mime });
}

function droppedError(url: string, error: unknown, record: DownloadRecord | undefined): QuantLensError {
  if (error instanceof QuantLensError) return error;
  const got = record ? `${record.received}${record.size ? ` of ${record.size}` : ''} bytes are kept` : 'nothing was received';
  return new QuantLensError('storage-failed', `The download of ${url} stopped: ${error instanceof Error ? error.message : String(error)} (${got}).`, 'Check the connection and press Load again: it resumes where it stopped.', { cause: error });
}

/** One request for what is still missing; writes parts as they arrive. Throws when the connection drops. */
async function fetchRest(url: string, record: DownloadRecord | undefined, onProgress: (progress: DownloadProgress) => void, signal?: AbortSignal): Promise<DownloadRecord> {
  const db = await database();
  const resumeAt = record?.received ?? 0;
  const headers: Record<string, string> = {};
  if (resumeAt > 0) {
    headers.Range = `bytes=${resumeAt}-`;
    if (record?.validator) headers['If-Range'] = record.validator;
  }
  let response: Response;
  try {
    response = await fetch(url, { headers, signal, cache: 'no-store' });
  } catch (error) {
    if (resumeAt === 0) {
      throw new QuantLensError('dataset-invalid', `Could not fetch ${url}: ${error instanceof Error ? error.message : String(error)}.`, 'Check the address and your connection; the server must allow cross-origin requests (CORS) from this page.', { cause: error });
    }
    throw error;
  }
  let offset = resumeAt;
  if (response.status === 206) {
    const start = Number(/bytes (\d+)-/.exec(response.headers.get('Content-Range') ?? '')?.[1] ?? NaN);
    if (start !== resumeAt) throw new QuantLensError('dataset-invalid', `${url}: the server resumed at byte ${start}, not ${resumeAt}.`, 'Delete the partial download and load it again.');
  } else if (response.ok) {
    offset = 0; // the server ignored the range (or the file changed): start over (the record is rewritten below, with the parts gone)
  } else {
    throw new QuantLensError('dataset-invalid', `${url} answered HTTP ${response.status} ${response.statusText}.`, 'Check the address.');
  }
  const total = Number(/\/(\d+)$/.exec(response.headers.get('Content-Range') ?? '')?.[1] ?? NaN) || (Number(response.headers.get('Content-Length')) ? Number(response.headers.get('Content-Length')) + offset : null);
  let current: DownloadRecord = {
    url,
    name: record?.name && offset > 0 ? record.name : nameFrom(url, response),
    size: total,
    validator: response.headers.get('ETag') ?? response.headers.get('Last-Modified'),
    received: offset,
    complete: false,
    mime: response.headers.get('Content-Type') ?? 'application/octet-stream',
    createdAt: record?.createdAt ?? Date.now(),
  };
  // One transaction: a crash must not leave the old parts under a record that starts over (or the reverse).
  const start = db.transaction(['downloads', 'downloadParts'], 'readwrite');
  await Promise.all([...(offset === 0 ? [start.objectStore('downloadParts').delete(partRange(url))] : []), start.objectStore('downloads').put(current), start.done]);
  onProgress({ received: offset, total, ...(offset > 0 ? { resumedAt: offset } : {}) });
  const reader = response.body!.getReader();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const bytes = new Uint8Array(pendingBytes);
    let o = 0;
    for (const p of pending) {
      bytes.set(p, o);
      o += p.length;
    }
    // `current` moves on only once the part is stored: a failed write is retried (in `finally`) at the same offset.
    const next = { ...current, received: current.received + pendingBytes };
    try {
      const tx = db.transaction(['downloads', 'downloadParts'], 'readwrite');
      await Promise.all([tx.objectStore('downloadParts').put({ url, offset: current.received, bytes: bytes.buffer }), tx.objectStore('downloads').put(next), tx.done]);
      current = next;
    } catch (error) {
      throw await storageErrorWithEstimate(error, `keep the download of ${current.name}`, (total ?? 0) - offset, 'Nothing stored before was lost; what had arrived before this part is kept, and Load resumes from there once there is room.');
    }
    pending = [];
    pendingBytes = 0;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pending.push(value);
      pendingBytes += value.length;
      if (pendingBytes >= PART_BYTES) await flush();
      onProgress({ received: current.received + pendingBytes, total });
    }
  } finally {
    // Keep what arrived even when the connection dropped: the next request asks for the rest.
    await flush();
  }
  if (total !== null && current.received !== total) throw new Error(`the connection closed after ${current.received} of ${total} bytes`);
  current = { ...current, complete: true, size: current.received };
  await db.put('downloads', current);
  return current;
}
