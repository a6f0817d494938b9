/**
 * Browser plumbing for one evaluation: samples stream from IndexedDB through the data worker
 * (decode + preprocess) in chunks, one chunk prefetched while the models run the current one.
 * The prepared tensors are cached under (dataset fingerprint, preprocessing fingerprint): a later
 * run with the same pair reads them back in large transactions and decodes nothing.
 * With a stored split, only the test part is evaluated.
 */
import type { DatasetSummary } from '../core/data/dataset.ts';
import { canonicalJson, preprocessFingerprint, sha256Hex } from '../core/data/fingerprint.ts';
import type { PreparedChunk } from '../core/eval/evaluate.ts';
import { tensorShape } from '../core/preprocess/index.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { deleteTensorSet } from '../storage/db.ts';
import { testIndices } from '../storage/catalog.ts';
import { beginTensorSet, completeTensorSet, getTensorSet, tensorSetId } from '../storage/tensor-cache.ts';
import type { DataWorker } from '../workers/client.ts';
import { shuffled } from '../core/stats/random.ts';

export const CHUNK_SIZE = 64;
/**
 * Cached chunk records read per IndexedDB transaction: 16 (1,024 samples), fewer when that would be
 * over 8 MB (one read is prefetched, so two are held: 1,024 inputs of 3x64x64 floats are 50 MB).
 */
export function cacheReadChunks(spec: PreprocessSpec): number {
  const bytesPerSample = tensorShape(spec, 1).reduce((n, d) => n * d, 1) * (spec.dtype === 'float32' ? 4 : 1);
  return Math.max(1, Math.min(16, Math.floor((8 * 1024 * 1024) / (bytesPerSample * CHUNK_SIZE))));
}

/** What a run will read, decided before it starts. */
export interface InputPlan {
  /** Samples the run evaluates: the split's test part, or all. */
  total: number;
  /** Test-part membership by sample index; null = every sample. */
  include: Uint8Array | null;
  datasetFingerprint?: string;
  /** Of the spec; for ready-made inputs (.npz), of "no preprocessing" with the input dtype and shape. */
  preprocessFingerprint: string;
  /** Tensor-cache set for this pair; null when the dataset cannot be cached (no fingerprint, ready-made inputs). */
  cacheSetId: string | null;
  /** True when that set is complete: the run decodes nothing. */
  fromCache: boolean;
}

/** How the inputs of the last run were obtained (for measurements and tests). */
export interface InputStats {
  source: 'cache' | 'decoded' | 'stored-inputs';
  /** Time spent waiting for prepared chunks, in ms (what the cache saves). */
  waitMs: number;
  cachedNow: boolean;
}

export async function planInputs(dataset: DatasetSummary, spec: PreprocessSpec): Promise<InputPlan> {
  const readyMade = dataset.content === 'inputs';
  const ppFingerprint = readyMade
    ? await sha256Hex(new TextEncoder().encode(canonicalJson({ preprocess: 'none', dtype: spec.dtype, dims: tensorShape(spec, 1) })))
    : await preprocessFingerprint(spec);
  const test = dataset.split ? await testIndices(dataset.id) : null;
  let include: Uint8Array | null = null;
  if (test) {
    include = new Uint8Array(dataset.sampleCount);
    for (const index of test) include[index] = 1;
  }
  const cacheSetId = dataset.fingerprint && !readyMade ? tensorSetId(dataset.fingerprint, ppFingerprint) : null;
  const set = cacheSetId ? await getTensorSet(cacheSetId) : undefined;
  return {
    total: test ? test.length : dataset.sampleCount,
    include,
    ...(dataset.fingerprint ? { datasetFingerprint: dataset.fingerprint } : {}),
    preprocessFingerprint: ppFingerprint,
    cacheSetId,
    fromCache: Boolean(set?.complete),
  };
}

function keepIncluded(chunk: PreparedChunk, include: Uint8Array | null): PreparedChunk {
  if (!include) return chunk;
  return { samples: chunk.samples.filter((s) => include[s.index]), failures: chunk.failures.filter((f) => include[f.index]) };
}

/**
 * The run's chunks in dataset order, from chunk `startChunk` on (a resumed run skips those done;
 * it then reads the cache when complete, else decodes without caching: a partial set is useless).
 */
export async function* preparedChunks(dataset: DatasetSummary, plan: InputPlan, spec: PreprocessSpec, dataWorker: DataWorker, signal: AbortSignal, stats?: InputStats, startChunk = 0): AsyncGenerator<PreparedChunk> {
  const started = performance.now();
  let waitMs = 0;
  const timed = async <T>(pending: Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await pending;
    } finally {
      waitMs += performance.now() - t;
    }
  };
  if (plan.fromCache && plan.cacheSetId) {
    yield* cachedChunks(plan.cacheSetId, Math.ceil(dataset.sampleCount / CHUNK_SIZE), spec, plan.include, dataWorker, signal, timed, startChunk);
    Object.assign(stats ?? {}, { source: 'cache', waitMs, cachedNow: false } satisfies InputStats);
    performance.measure('quantlens:inputs', { start: started, detail: { source: 'cache', waitMs } });
    return;
  }
  const content = dataset.content ?? 'images';
  const setId = startChunk === 0 ? plan.cacheSetId : null;
  let caching = setId !== null;
  if (setId) {
    const dims = tensorShape(spec, 1);
    caching = await beginTensorSet({ id: setId, datasetId: dataset.id, datasetName: dataset.name, datasetFingerprint: plan.datasetFingerprint ?? '', preprocessFingerprint: plan.preprocessFingerprint, chunkSize: CHUNK_SIZE, dtype: spec.dtype, dims }).then(() => true, () => false);
  }
  const totals = { chunkCount: 0, sampleCount: 0, sizeBytes: 0 };
  let finished = false;
  const prepare = (from: number) =>
    dataWorker.request((remote) => remote.prepareRange(dataset.id, from, Math.min(dataset.sampleCount, from + CHUNK_SIZE), spec, content, caching && setId ? { setId, chunk: from / CHUNK_SIZE } : null));
  /** Whether every chunk write of the set landed (waits for those still in flight). */
  const settled = () => (setId && caching ? dataWorker.request((remote) => remote.settleCacheWrites(setId)).catch(() => false) : Promise.resolve(false));
  try {
    const first = startChunk * CHUNK_SIZE;
    let next: ReturnType<typeof prepare> | null = first < dataset.sampleCount ? prepare(first) : null;
    for (let from = first; next && !signal.aborted; from += CHUNK_SIZE) {
      const current: ReturnType<typeof prepare> = next;
      next = from + CHUNK_SIZE < dataset.sampleCount ? prepare(from + CHUNK_SIZE) : null;
      next?.catch(() => undefined); // its error surfaces when awaited in the next round
      const chunk = await timed(current);
      totals.chunkCount++;
      totals.sampleCount += chunk.samples.length;
      totals.sizeBytes += chunk.samples.reduce((n, s) => n + s.input.byteLength, 0);
      yield keepIncluded(chunk, plan.include);
    }
    finished = !signal.aborted;
  } finally {
    // A complete set only: an interrupted or failed one would make later runs skip samples. Writes
    // still in flight land first, so none arrives after the set is deleted.
    const stored = await settled();
    if (setId && stored && finished) await completeTensorSet(setId, totals);
    else if (setId) await deleteTensorSet(setId).catch(() => undefined);
    Object.assign(stats ?? {}, { source: content === 'inputs' ? 'stored-inputs' : 'decoded', waitMs, cachedNow: Boolean(setId && stored && finished) } satisfies InputStats);
    performance.measure('quantlens:inputs', { start: started, detail: { source: content === 'inputs' ? 'stored-inputs' : 'decoded', waitMs } });
  }
}

/**
 * The run's samples in a seeded random order (what an early verdict needs: a dataset sorted by class
 * would break its guarantee). Reads sample by sample in the data worker; no tensor cache.
 */
export async function* shuffledChunks(dataset: DatasetSummary, plan: InputPlan, spec: PreprocessSpec, dataWorker: DataWorker, signal: AbortSignal, seed: number, startChunk = 0): AsyncGenerator<PreparedChunk> {
  const included = Array.from({ length: dataset.sampleCount }, (_, i) => i).filter((i) => !plan.include || plan.include[i]);
  const order = shuffled(included, seed);
  const content = dataset.content ?? 'images';
  const prepare = (from: number) => dataWorker.request((remote) => remote.prepareIndices(dataset.id, order.slice(from, from + CHUNK_SIZE), spec, content));
  const first = startChunk * CHUNK_SIZE;
  let next: ReturnType<typeof prepare> | null = first < order.length ? prepare(first) : null;
  for (let from = first; next && !signal.aborted; from += CHUNK_SIZE) {
    const current: ReturnType<typeof prepare> = next;
    next = from + CHUNK_SIZE < order.length ? prepare(from + CHUNK_SIZE) : null;
    next?.catch(() => undefined);
    yield await current;
  }
}

async function* cachedChunks(setId: string, chunkCount: number, spec: PreprocessSpec, include: Uint8Array | null, dataWorker: DataWorker, signal: AbortSignal, timed: <T>(p: Promise<T>) => Promise<T>, startChunk: number): AsyncGenerator<PreparedChunk> {
  const perRead = cacheReadChunks(spec);
  const read = (from: number) => dataWorker.request((remote) => remote.readCached(setId, from, Math.min(chunkCount, from + perRead), spec.dtype));
  let next: ReturnType<typeof read> | null = startChunk < chunkCount ? read(startChunk) : null;
  for (let from = startChunk; next && !signal.aborted; from += perRead) {
    const current: ReturnType<typeof read> = next;
    next = from + perRead < chunkCount ? read(from + perRead) : null;
    next?.catch(() => undefined);
    for (const chunk of await timed(current)) {
      if (signal.aborted) return;
      yield keepIncluded(chunk, include);
    }
  }
}
