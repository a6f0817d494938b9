/**
 * The preprocessed-tensor cache: a run that prepares a dataset writes each prepared chunk here; a
 * later run with the same dataset fingerprint and preprocessing fingerprint reads the tensors back
 * in large transactions and decodes nothing.
 */
import type { SampleFailure } from '../core/data/dataset.ts';
import type { PreparedChunk } from '../core/eval/evaluate.ts';
import type { InputDType, PreprocessedTensorData } from '../core/preprocess/spec.ts';
import { database, deleteTensorSet, storageErrorWithEstimate } from './db.ts';
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
  await deleteTensorSet(record.id);
  await (await database()).put('tensorSets', { ...record, complete: false, chunkCount: 0, sampleCount: 0, sizeBytes: 0, createdAt: Date.now() });
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
    throw await storageErrorWithEstimate(error, 'cache the preprocessed tensors', record.data.byteLength);
  }
}

/** Marks a set complete: later runs read it instead of decoding. */
export async function completeTensorSet(id: string, totals: { chunkCount: number; sampleCount: number; sizeBytes: number }): Promise<void> {
  const db = await database();
  const set = await db.get('tensorSets', id);
  if (set) await db.put('tensorSets', { ...set, ...totals, complete: true });
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
