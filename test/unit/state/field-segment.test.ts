/**
 * The pure parts of a run over a test set and the field samples: chunks re-indexed and tagged per
 * part (so the segments table gets a `source` dimension), the parts recorded so that every run index
 * maps back to its stored dataset, the combined fingerprint, and which field dataset matches.
 */
import { describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../../src/core/data/dataset.ts';
import { canonicalJson, sha256Hex } from '../../../src/core/data/fingerprint.ts';
import type { PreparedChunk } from '../../../src/core/eval/evaluate.ts';
import { sampleOrigin } from '../../../src/core/report/index.ts';
import { segmentTables } from '../../../src/core/tasks/segments.ts';
import { fieldDataset } from '../../../src/state/field-samples.ts';
import { asPart, chunkCount, combinedFingerprint, combinedParts, matchingFieldDataset } from '../../../src/state/field-segment.ts';

const digits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const summary = (id: string, sampleCount: number, extra: Partial<DatasetSummary> = {}): DatasetSummary => ({ id, name: id, source: 'folder', createdAt: 0, sampleCount, classNames: digits, sizeBytes: 0, skipped: [], ...extra });
const chunk = (indices: number[], tags?: Record<string, string>): PreparedChunk => ({
  samples: indices.map((index) => ({ index, label: index % 10, input: new Float32Array(1), ...(tags ? { tags: { ...tags } } : {}) })) as PreparedChunk['samples'],
  failures: [{ index: 99, name: 'broken.png', reason: 'not an image' }] as PreparedChunk['failures'],
});

describe('asPart', () => {
  it('offsets indices (samples and failures) and sets the source tag, keeping the other tags', () => {
    const field = asPart(chunk([0, 1], { source: 'field', input: 'drawing' }), 'field', 2000);
    expect(field.samples.map((s) => s.index)).toEqual([2000, 2001]);
    expect(field.samples.map((s) => s.tags)).toEqual([{ source: 'field', input: 'drawing' }, { source: 'field', input: 'drawing' }]);
    expect(field.failures.map((f) => f.index)).toEqual([2099]);
    const test = asPart(chunk([5]), 'test', 0);
    expect(test.samples[0]).toMatchObject({ index: 5, tags: { source: 'test' } });
    // The input chunk is not changed.
    const original = chunk([3], { source: 'manifest' });
    asPart(original, 'test', 10);
    expect(original.samples[0]).toMatchObject({ index: 3, tags: { source: 'manifest' } });
  });

  it('gives the segments table a source dimension with both parts', () => {
    const samples = [...asPart(chunk([0, 1, 2]), 'test', 0).samples, ...asPart(chunk([0, 1], { source: 'field', input: 'photo' }), 'field', 3).samples];
    const tables = segmentTables(samples.map((s) => ({ label: s.label ?? 0, floatCorrect: true, quantizedCorrect: s.index !== 4, ...(s.tags ? { tags: s.tags } : {}) })), String);
    const source = tables.find((t) => t.dimension === 'source');
    expect(source?.rows.map((r) => [r.key, r.sampleCount]).sort()).toEqual([['field', 2], ['test', 3]]);
    // `input` has the field's value and '(none)' for the test samples.
    expect(tables.find((t) => t.dimension === 'input')?.rows.map((r) => r.key).sort()).toEqual(['(none)', 'photo']);
  });
});

describe('combinedParts and sampleOrigin', () => {
  it('maps every run index back to its dataset and stored index', () => {
    const parts = combinedParts(summary('mnist', 2000), summary('field-samples-x', 2), { test: 'a'.repeat(64) });
    expect(parts).toEqual([
      { id: 'mnist', name: 'mnist', source: 'test', sampleCount: 2000, indexOffset: 0, fingerprint: 'a'.repeat(64) },
      { id: 'field-samples-x', name: 'field-samples-x', source: 'field', sampleCount: 2, indexOffset: 2000 },
    ]);
    const dataset = { id: 'mnist', parts };
    expect(sampleOrigin(dataset, 0)).toEqual({ datasetId: 'mnist', index: 0 });
    expect(sampleOrigin(dataset, 1999)).toEqual({ datasetId: 'mnist', index: 1999 });
    expect(sampleOrigin(dataset, 2000)).toEqual({ datasetId: 'field-samples-x', index: 0 });
    expect(sampleOrigin(dataset, 2001)).toEqual({ datasetId: 'field-samples-x', index: 1 });
    // A plain run (no parts): the index as it is.
    expect(sampleOrigin({ id: 'mnist' }, 1234)).toEqual({ datasetId: 'mnist', index: 1234 });
  });

  it('counts the test set chunks by its sample count (what a resumed position splits on)', () => {
    expect(chunkCount(summary('a', 2000))).toBe(32);
    expect(chunkCount(summary('a', 64))).toBe(1);
    expect(chunkCount(summary('a', 65))).toBe(2);
  });
});

describe('combinedFingerprint', () => {
  it('is the SHA-256 of the canonical JSON of both fingerprints, in run order, and absent when one is', async () => {
    const a = '1'.repeat(64);
    const b = '2'.repeat(64);
    const fp = await combinedFingerprint([a, b]);
    expect(fp).toBe(await sha256Hex(new TextEncoder().encode(canonicalJson({ combined: [a, b] }))));
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fp).not.toBe(a);
    expect(await combinedFingerprint([b, a])).not.toBe(fp);
    expect(await combinedFingerprint([a, undefined])).toBeUndefined();
    expect(await combinedFingerprint([undefined, b])).toBeUndefined();
  });
});

describe('matchingFieldDataset', () => {
  it('finds the field samples of the selected dataset’s class names, never the selected one itself', async () => {
    const { id } = await fieldDataset(digits);
    const field = summary(id, 2);
    const test = summary('mnist', 2000);
    const other = summary((await fieldDataset(['cat', 'dog'])).id, 3, { classNames: ['cat', 'dog'] });
    expect(await matchingFieldDataset(test, [test, other, field])).toBe(field);
    expect(await matchingFieldDataset(test, [test, other])).toBeNull();
    expect(await matchingFieldDataset(field, [test, field])).toBeNull();
    expect(await matchingFieldDataset(null, [field])).toBeNull();
    expect(await matchingFieldDataset(summary('unlabelled', 5, { classNames: [] }), [field])).toBeNull();
    expect(await matchingFieldDataset(test, [test, summary(id, 0)])).toBeNull();
  });
});
