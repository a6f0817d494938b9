/**
 * Where a classifier degrades: accuracy of both models per segment (class, input size, each
 * manifest tag), Δ with a bootstrap interval, worst first; segments too small to conclude flagged.
 */
import { compareSegments, type SegmentComparison } from '../metrics/segments.ts';

export interface SegmentTable {
  /** "class", "input size" or a manifest tag name. */
  dimension: string;
  rows: SegmentComparison[];
}

/** Input-size buckets by the longer side of the decoded image. */
export function sizeBucket(size: { width: number; height: number } | undefined): string {
  if (!size) return 'unknown';
  const side = Math.max(size.width, size.height);
  const edges = [32, 64, 128, 256, 512, 1024];
  const upper = edges.find((edge) => side <= edge);
  if (upper === undefined) return '> 1024 px';
  const lower = edges[edges.indexOf(upper) - 1];
  return lower === undefined ? `≤ ${upper} px` : `${lower + 1}–${upper} px`;
}

export interface SegmentSample {
  label: number;
  floatCorrect: boolean;
  quantizedCorrect: boolean;
  size?: { width: number; height: number };
  tags?: Record<string, string>;
}

/** Segment tables for labelled samples; a dimension with a single segment says nothing and is left out. */
export function segmentTables(samples: readonly SegmentSample[], classNames: (index: number) => string): SegmentTable[] {
  const floatCorrect = samples.map((s) => s.floatCorrect);
  const quantizedCorrect = samples.map((s) => s.quantizedCorrect);
  const dimensions = new Map<string, string[]>([
    ['class', samples.map((s) => classNames(s.label))],
    ['input size', samples.map((s) => sizeBucket(s.size))],
  ]);
  const tagNames = [...new Set(samples.flatMap((s) => Object.keys(s.tags ?? {})))].sort();
  for (const tag of tagNames) dimensions.set(tag, samples.map((s) => s.tags?.[tag] ?? '(none)'));
  const tables: SegmentTable[] = [];
  for (const [dimension, keys] of dimensions) {
    if (new Set(keys).size < 2) continue;
    tables.push({ dimension, rows: compareSegments(keys, floatCorrect, quantizedCorrect) });
  }
  return tables;
}
