/**
 * Off the main thread: dataset imports (read, sniff, hash, store), decoding and preprocessing
 * (writing the tensor cache as it goes), reading cached tensors, splits and .npz exports.
 */
import * as Comlink from 'comlink';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreparedChunk } from '../core/eval/evaluate.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { bundleModel, type BundledModel } from '../core/onnx/bundle.ts';
import { answer as answerTransferring } from './answer.ts';
import type { Answer } from './model.worker.ts';
import { importDataset, type ImportProgress, type ImportRequest } from '../storage/import/import.ts';
import { backfillFingerprint, storeSplit } from '../storage/catalog.ts';
import { getSample, readSamples } from '../storage/db.ts';
import { onStorageProblem } from '../storage/problems.ts';
import { packChunk, putTensorChunk, readTensorChunks, tensorCacheFailure, unpackChunk } from '../storage/tensor-cache.ts';
import { prepareRows, type SampleContent } from '../storage/prepare-rows.ts';
import { exportTensorSetNpz } from '../storage/export-npz.ts';
import { browserDecoder } from './browser-decoder.ts';

async function answer<T>(work: () => Promise<T> | T): Promise<Answer<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: toErrorInfo(error) };
  }
}

const transferChunk = (chunk: PreparedChunk) => chunk.samples.map((s) => s.input.buffer as ArrayBuffer);

/** Where a prepared chunk goes in the tensor cache (set id, chunk number). */
export interface CacheTarget {
  setId: string;
  chunk: number;
}

/**
 * Tensor-cache writes in flight, per set: a prepared chunk goes back to the run without waiting for
 * its write (IndexedDB commits in another process; the next chunk decodes meanwhile). A set whose
 * write failed once writes nothing more; at most MAX_PENDING_WRITES wait at once (memory stays bounded).
 */
const cacheWrites = new Map<string, { pending: Promise<boolean>[]; failed: boolean }>();
const MAX_PENDING_WRITES = 4;

async function writeChunkLater(target: CacheTarget, chunk: PreparedChunk): Promise<void> {
  let writes = cacheWrites.get(target.setId);
  if (!writes) cacheWrites.set(target.setId, (writes = { pending: [], failed: false }));
  if (writes.failed) return;
  const state = writes;
  state.pending.push(putTensorChunk(packChunk(target.setId, target.chunk, chunk)).then(() => true, () => (state.failed = true, false)));
  while (state.pending.length > MAX_PENDING_WRITES) await state.pending.shift();
}

const api = {
  /** Forwards this worker's storage problems (a full disk while caching tensors) to the page. */
  watchStorage(listener: (problem: ErrorInfo) => void): void {
    // Through Comlink each call is a message: it fails only when the page is gone, and then nobody is left to tell.
    onStorageProblem((problem) => void Promise.resolve(listener(problem)).catch(() => undefined));
  },

  /**
   * Reads a picked model off the main thread: its graph (inputs, outputs, format) and, when it keeps
   * weights in external files, one self-contained copy made with the data files picked with it
   * (transferred back). Files are read here, not on the main thread.
   */
  openModel(model: Blob, dataFiles: File[]): Promise<Answer<BundledModel>> {
    return answerTransferring(async () => {
      const files = dataFiles.map((file) => ({ name: file.name, size: file.size, read: async (offset: number, length: number) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()) }));
      return bundleModel(new Uint8Array(await model.arrayBuffer()), files);
    }, (opened) => (opened.bytes ? [opened.bytes.buffer as ArrayBuffer] : []));
  },

  /** Imports a dataset (any supported format) into IndexedDB, hashing every sample here. */
  importDataset(request: ImportRequest, onProgress: (progress: ImportProgress) => void): Promise<Answer<DatasetSummary>> {
    return answer(() => importDataset(request, onProgress));
  },

  /** Computes sample hashes and the fingerprint of a dataset stored by an older version. */
  backfillFingerprint(datasetId: string): Promise<Answer<DatasetSummary>> {
    return answer(() => backfillFingerprint(datasetId));
  },

  storeSplit(datasetId: string, options: { seed: number; fraction: number }): Promise<Answer<DatasetSummary>> {
    return answer(() => storeSplit(datasetId, options));
  },

  /** Decodes and preprocesses a chunk; undecodable samples are reported, not thrown. Tensors are transferred. */
  async prepare(samples: Parameters<typeof prepareRows>[0], spec: PreprocessSpec, content: SampleContent = 'images'): Promise<PreparedChunk> {
    const chunk = await prepareRows(samples, spec, content, browserDecoder);
    return Comlink.transfer(chunk, transferChunk(chunk));
  },

  /** Reads the samples at these indices (in this order) from IndexedDB and prepares them: random-order runs. */
  async prepareIndices(datasetId: string, indices: number[], spec: PreprocessSpec, content: SampleContent): Promise<Answer<PreparedChunk>> {
    const result = await answer(async () => {
      const rows = await Promise.all(indices.map((index) => getSample(datasetId, index)));
      return prepareRows(rows.filter((row) => row !== undefined), spec, content, browserDecoder);
    });
    return result.ok ? Comlink.transfer(result, transferChunk(result.value)) : result;
  },

  /**
   * Reads samples [from, to) from IndexedDB, prepares them, and starts writing them to the tensor
   * cache when `cache` says where (`settleCacheWrites` tells whether every write of the set landed).
   */
  async prepareRange(datasetId: string, from: number, to: number, spec: PreprocessSpec, content: SampleContent, cache: CacheTarget | null): Promise<Answer<PreparedChunk>> {
    const result = await answer(async () => {
      const chunk = await prepareRows(await readSamples(datasetId, from, to), spec, content, browserDecoder);
      if (cache) await writeChunkLater(cache, chunk); // packs a copy before the chunk's buffers are transferred
      return chunk;
    });
    return result.ok ? Comlink.transfer(result, transferChunk(result.value)) : result;
  },

  /** Waits for the set's cache writes; true when every chunk written for it was stored. Forgets the set. */
  async settleCacheWrites(setId: string): Promise<Answer<boolean>> {
    return answer(async () => {
      const writes = cacheWrites.get(setId);
      cacheWrites.delete(setId);
      if (!writes) return true;
      const stored = await Promise.all(writes.pending);
      return !writes.failed && stored.every(Boolean);
    });
  },

  /** Cached chunks [from, to) in one transaction, each sample owning its buffer. */
  async readCached(setId: string, from: number, to: number, dtype: PreprocessSpec['dtype']): Promise<Answer<PreparedChunk[]>> {
    const result = await answer(async () => (await readTensorChunks(setId, from, to)).map((record) => unpackChunk(record, dtype)));
    return result.ok ? Comlink.transfer(result, result.value.flatMap(transferChunk)) : result;
  },

  /** A cached tensor set as a .npz (x: inputs, y: labels, index: dataset sample indices). */
  exportNpz(setId: string): Promise<Answer<{ blob: Blob; fingerprint: string; sampleCount: number }>> {
    // The export reads the tensor cache: when this worker could not write it, say why (not "not cached yet").
    return answer(() => exportTensorSetNpz(setId, tensorCacheFailure(setId)));
  },
};

export type DataWorkerApi = typeof api;

Comlink.expose(api);
