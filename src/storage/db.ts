/**
 * The one module that imports idb. Datasets persist across reloads: a summary row per dataset,
 * the samples in their own store (written in bounded transactions), a catalog per dataset (sample
 * hashes, labels and the stored split), cached preprocessed tensors, downloads, and the run history.
 * Other files in src/storage use the typed handle `database()` without importing idb themselves.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { QuantLensError } from '../core/errors.ts';
import type { DatasetSample, DatasetSummary, SampleTarget } from '../core/data/dataset.ts';
import { datasetFingerprint } from '../core/data/fingerprint.ts';
import type { DuplicateGroup } from '../core/data/split.ts';
import type { ResultDocument } from '../core/report/document.ts';
import type { TensorChunkRecord, TensorSetRecord } from './tensor-records.ts';
import type { CheckpointRecord, InterruptedRunRecord } from './checkpoints.ts';
import { heldWriteLocks, releaseWriteLock, withWriteLock, writeLockName, writtenElsewhere } from './locks.ts';
import { bytesToFree, estimateStoredBytes, megabytes, readableBytes, spaceAdvice, type Deletable } from './space.ts';

/**
 * Bump when a store's shape changes, and migrate in `upgrade`.
 * 1: datasets, samples. 2: + runs (summary rows) and runDocuments (the full result documents).
 * 3: + catalogs (per-dataset hashes, labels, split), tensorSets + tensorChunks (preprocessed tensor
 *    cache), downloads + downloadParts (resumable remote files). v2 rows are kept as they are; a
 *    dataset without hashes gets them computed after start-up (`datasetsWithoutFingerprint`).
 * 4: + interruptedRuns (a running evaluation's config and model files, written once) and
 *    runCheckpoints (its latest checkpoint, rewritten as it goes): see checkpoints.ts.
 */
export const SCHEMA_VERSION = 4;
export const DB_NAME = 'quantlens';

/** A sample as stored: any sample kind, its dataset, and ground truth beyond the label. */
export type StoredSample = DatasetSample & { datasetId: string; target?: SampleTarget };

/** A sample as read back (without its dataset id). */
export type SampleRow = DatasetSample & { target?: SampleTarget };

/** Per-dataset facts that need every sample to compute, kept out of the (listed) summary row. */
export interface DatasetCatalog {
  datasetId: string;
  /** 32 bytes of SHA-256 per sample, in index order. */
  hashes: Uint8Array;
  /** Label per sample in index order, -1 when unlabelled. */
  labels: Int32Array;
  split?: StoredSplit;
}

export interface StoredSplit {
  seed: number;
  fraction: number;
  /** Sample indices, ascending. */
  test: Int32Array;
  calibration: Int32Array;
  duplicates: DuplicateGroup[];
}

/** What the history lists, without reading whole documents. */
export interface RunSummary {
  id: string;
  createdAt: string;
  status: ResultDocument['status'];
  floatModel: string;
  quantizedModel: string;
  dataset: string;
  sampleCount: number;
  /** The result's first metric (the one the verdict judges). */
  primary: { name: string; unit: 'proportion' | 'number'; float: number; quantized: number; absolutePoints: number };
  providers: { float: string; quantized: string };
}

/** A remote file as far as it was fetched (its bytes are in downloadParts). */
export interface DownloadRecord {
  url: string;
  name: string;
  /** Total size when the server said it, else null. */
  size: number | null;
  /** ETag or Last-Modified: a resumed request asks for the same version (If-Range). */
  validator: string | null;
  received: number;
  complete: boolean;
  mime: string;
  createdAt: number;
}

export interface DownloadPart {
  url: string;
  offset: number;
  bytes: ArrayBuffer;
}

type DatasetRow = DatasetSummary & { schemaVersion: number; complete: boolean };

export interface QuantLensSchema extends DBSchema {
  datasets: { key: string; value: DatasetRow };
  samples: { key: [string, number]; value: StoredSample; indexes: { byDataset: string } };
  runs: { key: string; value: RunSummary };
  runDocuments: { key: string; value: ResultDocument };
  catalogs: { key: string; value: DatasetCatalog };
  tensorSets: { key: string; value: TensorSetRecord; indexes: { byDataset: string } };
  tensorChunks: { key: [string, number]; value: TensorChunkRecord };
  downloads: { key: string; value: DownloadRecord };
  downloadParts: { key: [string, number]; value: DownloadPart };
  interruptedRuns: { key: string; value: InterruptedRunRecord };
  runCheckpoints: { key: string; value: CheckpointRecord };
}

export type QuantLensDB = IDBPDatabase<QuantLensSchema>;

let opening: Promise<QuantLensDB> | null = null;

/** The open database (opened once per page or worker). */
export function database(): Promise<QuantLensDB> {
  opening ??= openDB<QuantLensSchema>(DB_NAME, SCHEMA_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('datasets', { keyPath: 'id' });
        const samples = db.createObjectStore('samples', { keyPath: ['datasetId', 'index'] });
        samples.createIndex('byDataset', 'datasetId');
      }
      if (oldVersion < 2) {
        db.createObjectStore('runs', { keyPath: 'id' });
        db.createObjectStore('runDocuments', { keyPath: 'id' });
      }
      if (oldVersion < 3) {
        db.createObjectStore('catalogs', { keyPath: 'datasetId' });
        db.createObjectStore('tensorSets', { keyPath: 'id' }).createIndex('byDataset', 'datasetId');
        db.createObjectStore('tensorChunks', { keyPath: ['setId', 'chunk'] });
        db.createObjectStore('downloads', { keyPath: 'url' });
        db.createObjectStore('downloadParts', { keyPath: ['url', 'offset'] });
      }
      if (oldVersion < 4) {
        db.createObjectStore('interruptedRuns', { keyPath: 'id' });
        db.createObjectStore('runCheckpoints', { keyPath: 'runId' });
      }
    },
    // Another tab (or worker) holds an older version open: close ours so its upgrade is not blocked forever.
    blocking() {
      void opening?.then((db) => db.close());
      opening = null;
    },
  }).catch((error: unknown) => {
    opening = null;
    throw storageError(error, 'open the local database');
  });
  return opening;
}

/** Datasets whose import finished, newest first. */
export async function listDatasets(): Promise<DatasetSummary[]> {
  const rows = await (await database()).getAll('datasets');
  return rows.filter((row) => row.complete).sort((a, b) => b.createdAt - a.createdAt).map(stripInternal);
}

export async function getDataset(id: string): Promise<DatasetSummary | undefined> {
  const row = await (await database()).get('datasets', id);
  return row?.complete ? stripInternal(row) : undefined;
}

export interface SaveOptions {
  /** Bytes the whole import will need (for the message when storage runs out). */
  expectedBytes?: number;
}

/**
 * Writes a dataset: the summary first, marked incomplete, then the samples in batches, then the
 * catalog (hashes, labels) and the summary marked complete, with its fingerprint when every sample
 * carries a sha256. An interrupted import is never listed; `sweepIncompleteImports` removes it.
 * The summary object may be updated by the sample source while it streams (counts, skipped files).
 */
export async function saveDataset(summary: DatasetSummary, samples: AsyncIterable<SampleRow[]> | Iterable<SampleRow[]>, options: SaveOptions = {}): Promise<DatasetSummary> {
  // Held while it writes: a sweep meanwhile (this tab refreshing its list, another tab starting) must not take it for an abandoned import.
  return withWriteLock('dataset', summary.id, () => writeDataset(summary, samples, options));
}

async function writeDataset(summary: DatasetSummary, samples: AsyncIterable<SampleRow[]> | Iterable<SampleRow[]>, options: SaveOptions): Promise<DatasetSummary> {
  const db = await database();
  const hashes: Uint8Array[] = [];
  const labels: number[] = [];
  const fingerprintItems: { sha256: string; label: number | null }[] = [];
  let hashed = true;
  try {
    await db.put('datasets', { ...summary, schemaVersion: SCHEMA_VERSION, complete: false });
    for await (const batch of samples) {
      const tx = db.transaction('samples', 'readwrite');
      const writes = batch.map((sample) => tx.store.put({ ...sample, datasetId: summary.id } as StoredSample));
      await Promise.all([...writes, tx.done]);
      for (const sample of batch) {
        labels[sample.index] = sample.label ?? -1;
        if (sample.sha256) {
          hashes[sample.index] = hexToBytes(sample.sha256);
          fingerprintItems.push({ sha256: sample.sha256, label: sample.label });
        } else hashed = false;
      }
    }
    const complete: DatasetSummary = { ...summary };
    if (hashed && fingerprintItems.length === summary.sampleCount) {
      complete.fingerprint = await datasetFingerprint(fingerprintItems, summary.classNames);
      await db.put('catalogs', { datasetId: summary.id, hashes: packHashes(hashes), labels: Int32Array.from(labels) });
    }
    await db.put('datasets', { ...complete, schemaVersion: SCHEMA_VERSION, complete: true });
    return complete;
  } catch (error) {
    await deleteDataset(summary.id).catch(() => undefined); // leave nothing half-written; the original error matters
    throw await storageErrorWithEstimate(error, `save the dataset '${summary.name}'`, options.expectedBytes ?? summary.sizeBytes);
  }
}

/** Reads samples [from, to) of a dataset, in index order. */
export async function readSamples(datasetId: string, from: number, to: number): Promise<SampleRow[]> {
  const rows = await (await database()).getAll('samples', IDBKeyRange.bound([datasetId, from], [datasetId, to], false, true));
  return rows.map(({ datasetId: _datasetId, ...sample }) => sample as SampleRow);
}

/**
 * Removes what an import or a tensor cache interrupted by a reload, a closed tab or a crash left
 * behind: unfinished rows nobody is writing now (a write in progress holds its lock, see locks.ts).
 */
export async function sweepIncompleteImports(): Promise<number> {
  const db = await database();
  const [rows, sets, writing] = await Promise.all([db.getAll('datasets'), db.getAll('tensorSets'), heldWriteLocks()]);
  const abandoned = rows.filter((row) => !row.complete && !writing.has(writeLockName('dataset', row.id)));
  for (const row of abandoned) await deleteDataset(row.id);
  // Tensor sets whose run was interrupted: their chunks are partial.
  for (const set of sets) if (!set.complete && !writing.has(writeLockName('tensors', set.id))) await deleteTensorSet(set.id);
  return abandoned.length;
}

/** One sample by its index, or undefined when the dataset (or the sample) is not in this browser. */
export async function getSample(datasetId: string, index: number): Promise<SampleRow | undefined> {
  const row = await (await database()).get('samples', [datasetId, index]);
  if (!row) return undefined;
  const { datasetId: _datasetId, ...sample } = row;
  return sample as SampleRow;
}

/** Deletes a dataset with its samples, catalog and cached tensors, in one transaction. */
export async function deleteDataset(id: string): Promise<void> {
  const db = await database();
  const sets = await db.getAllKeysFromIndex('tensorSets', 'byDataset', id);
  const tx = db.transaction(['datasets', 'samples', 'catalogs', 'tensorSets', 'tensorChunks'], 'readwrite');
  await Promise.all([
    tx.objectStore('datasets').delete(id),
    tx.objectStore('samples').delete(IDBKeyRange.bound([id, -Infinity], [id, Infinity])),
    tx.objectStore('catalogs').delete(id),
    ...sets.flatMap((setId) => [tx.objectStore('tensorSets').delete(setId), tx.objectStore('tensorChunks').delete(IDBKeyRange.bound([setId, -Infinity], [setId, Infinity]))]),
    tx.done,
  ]);
}

/**
 * Deletes one cached tensor set and its chunks (and ends this thread's write of it, if any). A set
 * another tab is writing now is left to that tab: it completes or deletes it (or, if it dies, the sweep does).
 */
export async function deleteTensorSet(setId: string): Promise<void> {
  if (await writtenElsewhere('tensors', setId)) return;
  try {
    const tx = (await database()).transaction(['tensorSets', 'tensorChunks'], 'readwrite');
    await Promise.all([tx.objectStore('tensorSets').delete(setId), tx.objectStore('tensorChunks').delete(IDBKeyRange.bound([setId, -Infinity], [setId, Infinity])), tx.done]);
  } finally {
    releaseWriteLock('tensors', setId);
  }
}

export async function getCatalog(datasetId: string): Promise<DatasetCatalog | undefined> {
  return (await database()).get('catalogs', datasetId);
}

/** Stores a dataset's catalog and updates its summary (fingerprint, split) in one transaction. */
export async function saveCatalog(catalog: DatasetCatalog, summary: DatasetSummary): Promise<void> {
  try {
    const tx = (await database()).transaction(['catalogs', 'datasets'], 'readwrite');
    await Promise.all([tx.objectStore('catalogs').put(catalog), tx.objectStore('datasets').put({ ...summary, schemaVersion: SCHEMA_VERSION, complete: true }), tx.done]);
  } catch (error) {
    throw await storageErrorWithEstimate(error, `update the dataset '${summary.name}'`, catalog.hashes.byteLength + catalog.labels.byteLength);
  }
}

/** Writes computed hashes onto stored sample rows (datasets stored before hashes existed). */
export async function writeSampleHashes(datasetId: string, rows: { index: number; sha256: string }[]): Promise<void> {
  const tx = (await database()).transaction('samples', 'readwrite');
  await Promise.all([
    ...rows.map(async ({ index, sha256 }) => {
      const row = await tx.store.get([datasetId, index]);
      if (row) await tx.store.put({ ...row, sha256 });
    }),
    tx.done,
  ]);
}

/** Complete datasets that have no fingerprint yet (stored by an older version of the app). */
export async function datasetsWithoutFingerprint(): Promise<DatasetSummary[]> {
  return (await listDatasets()).filter((d) => !d.fingerprint);
}

/** Saves a run's document and its history row in one transaction (both or neither). */
export async function saveRun(doc: ResultDocument): Promise<RunSummary> {
  const summary: RunSummary = {
    id: doc.id,
    createdAt: doc.createdAt,
    status: doc.status,
    floatModel: doc.models.float.name,
    quantizedModel: doc.models.quantized.name,
    dataset: doc.dataset.name,
    sampleCount: doc.sampleCount,
    primary: { name: doc.metrics[0].name, unit: doc.metrics[0].unit, float: doc.metrics[0].delta.float, quantized: doc.metrics[0].delta.quantized, absolutePoints: doc.metrics[0].delta.absolutePoints },
    providers: { float: doc.models.float.provider.label, quantized: doc.models.quantized.provider.label },
  };
  try {
    const tx = (await database()).transaction(['runs', 'runDocuments'], 'readwrite');
    await Promise.all([tx.objectStore('runDocuments').put(doc), tx.objectStore('runs').put(summary), tx.done]);
  } catch (error) {
    throw await storageErrorWithEstimate(error, 'save this run in the history', estimateStoredBytes(doc) + estimateStoredBytes(summary), 'Nothing stored before was lost, and the result stays on screen: download it (JSON) to keep it; it can be opened in the history later.');
  }
  return summary;
}

/** Past runs, newest first. */
export async function listRuns(): Promise<RunSummary[]> {
  const rows = await (await database()).getAll('runs');
  return rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function getRunDocument(id: string): Promise<ResultDocument | undefined> {
  return (await database()).get('runDocuments', id);
}

export async function deleteRun(id: string): Promise<void> {
  const tx = (await database()).transaction(['runs', 'runDocuments'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('runDocuments').delete(id), tx.done]);
}

function stripInternal(row: DatasetRow): DatasetSummary {
  const { schemaVersion: _schemaVersion, complete: _complete, ...summary } = row;
  return summary;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Sample i's hash as lowercase hex, from a catalog's packed hashes. */
export function catalogHash(catalog: Pick<DatasetCatalog, 'hashes'>, index: number): string {
  return Array.from(catalog.hashes.subarray(32 * index, 32 * index + 32), (b) => b.toString(16).padStart(2, '0')).join('');
}

function packHashes(hashes: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(32 * hashes.length);
  hashes.forEach((hash, i) => out.set(hash, 32 * i));
  return out;
}

/** True for the browser's "storage is full" failure, however it arrives (DOMException, or an aborted transaction's error). */
export function isQuotaError(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof DOMException && e.name === 'QuotaExceededError') return true;
    if (e instanceof QuantLensError && e.code === 'quota-exceeded') return true;
    if (!(e instanceof Error)) break;
  }
  return false;
}

/** Usage and quota from the browser, or null where it does not say. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => null);
  return estimate && typeof estimate.quota === 'number' ? { usage: estimate.usage ?? 0, quota: estimate.quota } : null;
}

/** What the user could delete to make room: datasets, cached tensor sets, and the saved runs together. */
export async function listDeletable(): Promise<Deletable[]> {
  const db = await database();
  const [datasets, sets, documents] = await Promise.all([db.getAll('datasets'), db.getAll('tensorSets'), db.getAll('runDocuments')]);
  const items: Deletable[] = [
    ...datasets.filter((d) => d.complete).map((d) => ({ kind: 'dataset' as const, name: d.name, bytes: d.sizeBytes })),
    ...sets.filter((t) => t.complete).map((t) => ({ kind: 'tensors' as const, name: t.datasetName, bytes: t.sizeBytes })),
  ];
  if (documents.length) items.push({ kind: 'runs', name: `${documents.length} saved run${documents.length === 1 ? '' : 's'} in the history`, bytes: documents.reduce((n, d) => n + estimateStoredBytes(d), 0) });
  return items;
}

/** What the message says by default: an import's write failed and was undone. */
const IMPORT_ROLLED_BACK = 'Nothing stored before was lost; the partial import was removed.';

/**
 * storageError, with how much was needed, how much is free, and what could be deleted, when the
 * storage is full. `outcome` says what became of the write (rolled back, and what the user keeps).
 */
export async function storageErrorWithEstimate(error: unknown, action: string, neededBytes: number, outcome = IMPORT_ROLLED_BACK): Promise<QuantLensError> {
  if (!isQuotaError(error)) return storageError(error, action);
  const [estimate, deletable] = await Promise.all([storageEstimate(), listDeletable().catch(() => [])]);
  const free = estimate ? Math.max(0, estimate.quota - estimate.usage) : null;
  const amounts = `about ${readableBytes(neededBytes)} needed${free === null ? '' : `, ${megabytes(free)} free of ${megabytes(estimate!.quota)}`}`;
  return new QuantLensError(
    'quota-exceeded',
    `The browser's storage is full: could not ${action} (${amounts}). ${outcome}`,
    spaceAdvice(bytesToFree(neededBytes, free), deletable),
    { cause: error },
  );
}

export function storageError(error: unknown, action: string): QuantLensError {
  if (error instanceof QuantLensError) return error;
  if (isQuotaError(error)) {
    return new QuantLensError('quota-exceeded', `The browser's storage is full: could not ${action}.`, 'Delete datasets you no longer need from the start page, then try again. Nothing already stored was lost.', { cause: error });
  }
  return new QuantLensError('storage-failed', `Could not ${action} in the browser's local database: ${error instanceof Error ? error.message : String(error)}`, 'Check that this site may store data (not a private window with storage disabled), then reload.', { cause: error });
}
