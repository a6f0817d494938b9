/**
 * Browser plumbing for one evaluation: samples stream from IndexedDB through the data worker
 * (decode + preprocess) in chunks, one chunk prefetched while the models run the current one.
 */
import type { PreparedChunk } from '../core/eval/evaluate.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { readSamples } from '../storage/db.ts';
import type { DataWorker } from '../workers/client.ts';

export const CHUNK_SIZE = 64;

export async function* preparedChunks(datasetId: string, total: number, spec: PreprocessSpec, dataWorker: DataWorker, signal: AbortSignal): AsyncGenerator<PreparedChunk> {
  const prepare = (from: number) => readSamples(datasetId, from, Math.min(total, from + CHUNK_SIZE)).then((samples) => dataWorker.prepare(samples, spec));
  let next: Promise<PreparedChunk> | null = total > 0 ? prepare(0) : null;
  for (let from = 0; next && !signal.aborted; from += CHUNK_SIZE) {
    const current: Promise<PreparedChunk> = next;
    next = from + CHUNK_SIZE < total ? prepare(from + CHUNK_SIZE) : null;
    next?.catch(() => undefined); // its error surfaces when awaited in the next round
    yield await current;
  }
}
