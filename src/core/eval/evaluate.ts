import type { SampleFailure, SampleTarget } from '../data/dataset.ts';
import type { PreprocessedTensorData } from '../preprocess/spec.ts';
import type { LatencySummary } from '../metrics/types.ts';
import { summarizeLatencies } from '../metrics/latency.ts';
import type { EarlyVerdict, PairAccumulator, TaskOutcome } from '../tasks/types.ts';
import { ProgressClock, type Progress } from './progress.ts';
import { QuantLensError } from '../errors.ts';

/**
 * The one evaluation loop, host-agnostic and task-agnostic: the browser feeds it from a data
 * worker and two model workers, Node from files and in-process sessions; a task accumulator turns
 * the outputs into metrics. Same code, same numbers.
 */

export interface PreparedSample {
  index: number;
  label: number | null;
  input: PreprocessedTensorData;
  /** The decoded image's size before preprocessing (detection maps boxes back to it). */
  imageSize?: { width: number; height: number };
  /** Boxes or a mask, for detection and segmentation. */
  target?: SampleTarget;
  /** Segments from a manifest ("lighting": "night"). */
  tags?: Record<string, string>;
}

export interface PreparedChunk {
  samples: PreparedSample[];
  failures: SampleFailure[];
}

/** One output tensor of one inference. */
export interface OutputTensor {
  data: Float32Array;
  dims: number[];
}

export interface ChunkOutput {
  /** Per input (in input order), every model output in the model's output order. */
  outputs: OutputTensor[][];
  /** Per-inference latency, measured around the engine's run call. */
  latenciesMs: number[];
}

/**
 * Runs a model on a chunk of single-sample inputs. The evaluator owns the inputs it passes. Calls may
 * overlap (the evaluator keeps two chunks in flight): a runner runs them one after the other, in call
 * order (wrap it in `inOrder`).
 */
export interface ModelRunner {
  runChunk(inputs: PreprocessedTensorData[]): Promise<ChunkOutput>;
}

/** A runner whose overlapping calls run one at a time, in call order (engines do not run a session twice at once). */
export function inOrder(run: ModelRunner['runChunk']): ModelRunner {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    runChunk(inputs) {
      const result = tail.then(() => run(inputs));
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

export interface EvaluationPlan<T extends TaskOutcome = TaskOutcome> {
  /** Number of samples the source will yield (for progress and ETA). */
  total: number;
  chunks: AsyncIterable<PreparedChunk>;
  floatModel: ModelRunner;
  quantizedModel: ModelRunner;
  /** What the outputs are measured as (classification, detection...). */
  task: PairAccumulator<T>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  now?: () => number;
  /**
   * Continue an interrupted run: the task, latencies and skipped samples are restored from the
   * checkpoint, and `chunks` must start right after the `chunksDone` chunks it covers.
   */
  resumeFrom?: EvaluationCheckpoint;
  /**
   * Called (and awaited) after a chunk once `checkpointEvery` has passed since the last call, never
   * after the last chunk. The checkpoint is structured-clone-safe and no longer changes.
   */
  onCheckpoint?: (checkpoint: EvaluationCheckpoint) => void | Promise<void>;
  /** Default: every 2 s or 512 samples (or a quarter of those done, when more), whichever comes first. */
  checkpointEvery?: { ms: number; samples: number };
}

/** Where an interrupted run stood, at a chunk boundary: enough to finish it as if never stopped. */
export interface EvaluationCheckpoint {
  /** Chunks the source had yielded; a resumed source starts after them. */
  chunksDone: number;
  /** Samples done (evaluated + skipped), as progress counts them. */
  done: number;
  /** The task accumulator's `snapshot()`. */
  task: unknown;
  latencies: { float: number[]; quantized: number[] };
  skipped: SampleFailure[];
  elapsedMs: number;
}

export const DEFAULT_CHECKPOINT_EVERY = { ms: 2000, samples: 512 } as const;

/** Chunks handed to the models before the first of them is scored (see evaluatePair). */
const CHUNKS_IN_FLIGHT = 2;

export interface EvaluationResult<T extends TaskOutcome = TaskOutcome> {
  /** Set when the run stopped early because the verdict was statistically settled. */
  early?: EarlyVerdict;
  /** Samples both models ran on. */
  sampleCount: number;
  skipped: SampleFailure[];
  latency: { float: LatencySummary; quantized: LatencySummary };
  task: T;
  durationMs: number;
}

export interface EvaluationOutcome<T extends TaskOutcome = TaskOutcome> {
  /**
   * 'cancelled' is a normal outcome: the result then covers the samples done so far. 'settled':
   * stopped early because the verdict was statistically settled (see result.early).
   */
  status: 'complete' | 'cancelled' | 'settled';
  result: EvaluationResult<T> | null;
}

/** Runs both models on every sample, concurrently, and accumulates the task's metrics as it goes. */
export async function evaluatePair<T extends TaskOutcome>(plan: EvaluationPlan<T>): Promise<EvaluationOutcome<T>> {
  const now = plan.now ?? (() => performance.now());
  const resumed = plan.resumeFrom;
  if (resumed) restoreTask(plan.task, resumed.task);
  const clock = new ProgressClock(plan.total, now, resumed ?? undefined);
  const skipped: SampleFailure[] = [...(resumed?.skipped ?? [])];
  const latencies = { float: [...(resumed?.latencies.float ?? [])], quantized: [...(resumed?.latencies.quantized ?? [])] };
  let chunksDone = resumed?.chunksDone ?? 0;
  let cancelled = false;
  let early: EarlyVerdict | null = plan.task.settled?.() ?? null;
  const every = plan.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  let lastCheckpoint = { at: now(), done: clock.done };

  // Two chunks in flight: while the main thread scores chunk n, both workers already run chunk n+1,
  // so neither waits for a round trip (outputs are still taken in order: same numbers as one at a time).
  const source = plan.chunks[Symbol.asyncIterator]();
  const inFlight: { chunk: PreparedChunk; outputs: Promise<[ChunkOutput, ChunkOutput]> | null }[] = [];
  let exhausted = early !== null;
  const launch = (chunk: PreparedChunk) => {
    if (chunk.samples.length === 0) return { chunk, outputs: null };
    const inputs = chunk.samples.map((s) => s.input);
    // Each model gets its own buffers: hosts may transfer (detach) what they are given.
    const outputs = Promise.all([plan.floatModel.runChunk(inputs.map((a) => a.slice())), plan.quantizedModel.runChunk(inputs)]);
    outputs.catch(() => undefined); // a chunk dropped by a cancel or an early verdict must not report its failure
    return { chunk, outputs };
  };
  try {
    for (;;) {
      while (!exhausted && inFlight.length < CHUNKS_IN_FLIGHT && !plan.signal?.aborted) {
        const next = await source.next();
        if (next.done) exhausted = true;
        else inFlight.push(launch(next.value));
      }
      if (plan.signal?.aborted) {
        cancelled = true;
        break;
      }
      const current = inFlight.shift();
      if (!current) break;
      const { chunk } = current;
      skipped.push(...chunk.failures);
      if (current.outputs) {
        const [floatOut, quantizedOut] = await current.outputs;
        chunk.samples.forEach((sample, i) => plan.task.add(sample, floatOut.outputs[i], quantizedOut.outputs[i]));
        latencies.float.push(...floatOut.latenciesMs);
        latencies.quantized.push(...quantizedOut.latenciesMs);
      }
      chunksDone++;
      const progress = clock.advance(chunk.samples.length + chunk.failures.length); // not inside ?.(): it must always count
      plan.onProgress?.(progress);
      early = plan.task.settled?.() ?? null;
      if (early) break;
      if (plan.signal?.aborted) {
        cancelled = true;
        break;
      }
      // The sample step grows with the run (a checkpoint costs in proportion to the samples done): a quarter of them at most.
      const due = now() - lastCheckpoint.at >= every.ms || clock.done - lastCheckpoint.done >= Math.max(every.samples, clock.done / 4);
      if (plan.onCheckpoint && plan.task.snapshot && due && clock.done < plan.total) {
        await plan.onCheckpoint({
          chunksDone,
          done: clock.done,
          task: plan.task.snapshot(),
          latencies: { float: latencies.float.slice(), quantized: latencies.quantized.slice() },
          skipped: skipped.slice(),
          elapsedMs: clock.elapsedMs(),
        });
        lastCheckpoint = { at: now(), done: clock.done };
      }
    }
  } finally {
    // Stopped before the source ended (cancel, early verdict, error): let it clean up (a tensor cache it was writing).
    if (!exhausted) await source.return?.();
  }

  const status = cancelled ? 'cancelled' : early ? 'settled' : 'complete';
  const sampleCount = latencies.float.length;
  if (sampleCount === 0) return { status, result: null };
  return {
    status,
    result: {
      sampleCount,
      skipped,
      latency: { float: summarizeLatencies(latencies.float), quantized: summarizeLatencies(latencies.quantized) },
      task: plan.task.finish(),
      durationMs: clock.elapsedMs(),
      ...(early ? { early } : {}),
    },
  };
}

function restoreTask(task: PairAccumulator, state: unknown): void {
  if (!task.restore) throw new QuantLensError('invalid-input', 'This task cannot resume from a checkpoint.', 'Discard the interrupted run and start it again.');
  task.restore(state);
}
