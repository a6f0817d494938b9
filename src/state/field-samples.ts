/**
 * Spot-checked inputs kept in IndexedDB: the "Field samples" dataset (one per class list, so each
 * model family keeps its own), appended one sample at a time, every sample tagged `source: field`
 * so an evaluation lists it as its own segment; and the one-sample scratch input the layer pass reads.
 */
import type { DatasetSummary } from '../core/data/dataset.ts';
import { datasetFingerprint, sampleHash, sha256Hex } from '../core/data/fingerprint.ts';
import { QuantLensError } from '../core/errors.ts';
import { catalogHash, database, getCatalog, getDataset, hexToBytes, readSamples, SCHEMA_VERSION, storageError } from '../storage/db.ts';

/** Where a spot-checked input came from (also a tag, so it is a segment too). */
export type SpotSource = 'camera' | 'photo' | 'drawing';

/** An input as it was checked: its encoded bytes are what the models saw (before preprocessing). */
export interface SpotInput {
  bytes: ArrayBuffer;
  mime: string;
  source: SpotSource;
}

/** The tag that makes field samples a segment of their own in the classification segments table. */
export const FIELD_TAGS = { source: 'field' } as const;

/** Id of the (never listed) dataset that holds the one input of a single-input layer pass. */
export const SCRATCH_DATASET_ID = 'spotcheck-scratch-input';

/** The field dataset for a class list: its id (stable per class list) and its name in the dataset list. */
export async function fieldDataset(classNames: readonly string[]): Promise<{ id: string; name: string }> {
  const hash = await sha256Hex(new TextEncoder().encode(JSON.stringify(classNames)));
  const n = classNames.length;
  const classes = n <= 4 ? classNames.join(', ') : `${classNames[0]} … ${classNames[n - 1]}, ${n} classes`;
  return { id: `field-samples-${hash.slice(0, 12)}`, name: `Field samples (${classes})` };
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif', 'image/bmp': 'bmp' };

/**
 * Appends one labelled input to the field dataset of these classes (created on first use). Sample,
 * catalog and summary (new fingerprint) are written in one transaction, so a reload or a full disk
 * never loses the samples stored before; cached tensors of the older contents are dropped with it.
 */
export async function addFieldSample(input: SpotInput, label: number, classNames: readonly string[], now = new Date()): Promise<DatasetSummary> {
  if (!Number.isInteger(label) || label < 0 || label >= classNames.length) {
    throw new QuantLensError('invalid-input', `Label ${label} is not one of the model's ${classNames.length} classes.`, 'Pick one of the listed labels.');
  }
  const { id, name } = await fieldDataset(classNames);
  const sha256 = await sha256Hex(input.bytes);
  const existing = await getDataset(id);
  const index = existing?.sampleCount ?? 0;
  const previous = existing ? await previousEntries(id, index) : [];
  const entries: { sha256: string; label: number | null }[] = [...previous, { sha256, label }];
  const fingerprint = await datasetFingerprint(entries, classNames);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const sampleName = `${classNames[label]}/${input.source}-${stamp}.${EXTENSIONS[input.mime] ?? 'img'}`;
  const summary: DatasetSummary = {
    id,
    name,
    source: 'folder',
    createdAt: existing?.createdAt ?? now.getTime(),
    sampleCount: index + 1,
    classNames: [...classNames],
    sizeBytes: (existing?.sizeBytes ?? 0) + input.bytes.byteLength,
    skipped: [],
    content: 'images',
    fingerprint,
  };
  try {
    const db = await database();
    const staleSets = await db.getAllKeysFromIndex('tensorSets', 'byDataset', id);
    const tx = db.transaction(['datasets', 'samples', 'catalogs', 'tensorSets', 'tensorChunks'], 'readwrite');
    const hashes = new Uint8Array(32 * entries.length);
    entries.forEach((entry, i) => hashes.set(hexToBytes(entry.sha256), 32 * i));
    await Promise.all([
      tx.objectStore('samples').put({ datasetId: id, index, name: sampleName, label, mime: input.mime, bytes: input.bytes, kind: 'encoded', sha256, tags: { ...FIELD_TAGS, input: input.source } }),
      tx.objectStore('catalogs').put({ datasetId: id, hashes, labels: Int32Array.from(entries, (e) => e.label ?? -1) }),
      tx.objectStore('datasets').put({ ...summary, schemaVersion: SCHEMA_VERSION, complete: true }),
      ...staleSets.flatMap((setId) => [tx.objectStore('tensorSets').delete(setId), tx.objectStore('tensorChunks').delete(IDBKeyRange.bound([setId, -Infinity], [setId, Infinity]))]),
      tx.done,
    ]);
  } catch (error) {
    throw storageError(error, `add this input to '${name}'`);
  }
  return summary;
}

/** Hashes and labels of the samples already stored (from the catalog, or the rows when it is missing). */
async function previousEntries(id: string, count: number): Promise<{ sha256: string; label: number | null }[]> {
  const catalog = await getCatalog(id);
  if (catalog && catalog.labels.length === count) return Array.from(catalog.labels, (label, i) => ({ sha256: catalogHash(catalog, i), label: label < 0 ? null : label }));
  const rows = await readSamples(id, 0, count);
  return Promise.all(rows.map(async (row) => ({ sha256: row.sha256 ?? (await sampleHash(row)), label: row.label })));
}

/**
 * Stores the input a single-input layer pass reads (the analysis worker reads samples from
 * IndexedDB). Its summary is marked incomplete: never listed, and swept at the next start if left.
 */
export async function storeScratchInput(input: SpotInput): Promise<string> {
  try {
    const db = await database();
    const tx = db.transaction(['datasets', 'samples'], 'readwrite');
    const summary: DatasetSummary = { id: SCRATCH_DATASET_ID, name: 'Spot check input', source: 'folder', createdAt: Date.now(), sampleCount: 1, classNames: [], sizeBytes: input.bytes.byteLength, skipped: [] };
    await Promise.all([
      tx.objectStore('datasets').put({ ...summary, schemaVersion: SCHEMA_VERSION, complete: false }),
      tx.objectStore('samples').put({ datasetId: SCRATCH_DATASET_ID, index: 0, name: `spot-check.${EXTENSIONS[input.mime] ?? 'img'}`, label: null, mime: input.mime, bytes: input.bytes, kind: 'encoded' }),
      tx.done,
    ]);
  } catch (error) {
    throw storageError(error, 'keep this input for the layer pass');
  }
  return SCRATCH_DATASET_ID;
}

export async function clearScratchInput(): Promise<void> {
  const tx = (await database()).transaction(['datasets', 'samples'], 'readwrite');
  await Promise.all([tx.objectStore('datasets').delete(SCRATCH_DATASET_ID), tx.objectStore('samples').delete([SCRATCH_DATASET_ID, 0]), tx.done]);
}
