/**
 * Main-thread side of dataset work: each call runs in a data worker (imports read, hash and store
 * there; the page only shows progress), which is ended when the call is done.
 */
import * as Comlink from 'comlink';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { QuantLensError } from '../core/errors.ts';
import type { ImportProgress, ImportRequest, PickedFile } from '../storage/import/import.ts';
import { datasetsWithoutFingerprint } from '../storage/db.ts';
import { getTensorSet, tensorCacheFailure } from '../storage/tensor-cache.ts';
import { exportBlockedBy } from '../storage/tensor-cache.ts';
import { DataWorker } from '../workers/client.ts';
import { planInputs, preparedChunks } from './pipeline.ts';

export type { ImportProgress, ImportRequest, PickedFile };

async function withWorker<T>(work: (worker: DataWorker) => Promise<T>): Promise<T> {
  const worker = new DataWorker();
  try {
    return await work(worker);
  } finally {
    worker.terminate();
  }
}

/** Imports a dataset in a worker: files are handed over (not copied), progress comes back. */
export function importDataset(request: ImportRequest, onProgress: (progress: ImportProgress) => void = () => {}): Promise<DatasetSummary> {
  return withWorker((worker) => worker.request((remote) => remote.importDataset(request, Comlink.proxy(onProgress))));
}

/** Hashes datasets stored by an older version (no fingerprint yet); returns the updated summaries. */
export async function backfillFingerprints(): Promise<DatasetSummary[]> {
  const missing = await datasetsWithoutFingerprint();
  if (missing.length === 0) return [];
  return withWorker(async (worker) => {
    const done: DatasetSummary[] = [];
    for (const dataset of missing) done.push(await worker.request((remote) => remote.backfillFingerprint(dataset.id)));
    return done;
  });
}

/** Stores a seeded, stratified test/calibration split (fraction 0 removes it). */
export function storeSplit(datasetId: string, options: { seed: number; fraction: number }): Promise<DatasetSummary> {
  return withWorker((worker) => worker.request((remote) => remote.storeSplit(datasetId, options)));
}

/**
 * The dataset through this preprocessing as a .npz (x, y, index), from the tensor cache; prepares
 * and caches every sample first when this pair was never run. `fingerprint` is the dataset
 * fingerprint the .npz will have once imported (on this device or another).
 */
export async function exportPreprocessed(dataset: DatasetSummary, spec: PreprocessSpec, onProgress: (done: number, total: number) => void = () => {}): Promise<{ blob: Blob; fingerprint: string; sampleCount: number }> {
  return withWorker(async (worker) => {
    const plan = { ...(await planInputs(dataset, spec)), include: null };
    if (!plan.cacheSetId) throw new QuantLensError('invalid-input', 'This dataset holds ready-made model inputs already: there is nothing to preprocess.', 'Export is for datasets of images or IDX pixels; a .npz dataset can be shared as the file it came from.');
    if (!plan.fromCache) {
      let done = 0;
      for await (const chunk of preparedChunks(dataset, plan, spec, worker, new AbortController().signal)) {
        done += chunk.samples.length + chunk.failures.length;
        onProgress(done, dataset.sampleCount);
      }
    }
    const setId = plan.cacheSetId;
    // Starting the set is written from this thread: a failure there is recorded here, not in the worker.
    const startFailure = tensorCacheFailure(setId);
    if (startFailure && !(await getTensorSet(setId))?.complete) throw exportBlockedBy(startFailure);
    return worker.request((remote) => remote.exportNpz(setId));
  });
}
