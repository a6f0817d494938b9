/**
 * Off the main thread: dataset imports (read, sniff, hash, store), decoding and preprocessing
 * (writing the tensor cache as it goes), reading cached tensors, splits and .npz exports.
 */
import * as Comlink from 'comlink';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreparedChunk } from '../core/eval/evaluate.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { readModelInfo, type ModelInfo } from '../core/onnx/info.ts';
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

const api = {
  /** Forwards this worker's storage problems (a full disk while caching tensors) to the page. */
  watchStorage(listener: (problem: ErrorInfo) => void): void {
    // Through Comlink each call is a message: it fails only when the page is gone, and then nobody is left to tell.
    onStorageProblem((problem) => void Promise.resolve(listener(problem)).catch(() => undefined));
  },

  /** Reads a model's graph (inputs, outputs, format) off the main thread; the bytes are transferred. */
  inspectModel(modelBytes: Uint8Array): Answer<ModelInfo> {
    try {
      return { ok: true, value: readModelInfo(modelBytes) };
    } catch (error) {
      return { ok: false, error: toErrorInfo(error) };
    }
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
   * Reads samples [from, to) from IndexedDB, prepares them, and writes them to the tensor cache
   * when `cache` says where. `cached` is false when the cache write failed (the run goes on).
   */
  async prepareRange(datasetId: string, from: number, to: number, spec: PreprocessSpec, content: SampleContent, cache: CacheTarget | null): Promise<Answer<{ chunk: PreparedChunk; cached: boolean }>> {
    const result = await answer(async () => {
      const chunk = await prepareRows(await readSamples(datasetId, from, to), spec, content, browserDecoder);
      let cached = false;
      // A failed write is recorded and reported by the cache itself (tensor-cache.ts); the run goes on.
      if (cache) cached = await putTensorChunk(packChunk(cache.setId, cache.chunk, chunk)).then(() => true, () => false);
      return { chunk, cached };
    });
    return result.ok ? Comlink.transfer(result, transferChunk(result.value.chunk)) : result;
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
