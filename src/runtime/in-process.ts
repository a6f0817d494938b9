/**
 * Runs an evaluation in the current thread: both sessions in-process, decoding and preprocessing
 * by the core. The Node host (tests now, the CLI later) uses it; the browser uses workers instead.
 * Same core code either way, so the numbers on the wasm provider are the same.
 */
import type { EncodedSample } from '../core/data/dataset.ts';
import { evaluatePair, type EvaluationOutcome, type PreparedChunk } from '../core/eval/evaluate.ts';
import { prepareChunk } from '../core/eval/prepare.ts';
import type { Progress } from '../core/eval/progress.ts';
import { tensorShape } from '../core/preprocess/index.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import type { ProviderId } from '../core/providers/table.ts';
import { ClassificationPair, type ClassificationOutcome, type PairAccumulator, type TaskOutcome } from '../core/tasks/index.ts';
import { shuffled } from '../core/stats/random.ts';
import { openSession } from './ort.ts';
import { sessionRunner } from './runner.ts';

export interface InProcessRun {
  floatModel: Uint8Array;
  quantizedModel: Uint8Array;
  samples: readonly EncodedSample[];
  spec: PreprocessSpec;
  provider?: ProviderId;
  numThreads?: number;
  chunkSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Evaluate in a seeded random order (what an early verdict needs); dataset order when absent. */
  shuffleSeed?: number;
}

/** Classification of the samples (the default task). */
export function evaluateInProcess(run: InProcessRun): Promise<EvaluationOutcome<ClassificationOutcome>> {
  return evaluateTaskInProcess(run, new ClassificationPair());
}

/** Any task: the accumulator decides what the outputs are measured as. */
export async function evaluateTaskInProcess<T extends TaskOutcome>(run: InProcessRun, task: PairAccumulator<T>): Promise<EvaluationOutcome<T>> {
  const options = { provider: run.provider ?? 'wasm', numThreads: run.numThreads ?? 1 } as const;
  const [floatSession, quantizedSession] = await Promise.all([openSession(run.floatModel, options), openSession(run.quantizedModel, options)]);
  try {
    const dims = tensorShape(run.spec, 1);
    return await evaluatePair({
      total: run.samples.length,
      chunks: chunksOf(run.shuffleSeed === undefined ? run.samples : shuffled(run.samples, run.shuffleSeed), run.spec, run.chunkSize ?? 64),
      floatModel: sessionRunner(floatSession, dims),
      quantizedModel: sessionRunner(quantizedSession, dims),
      task,
      signal: run.signal,
      onProgress: run.onProgress,
    });
  } finally {
    await Promise.all([floatSession.release(), quantizedSession.release()]);
  }
}

async function* chunksOf(samples: readonly EncodedSample[], spec: PreprocessSpec, size: number): AsyncGenerator<PreparedChunk> {
  for (let from = 0; from < samples.length; from += size) yield prepareChunk(samples.slice(from, from + size), spec);
}
