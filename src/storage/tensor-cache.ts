/**
 * The preprocessed-tensor cache: a run that prepares a dataset writes each prepared chunk here; a
 * later run with the same dataset fingerprint and preprocessing fingerprint reads the tensors back
 * in large transactions and decodes nothing.
 */
import type { SampleFailure } from '../core/data/dataset.ts';
import type { PreparedChunk } from '../core/eval/evaluate.ts';
import { QuantLensError, toErrorInfo } from '../core/errors.ts';
import type { InputDType, PreprocessedTensorData } from '../core/preprocess/spec.ts';
import { database, deleteTensorSet, getDataset, storageErrorWithEstimate } from './db.ts';
import { reportStorageProblem } from './problems.ts';
import { holdWriteLock, releaseWriteLock } from './locks.ts';
import type { TensorChunkRecord, TensorSetRecord } from './tensor-records.ts';

export type { TensorChunkRecord, TensorSetRecord } from './tensor-records.ts';

export function tensorSetId(datasetFingerprint: string, preprocessFingerprint: string): string {
  return `${datasetFingerprint}:${preprocessFingerprint}`;
}

export async function getTensorSet(id: string): Promise<TensorSetRecord | undefined> {
  return (await database()).get('tensorSets', id);
}

/** Every cached set (complete or being written), newest first. */
export async function listTensorSets(): Promise<TensorSetRecord[]> {
  return (await (await database()).getAll('tensorSets')).sort((a, b) => b.createdAt - a.createdAt);
}

/** Starts a set (incomplete), replacing a stale one with the same id. */
export async function beginTensorSet(record: Omit<TensorSetRecord, 'complete' | 'chunkCount' | 'sampleCount' | 'sizeBytes' | 'createdAt'>): Promise<void> {
  try {
    await deleteTensorSet(record.id);
  } catch (error) {
    throw await cacheWriteFailed(record, error);
  }
  // Held until completeTensorSet or deleteTensorSet: the sweep of abandoned sets leaves this one alone.
  if (!(await holdWriteLock('tensors', record.id))) {
    throw new QuantLensError('storage-failed', 'Another tab is caching these tensors right now.', 'This run goes on without the cache; a later run uses the one the other tab writes.');
  }
  try {
    await (await database()).put('tensorSets', { ...record, complete: false, chunkCount: 0, sampleCount: 0, sizeBytes: 0, createdAt: Date.now() });
    failures.delete(record.id); // written this time: an earlier failure no longer explains anything
  } catch (error) {
    releaseWriteLock('tensors', record.id);
    throw await cacheWriteFailed(record, error);
  }
}

/** Why writing a set failed in this thread (the first failure per set): a run goes on without the cache, an export cannot. */
const failures = new Map<string, QuantLensError>();

export function tensorCacheFailure(setId: string): QuantLensError | undefined {
  return failures.get(setId);
}

/** The error for a failed write to a set (the whole set's size as what was needed), recorded and reported once per set. */
async function cacheWriteFailed(set: Pick<TensorSetRecord, 'id' | 'datasetId' | 'datasetName' | 'dtype' | 'dims'> | undefined, error: unknown, fallback = { id: '', bytes: 0 }): Promise<QuantLensError> {
  const dataset = set ? await getDataset(set.datasetId).catch(() => undefined) : undefined;
  const sampleBytes = set ? set.dims.reduce((a, b) => a * b, 1) * (set.dtype === 'float32' ? 4 : 1) : 0;
  const needed = dataset && sampleBytes ? dataset.sampleCount * sampleBytes : fallback.bytes;
  const what = set ? `the preprocessed tensors of '${set.datasetName}'` : 'the preprocessed tensors';
  const failure = await storageErrorWithEstimate(error, `cache ${what}`, needed, 'Nothing stored before was lost, and the partial cache is removed.');
  const id = set?.id ?? fallback.id;
  if (!failures.has(id)) {
    failures.set(id, failure);
    reportStorageProblem(toErrorInfo(failure));
  }
  return failure;
}

/** Packs a prepared chunk into one record (the tensors are copied; the chunk stays usable). */
export function packChunk(setId: string, chunk: number, prepared: PreparedChunk): TensorChunkRecord {
  const sampleLength = prepared.samples[0]?.input.length ?? 0;
  const first = prepared.samples[0]?.input;
  const data = first ? new (first.constructor as new (n: number) => PreprocessedTensorData)(sampleLength * prepared.samples.length) : new Float32Array(0);
  prepared.samples.forEach((sample, i) => data.set(sample.input, i * sampleLength));
  return {
    setId,
    chunk,
    indices: Int32Array.from(prepared.samples, (s) => s.index),
    labels: Int32Array.from(prepared.samples, (s) => s.label ?? -1),
    data: data.buffer as ArrayBuffer,
    sampleLength,
    failures: prepared.failures,
  };
}

export async function putTensorChunk(record: TensorChunkRecord): Promise<void> {
  try {
    await (await database()).put('tensorChunks', record);
  } catch (error) {
    const set = await getTensorSet(record.setId).catch(() => undefined);
    throw await cacheWriteFailed(set, error, { id: record.setId, bytes: record.data.byteLength });
  }
}

/** Marks a set complete: later runs read it instead of decoding. */
export async function completeTensorSet(id: string, totals: { chunkCount: number; sampleCount: number; sizeBytes: number }): Promise<void> {
  try {
    const db = await database();
    const set = await db.get('tensorSets', id);
    if (set) await db.put('tensorSets', { ...set, ...totals, complete: true });
  } catch (error) {
    // The run that wrote it must not fail for its cache: undo the set and report why instead.
    await cacheWriteFailed(await getTensorSet(id).catch(() => undefined), error, { id, bytes: totals.sizeBytes });
    await deleteTensorSet(id).catch(() => undefined);
  } finally {
    releaseWriteLock('tensors', id);
  }
}

/** Chunk records [from, to) of a set, in one transaction. */
export async function readTensorChunks(setId: string, from: number, to: number): Promise<TensorChunkRecord[]> {
  return (await database()).getAll('tensorChunks', IDBKeyRange.bound([setId, from], [setId, to], false, true));
}

/** Unpacks a record into prepared samples, each owning its buffer (the evaluator transfers them). */
export function unpackChunk(record: TensorChunkRecord, dtype: InputDType): PreparedChunk {
  const Typed = dtype === 'uint8' ? Uint8Array : dtype === 'int8' ? Int8Array : Float32Array;
  const all = new Typed(record.data);
  const samples = Array.from(record.indices, (index, i) => ({
    index,
    label: record.labels[i] < 0 ? null : record.labels[i],
    input: all.slice(i * record.sampleLength, (i + 1) * record.sampleLength),
  }));
  return { samples, failures: record.failures as SampleFailure[] };
}

/** The export is made from the tensor cache: when the cache could not be written, that is why there is no export. */
export function exportBlockedBy(writeFailure: QuantLensError): QuantLensError {
  return new QuantLensError(writeFailure.code, `Could not export the preprocessed set (it is made from the tensor cache): ${writeFailure.message}`, writeFailure.hint, { cause: writeFailure });
}
