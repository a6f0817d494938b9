/**
 * A run over the selected test set AND the field samples of the same classes, each its own segment:
 * the test set's samples (its split's test part) first, tagged `source: test`, then the field
 * samples, which keep `source: field`, their indices offset by the test set's sample count so that
 * none collides (the result records the parts: `sampleOrigin` in core/report maps an index back).
 * Nothing of a combined run is read from or written to the tensor cache (a set belongs to one
 * dataset fingerprint), and its dataset fingerprint is that of the combination (`combinedFingerprint`).
 */
import type { DatasetSummary } from '../core/data/dataset.ts';
import { canonicalJson, sha256Hex } from '../core/data/fingerprint.ts';
import type { PreparedChunk } from '../core/eval/evaluate.ts';
import type { DatasetPart } from '../core/report/index.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import type { DataWorker } from '../workers/client.ts';
import { FIELD_TAGS, fieldDataset } from './field-samples.ts';
import { CHUNK_SIZE, planInputs, preparedChunks, type InputPlan, type InputStats } from './pipeline.ts';

export const TEST_SOURCE = 'test';

/** The stored field-samples dataset for these classes, if any (and not the selected one itself). */
export async function matchingFieldDataset(selected: DatasetSummary | null, datasets: readonly DatasetSummary[]): Promise<DatasetSummary | null> {
  if (!selected || !selected.classNames.length) return null;
  const { id } = await fieldDataset(selected.classNames);
  if (selected.id === id) return null;
  return datasets.find((d) => d.id === id && d.sampleCount > 0 && sameClasses(d.classNames, selected.classNames)) ?? null;
}

function sameClasses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/**
 * The dataset fingerprint of a combined run: SHA-256 of the canonical JSON
 * `{"combined":[<test set fingerprint>,<field samples fingerprint>]}` (hex), in run order; undefined
 * when either part has none (the result then claims no fingerprint).
 */
export async function combinedFingerprint(fingerprints: readonly (string | undefined)[]): Promise<string | undefined> {
  if (fingerprints.some((fp) => !fp)) return undefined;
  return sha256Hex(new TextEncoder().encode(canonicalJson({ combined: fingerprints })));
}

/** A chunk of one part as the run sees it: indices offset, every sample (and failure) of this source. */
export function asPart(chunk: PreparedChunk, source: string, indexOffset: number): PreparedChunk {
  return {
    samples: chunk.samples.map((s) => ({ ...s, index: s.index + indexOffset, tags: { ...s.tags, source } })),
    failures: chunk.failures.map((f) => ({ ...f, index: f.index + indexOffset })),
  };
}

/** The parts of a combined run, in run order (the test set's index range first). */
export function combinedParts(test: DatasetSummary, field: DatasetSummary, fingerprints: { test?: string; field?: string }): DatasetPart[] {
  const part = (d: DatasetSummary, source: string, indexOffset: number, fingerprint?: string): DatasetPart => ({ id: d.id, name: d.name, source, sampleCount: d.sampleCount, indexOffset, ...(fingerprint ? { fingerprint } : {}) });
  return [part(test, TEST_SOURCE, 0, fingerprints.test), part(field, FIELD_TAGS.source, test.sampleCount, fingerprints.field)];
}

/** Chunks the test set yields in a run (one per CHUNK_SIZE of its samples, test part filtered). */
export const chunkCount = (dataset: DatasetSummary) => Math.ceil(dataset.sampleCount / CHUNK_SIZE);

export interface CombinedPlan {
  /** What the run sees as one input plan (never cached). */
  plan: InputPlan;
  test: InputPlan;
  field: InputPlan;
  parts: DatasetPart[];
}

const uncached = (plan: InputPlan): InputPlan => ({ ...plan, cacheSetId: null, fromCache: false });

export async function planCombined(test: DatasetSummary, field: DatasetSummary, spec: PreprocessSpec): Promise<CombinedPlan> {
  const [testPlan, fieldPlan] = await Promise.all([planInputs(test, spec), planInputs(field, spec)]);
  const fingerprint = await combinedFingerprint([testPlan.datasetFingerprint, fieldPlan.datasetFingerprint]);
  return {
    plan: { total: testPlan.total + fieldPlan.total, include: null, ...(fingerprint ? { datasetFingerprint: fingerprint } : {}), preprocessFingerprint: testPlan.preprocessFingerprint, cacheSetId: null, fromCache: false },
    test: uncached(testPlan),
    field: uncached(fieldPlan),
    parts: combinedParts(test, field, { test: testPlan.datasetFingerprint, field: fieldPlan.datasetFingerprint }),
  };
}

/** The test set's chunks, then the field samples' (resumable by chunk number across both). */
export async function* combinedChunks(test: DatasetSummary, field: DatasetSummary, plans: CombinedPlan, spec: PreprocessSpec, dataWorker: DataWorker, signal: AbortSignal, stats?: InputStats, startChunk = 0): AsyncGenerator<PreparedChunk> {
  const testChunks = chunkCount(test);
  if (startChunk < testChunks) {
    for await (const chunk of preparedChunks(test, plans.test, spec, dataWorker, signal, stats, startChunk)) yield asPart(chunk, TEST_SOURCE, 0);
  }
  if (signal.aborted) return;
  const waited = stats?.waitMs ?? 0;
  for await (const chunk of preparedChunks(field, plans.field, spec, dataWorker, signal, stats, Math.max(0, startChunk - testChunks))) yield asPart(chunk, FIELD_TAGS.source, test.sampleCount);
  if (stats) stats.waitMs += waited;
}
