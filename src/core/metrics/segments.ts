/**
 * Per-segment comparison: accuracy of both models per segment (a class, a manifest tag, an input-size
 * bucket), Δ in points with a paired bootstrap interval, ranked worst first.
 *
 * tooSmall rule: a segment cannot support a conclusion when it has fewer than `minSamples` samples
 * (default 30, the usual floor below which a percentile bootstrap of a proportion under-covers) or
 * when its interval is wider than `maxIntervalPoints` (default 10 points: the interval cannot tell a
 * 1-point loss from a 5-point one). Such segments are still listed, flagged, so the user sees them.
 * Memory: O(segments) plus per-sample arrays (segment index and sample order, 8 bytes per sample).
 */
import { QuantLensError } from '../errors.ts';
import { bootstrapMeanDelta } from '../stats/bootstrap.ts';
import type { BootstrapOptions, Interval } from '../stats/bootstrap.ts';

/** Bootstrap settings plus the tooSmall rule. */
export interface SegmentOptions extends BootstrapOptions {
  /** Fewer samples than this flags the segment; default 30. */
  minSamples?: number;
  /** An interval wider than this many points flags the segment; default 10. */
  maxIntervalPoints?: number;
}

/** One segment's comparison. */
export interface SegmentComparison {
  key: string;
  sampleCount: number;
  floatAccuracy: number;
  quantizedAccuracy: number;
  /** (quantized − float) accuracy in percentage points; negative is a loss. */
  deltaPoints: number;
  /** Paired bootstrap percentile interval of deltaPoints. */
  intervalPoints: Interval;
  tooSmall: boolean;
}

/**
 * Compares the models per segment. keys[i] is sample i's segment; floatCorrect[i] and
 * quantizedCorrect[i] say whether each model got sample i right. Sorted by deltaPoints, worst
 * (most negative) first; ties by more samples, then by key.
 */
export function compareSegments(keys: ArrayLike<string | number>, floatCorrect: ArrayLike<number | boolean>,
  quantizedCorrect: ArrayLike<number | boolean>, options: SegmentOptions = {}): SegmentComparison[] {
  const n = keys.length;
  if (floatCorrect.length !== n || quantizedCorrect.length !== n) {
    throw new QuantLensError('invalid-input',
      `Segments need one key and one result per model for each sample (got ${n}, ${floatCorrect.length} and ${quantizedCorrect.length}).`,
      'Pass per-sample arrays of the same length, in sample order.');
  }
  const minSamples = options.minSamples ?? 30;
  const maxIntervalPoints = options.maxIntervalPoints ?? 10;
  const segmentKeys: string[] = [];
  const indexOfKey = new Map<string, number>();
  const segmentOfSample = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = String(keys[i]);
    let segment = indexOfKey.get(key);
    if (segment === undefined) {
      segment = segmentKeys.length;
      indexOfKey.set(key, segment);
      segmentKeys.push(key);
    }
    segmentOfSample[i] = segment;
  }
  // Counting sort of sample indices by segment: each segment's samples become one contiguous run.
  const starts = new Int32Array(segmentKeys.length + 1);
  for (let i = 0; i < n; i++) starts[segmentOfSample[i] + 1]++;
  for (let s = 0; s < segmentKeys.length; s++) starts[s + 1] += starts[s];
  const order = new Int32Array(n);
  const cursor = starts.slice(0, segmentKeys.length);
  for (let i = 0; i < n; i++) order[cursor[segmentOfSample[i]]++] = i;

  const comparisons = segmentKeys.map((key, s) => {
    const members = order.subarray(starts[s], starts[s + 1]);
    const floats = Uint8Array.from(members, (i) => Number(Boolean(floatCorrect[i])));
    const quantized = Uint8Array.from(members, (i) => Number(Boolean(quantizedCorrect[i])));
    const result = bootstrapMeanDelta(floats, quantized, { ...options, seed: segmentSeed(options.seed ?? 1, key) });
    const intervalPoints = { low: result.interval.low * 100, high: result.interval.high * 100 };
    return {
      key,
      sampleCount: members.length,
      floatAccuracy: result.float,
      quantizedAccuracy: result.quantized,
      deltaPoints: result.delta * 100,
      intervalPoints,
      tooSmall: members.length < minSamples || intervalPoints.high - intervalPoints.low > maxIntervalPoints,
    };
  });
  return comparisons.sort((a, b) => a.deltaPoints - b.deltaPoints || b.sampleCount - a.sampleCount ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// The seed of a segment depends on its key only, so adding samples of other segments leaves it alone (FNV-1a).
function segmentSeed(seed: number, key: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash >>> 0;
}
