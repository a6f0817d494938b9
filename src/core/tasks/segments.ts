/**
 * Where a classifier degrades: accuracy of both models per segment (class, input size, each
 * manifest tag), Δ with a bootstrap interval, worst first; segments too small to conclude flagged.
 */
import { compareSegments, type SegmentComparison } from '../metrics/segments.ts';
import { GrowableArray } from '../metrics/growable.ts';

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
export function segmentTables(samples: readonly SegmentSample[] | SegmentSamples, classNames: (index: number) => string): SegmentTable[] {
  const store = samples instanceof SegmentSamples ? samples : SegmentSamples.of(samples);
  const { labels, floatCorrect, quantizedCorrect, widths, heights, tagSetIds, tagSets } = store.columns();
  const dimensions = new Map<string, string[]>([
    ['class', Array.from(labels, (label) => classNames(label))],
    ['input size', Array.from(widths, (width, i) => sizeBucket(width < 0 ? undefined : { width, height: heights[i] }))],
  ]);
  const tagNames = [...new Set(tagSets.flatMap((tags) => Object.keys(tags)))].sort();
  for (const tag of tagNames) dimensions.set(tag, Array.from(tagSetIds, (id) => (id < 0 ? undefined : tagSets[id][tag]) ?? '(none)'));
  const tables: SegmentTable[] = [];
  for (const [dimension, keys] of dimensions) {
    if (new Set(keys).size < 2) continue;
    tables.push({ dimension, rows: compareSegments(keys, floatCorrect, quantizedCorrect) });
  }
  return tables;
}

/** The segment samples as columns (structured-clone-safe; what checkpoints store). Size -1: unknown; tag set -1: none. */
export interface SegmentColumns {
  labels: Int32Array;
  floatCorrect: Uint8Array;
  quantizedCorrect: Uint8Array;
  widths: Int32Array;
  heights: Int32Array;
  tagSetIds: Int32Array;
  /** Each distinct tag record once. */
  tagSets: Record<string, string>[];
}

/**
 * Labelled samples as the segment tables see them, in columns: about 20 bytes a sample, and a
 * manifest's tag records stored once each however many samples share them.
 */
export class SegmentSamples {
  readonly #labels = new GrowableArray('int32', 1024);
  readonly #floatCorrect = new GrowableArray('uint8', 1024);
  readonly #quantizedCorrect = new GrowableArray('uint8', 1024);
  readonly #widths = new GrowableArray('int32', 1024);
  readonly #heights = new GrowableArray('int32', 1024);
  readonly #tagSetIds = new GrowableArray('int32', 1024);
  readonly #tagSets: Record<string, string>[] = [];
  readonly #tagSetByKey = new Map<string, number>();

  static of(samples: readonly SegmentSample[]): SegmentSamples {
    const store = new SegmentSamples();
    for (const sample of samples) store.add(sample);
    return store;
  }

  static fromColumns(columns: SegmentColumns): SegmentSamples {
    const store = new SegmentSamples();
    store.addColumns(columns);
    return store;
  }

  get length(): number {
    return this.#labels.length;
  }

  add(sample: SegmentSample): void {
    this.#labels.push(sample.label);
    this.#floatCorrect.push(sample.floatCorrect ? 1 : 0);
    this.#quantizedCorrect.push(sample.quantizedCorrect ? 1 : 0);
    this.#widths.push(sample.size ? sample.size.width : -1);
    this.#heights.push(sample.size ? sample.size.height : -1);
    this.#tagSetIds.push(sample.tags ? this.#tagSetId(sample.tags) : -1);
  }

  addColumns(columns: SegmentColumns): void {
    for (let i = 0; i < columns.labels.length; i++) {
      const id = columns.tagSetIds[i];
      this.add({
        label: columns.labels[i],
        floatCorrect: columns.floatCorrect[i] === 1,
        quantizedCorrect: columns.quantizedCorrect[i] === 1,
        ...(columns.widths[i] >= 0 ? { size: { width: columns.widths[i], height: columns.heights[i] } } : {}),
        ...(id >= 0 ? { tags: columns.tagSets[id] } : {}),
      });
    }
  }

  /** Copies of the columns. */
  columns(): SegmentColumns {
    return {
      labels: this.#labels.copy(),
      floatCorrect: this.#floatCorrect.copy(),
      quantizedCorrect: this.#quantizedCorrect.copy(),
      widths: this.#widths.copy(),
      heights: this.#heights.copy(),
      tagSetIds: this.#tagSetIds.copy(),
      tagSets: this.#tagSets.map((tags) => ({ ...tags })),
    };
  }

  #tagSetId(tags: Record<string, string>): number {
    const key = JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let id = this.#tagSetByKey.get(key);
    if (id === undefined) {
      id = this.#tagSets.length;
      this.#tagSets.push({ ...tags });
      this.#tagSetByKey.set(key, id);
    }
    return id;
  }
}
