/**
 * Checkpoints of task accumulators (a run interrupted by a reload resumes from one). The metric
 * accumulators keep their state private, so a task restores them by replaying inputs that are
 * equivalent for what they count: score vectors with the same argmax and top-k membership, pixel
 * pairs with the same confusion counts, vector pairs with the same cosine. Each replay is exact:
 * finish() after a restore equals finish() of the uninterrupted run (test/unit/core/tasks/snapshot.test.ts).
 */
import { QuantLensError } from '../errors.ts';
import { cosineSimilarity, type SegmentationAccumulator } from '../metrics/index.ts';
import type { TaskKind } from './types.ts';

/** What every task snapshot starts with: which task wrote it, in which layout. */
export interface SnapshotHeader {
  kind: TaskKind;
  version: number;
}

/** Throws unless `state` is a snapshot of this task, in a layout this code reads. */
export function checkSnapshot<S extends SnapshotHeader>(state: unknown, kind: TaskKind, versions: readonly number[] = [1]): S {
  const header = state as Partial<SnapshotHeader> | null;
  if (header?.kind !== kind || !versions.includes(header.version as number)) {
    throw new QuantLensError('invalid-input', `The checkpoint is not one of a ${kind} run (${header?.kind ?? 'unknown'}, layout ${String(header?.version)}).`,
      'Discard the interrupted run and start it again.');
  }
  return state as S;
}

/**
 * Scores (in `buffer`) whose argmax is `prediction` and in whose top k the label is or is not:
 * the prediction scores 2, the label 1 when in the top k, -1 when not (last of all), the rest 0.
 * Valid for a classifier with more classes than k whenever the flags came from real scores.
 */
export function scoresFor(buffer: Float32Array, prediction: number, label: number | null, labelInTopK: boolean): Float32Array {
  buffer.fill(0);
  buffer[prediction] = 2;
  if (label !== null && label !== prediction) buffer[label] = labelInTopK ? 1 : -1;
  return buffer;
}

/** One segmentation accumulator's counts: enough to rebuild it. */
export interface SegmentationCounts {
  /** Label-major n×n pixel counts. */
  confusion: Float64Array;
  imageCount: number;
  ignoredPixelCount: number;
}

/** Counts of an accumulator, from its result. */
export function segmentationCounts(accumulator: SegmentationAccumulator): SegmentationCounts {
  const result = accumulator.result();
  return { confusion: Float64Array.from(result.confusionMatrix.flat()), imageCount: result.imageCount, ignoredPixelCount: result.ignoredPixelCount };
}

/**
 * Adds `counts` to a fresh accumulator in exactly `imageCount` adds (so its image count matches):
 * the pixels (label, prediction) cell by cell, then the ignored ones, about one image's worth per
 * add. The counts are integers in float64, so the order does not change them.
 */
export function replaySegmentationCounts(accumulator: SegmentationAccumulator, counts: SegmentationCounts, ignoreIndex: number): void {
  const n = Math.round(Math.sqrt(counts.confusion.length));
  if (counts.imageCount === 0) return;
  const total = counts.confusion.reduce((sum, c) => sum + c, 0) + counts.ignoredPixelCount;
  const perAdd = Math.max(1, Math.ceil(total / counts.imageCount));
  const labels = new Int32Array(perAdd);
  const predicted = new Int32Array(perAdd);
  let filled = 0;
  let adds = 0;
  const push = (label: number, prediction: number, count: number) => {
    for (let left = count; left > 0;) {
      const take = Math.min(left, perAdd - filled);
      labels.fill(label, filled, filled + take);
      predicted.fill(prediction, filled, filled + take);
      filled += take;
      left -= take;
      if (filled === perAdd) {
        accumulator.add(predicted, labels);
        adds++;
        filled = 0;
      }
    }
  };
  for (let cell = 0; cell < counts.confusion.length; cell++) push(Math.floor(cell / n), cell % n, counts.confusion[cell]);
  push(ignoreIndex, 0, counts.ignoredPixelCount);
  if (filled > 0) {
    accumulator.add(predicted.subarray(0, filled), labels.subarray(0, filled));
    adds++;
  }
  for (; adds < counts.imageCount; adds++) accumulator.add([], []);
}

/** Steps a double to the next representable value towards -∞ (positive finite values only). */
function nextDown(value: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

const UNIT = Float64Array.of(1, 0, 0);

/**
 * Two vectors whose cosineSimilarity is exactly `cosine`: (1, 0, 0) and (c, y, z) with
 * c² + y² + z² summing to exactly 1 in floating point, so the quotient is c itself. Verified.
 */
export function vectorsWithCosine(cosine: number): [Float64Array, Float64Array] {
  const squared = cosine * cosine;
  let y = Math.sqrt(Math.max(0, 1 - squared));
  while (y > 0 && squared + y * y > 1) y = nextDown(y);
  const partial = squared + y * y;
  let z = Math.sqrt(1 - partial);
  for (let attempt = 0; attempt < 64; attempt++) {
    const other = Float64Array.of(cosine, y, z);
    if (cosineSimilarity(UNIT, other) === cosine) return [UNIT, other];
    z = z > 0 ? nextDown(z) : z;
  }
  throw new QuantLensError('invalid-input', `Could not restore the cosine ${cosine} from the checkpoint.`, 'Discard the interrupted run and start it again.');
}
