/**
 * Per-dataset facts that need every sample: the sample hashes (and so the fingerprint) and the
 * stored test/calibration split. The split is what evaluation reads (the test part) and what
 * quantization will calibrate on (`readCalibrationSamples`).
 */
import type { DatasetSummary } from '../core/data/dataset.ts';
import { datasetFingerprint, sampleHash } from '../core/data/fingerprint.ts';
import { splitDataset, type SplitItem } from '../core/data/split.ts';
import { QuantLensError } from '../core/errors.ts';
import { catalogHash, getCatalog, getDataset, hexToBytes, readSamples, saveCatalog, writeSampleHashes, type DatasetCatalog, type SampleRow } from './db.ts';

const READ_BATCH = 500;

/**
 * Hashes a dataset stored before hashes existed (schema v2): every sample gets its sha256, the
 * dataset its catalog and fingerprint. Datasets stored since are hashed at import.
 */
export async function backfillFingerprint(datasetId: string): Promise<DatasetSummary> {
  const summary = await getDataset(datasetId);
  if (!summary) throw new QuantLensError('dataset-invalid', `Dataset ${datasetId} is not stored in this browser.`, 'Import it again.');
  if (summary.fingerprint && (await getCatalog(datasetId))) return summary;
  const hashes = new Uint8Array(32 * summary.sampleCount);
  const labels = new Int32Array(summary.sampleCount).fill(-1);
  const items: { sha256: string; label: number | null }[] = [];
  for (let from = 0; from < summary.sampleCount; from += READ_BATCH) {
    const rows = await readSamples(datasetId, from, from + READ_BATCH);
    const computed = await Promise.all(rows.map(async (row) => ({ index: row.index, sha256: row.sha256 ?? (await sampleHash(row)) })));
    await writeSampleHashes(datasetId, computed.filter((c, i) => !rows[i].sha256));
    rows.forEach((row, i) => {
      hashes.set(hexToBytes(computed[i].sha256), 32 * row.index);
      labels[row.index] = row.label ?? -1;
      items.push({ sha256: computed[i].sha256, label: row.label });
    });
  }
  const updated = { ...summary, fingerprint: await datasetFingerprint(items, summary.classNames) };
  await saveCatalog({ datasetId, hashes, labels }, updated);
  return updated;
}

function splitItems(catalog: DatasetCatalog): SplitItem[] {
  return Array.from(catalog.labels, (label, index) => ({ index, label: label < 0 ? null : label, sha256: catalogHash(catalog, index) }));
}

/**
 * Makes and stores a seeded, stratified split (core/data/split.ts): `fraction` of each class's
 * distinct contents go to calibration, the rest to test; copies of one content stay together and
 * are reported. A fraction of 0 removes the split (every sample is a test sample).
 */
export async function storeSplit(datasetId: string, options: { seed: number; fraction: number }): Promise<DatasetSummary> {
  const summary = await getDataset(datasetId);
  const catalog = summary?.fingerprint ? await getCatalog(datasetId) : undefined;
  if (!summary || !catalog) throw new QuantLensError('dataset-invalid', 'This dataset has no sample hashes yet.', 'Wait until its fingerprint is shown, then split it.');
  if (options.fraction === 0) {
    const { split: _split, ...rest } = summary;
    await saveCatalog({ datasetId, hashes: catalog.hashes, labels: catalog.labels }, rest);
    return rest;
  }
  const split = splitDataset(splitItems(catalog), { seed: options.seed, calibration: { fraction: options.fraction } });
  const updated: DatasetSummary = {
    ...summary,
    split: { seed: options.seed, fraction: options.fraction, testCount: split.test.length, calibrationCount: split.calibration.length, duplicateGroups: split.duplicates.length },
  };
  await saveCatalog({ ...catalog, split: { seed: options.seed, fraction: options.fraction, test: Int32Array.from(split.test), calibration: Int32Array.from(split.calibration), duplicates: split.duplicates } }, updated);
  return updated;
}

/** The sample indices a run evaluates: the test part of the stored split, or null for every sample. */
export async function testIndices(datasetId: string): Promise<Int32Array | null> {
  return (await getCatalog(datasetId))?.split?.test ?? null;
}

/** The stored split's duplicate groups (identical content), for showing which samples they are. */
export async function splitDuplicates(datasetId: string): Promise<NonNullable<DatasetCatalog['split']>['duplicates']> {
  return (await getCatalog(datasetId))?.split?.duplicates ?? [];
}

/**
 * The calibration part of a dataset's stored split, streamed in batches of stored samples
 * (encoded images, or tensors for IDX/.npz datasets). For the quantizer: calibrate on these, never
 * on the test part. Yields nothing when the dataset has no split.
 */
export async function* readCalibrationSamples(datasetId: string, batchSize = 64): AsyncGenerator<SampleRow[]> {
  const indices = (await getCatalog(datasetId))?.split?.calibration;
  if (!indices) return;
  for (let i = 0; i < indices.length; i += batchSize) {
    const wanted = indices.subarray(i, i + batchSize);
    const rows = await readSamples(datasetId, wanted[0], wanted[wanted.length - 1] + 1);
    const keep = new Set(wanted);
    yield rows.filter((row) => keep.has(row.index));
  }
}
