/**
 * The one module that imports idb. Datasets persist across reloads: a summary row per dataset and
 * the encoded samples in their own store, written in bounded transactions.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { QuantLensError } from '../core/errors.ts';
import type { DatasetSummary, EncodedSample } from '../core/data/dataset.ts';
import type { ResultDocument } from '../core/report/document.ts';

/**
 * Bump when a store's shape changes, and migrate in `upgrade`.
 * 1: datasets, samples. 2: + runs (summary rows) and runDocuments (the full result documents).
 */
export const SCHEMA_VERSION = 2;
const DB_NAME = 'quantlens';

interface StoredSample extends EncodedSample {
  datasetId: string;
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
  top1: ResultDocument['metrics']['top1'];
  providers: { float: string; quantized: string };
}

interface QuantLensSchema extends DBSchema {
  datasets: { key: string; value: DatasetSummary & { schemaVersion: number; complete: boolean } };
  samples: { key: [string, number]; value: StoredSample; indexes: { byDataset: string } };
  runs: { key: string; value: RunSummary };
  runDocuments: { key: string; value: ResultDocument };
}

let opening: Promise<IDBPDatabase<QuantLensSchema>> | null = null;

function db(): Promise<IDBPDatabase<QuantLensSchema>> {
  opening ??= openDB<QuantLensSchema>(DB_NAME, SCHEMA_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('datasets', { keyPath: 'id' });
        const samples = database.createObjectStore('samples', { keyPath: ['datasetId', 'index'] });
        samples.createIndex('byDataset', 'datasetId');
      }
      if (oldVersion < 2) {
        database.createObjectStore('runs', { keyPath: 'id' });
        database.createObjectStore('runDocuments', { keyPath: 'id' });
      }
    },
  }).catch((error: unknown) => {
    opening = null;
    throw storageError(error, 'open the local database');
  });
  return opening;
}

/** Datasets whose import finished, newest first. */
export async function listDatasets(): Promise<DatasetSummary[]> {
  const rows = await (await db()).getAll('datasets');
  return rows.filter((row) => row.complete).sort((a, b) => b.createdAt - a.createdAt).map(stripInternal);
}

export async function getDataset(id: string): Promise<DatasetSummary | undefined> {
  const row = await (await db()).get('datasets', id);
  return row?.complete ? stripInternal(row) : undefined;
}

/**
 * Writes a dataset: the summary first, marked incomplete, then the samples in batches, then the
 * summary marked complete. An interrupted import is never listed; `sweepIncompleteImports` removes it.
 */
export async function saveDataset(summary: DatasetSummary, samples: AsyncIterable<EncodedSample[]> | Iterable<EncodedSample[]>): Promise<void> {
  const database = await db();
  try {
    await database.put('datasets', { ...summary, schemaVersion: SCHEMA_VERSION, complete: false });
    for await (const batch of samples) {
      const tx = database.transaction('samples', 'readwrite');
      await Promise.all([...batch.map((sample) => tx.store.put({ ...sample, datasetId: summary.id })), tx.done]);
    }
    await database.put('datasets', { ...summary, schemaVersion: SCHEMA_VERSION, complete: true });
  } catch (error) {
    await deleteDataset(summary.id).catch(() => undefined); // leave nothing half-written; the original error matters
    throw storageError(error, `save the dataset '${summary.name}'`);
  }
}

/** Reads samples [from, to) of a dataset, in index order. */
export async function readSamples(datasetId: string, from: number, to: number): Promise<EncodedSample[]> {
  const rows = await (await db()).getAll('samples', IDBKeyRange.bound([datasetId, from], [datasetId, to], false, true));
  return rows.map(({ datasetId: _datasetId, ...sample }) => sample);
}

/** Removes what an import interrupted by a reload or a crash left behind. Call once at start-up. */
export async function sweepIncompleteImports(): Promise<number> {
  const rows = await (await db()).getAll('datasets');
  const incomplete = rows.filter((row) => !row.complete);
  for (const row of incomplete) await deleteDataset(row.id);
  return incomplete.length;
}

/** One sample by its index, or undefined when the dataset (or the sample) is not in this browser. */
export async function getSample(datasetId: string, index: number): Promise<EncodedSample | undefined> {
  const row = await (await db()).get('samples', [datasetId, index]);
  if (!row) return undefined;
  const { datasetId: _datasetId, ...sample } = row;
  return sample;
}

export async function deleteDataset(id: string): Promise<void> {
  const database = await db();
  const tx = database.transaction(['datasets', 'samples'], 'readwrite');
  await Promise.all([
    tx.objectStore('datasets').delete(id),
    tx.objectStore('samples').delete(IDBKeyRange.bound([id, -Infinity], [id, Infinity])),
    tx.done,
  ]);
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
    top1: doc.metrics.top1,
    providers: { float: doc.models.float.provider.label, quantized: doc.models.quantized.provider.label },
  };
  try {
    const tx = (await db()).transaction(['runs', 'runDocuments'], 'readwrite');
    await Promise.all([tx.objectStore('runDocuments').put(doc), tx.objectStore('runs').put(summary), tx.done]);
  } catch (error) {
    throw storageError(error, 'save this run in the history');
  }
  return summary;
}

/** Past runs, newest first. */
export async function listRuns(): Promise<RunSummary[]> {
  const rows = await (await db()).getAll('runs');
  return rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function getRunDocument(id: string): Promise<ResultDocument | undefined> {
  return (await db()).get('runDocuments', id);
}

export async function deleteRun(id: string): Promise<void> {
  const tx = (await db()).transaction(['runs', 'runDocuments'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('runDocuments').delete(id), tx.done]);
}

function stripInternal(row: QuantLensSchema['datasets']['value']): DatasetSummary {
  const { schemaVersion: _schemaVersion, complete: _complete, ...summary } = row;
  return summary;
}

function storageError(error: unknown, action: string): QuantLensError {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'QuotaExceededError') {
    return new QuantLensError('quota-exceeded', `The browser's storage is full: could not ${action}.`, 'Delete datasets you no longer need from the start page, then try again. Nothing already stored was lost.', { cause: error });
  }
  return new QuantLensError('storage-failed', `Could not ${action} in the browser's local database: ${error instanceof Error ? error.message : String(error)}`, 'Check that this site may store data (not a private window with storage disabled), then reload.', { cause: error });
}
