/** A cached preprocessed set as a .npz file that another device imports and runs as it is. */
import type { TensorSample } from '../core/data/dataset.ts';
import { datasetFingerprint, sampleHash } from '../core/data/fingerprint.ts';
import { writeNpz } from '../core/data/formats/npz.ts';
import { QuantLensError } from '../core/errors.ts';
import { exportBlockedBy, getTensorSet, readTensorChunks } from './tensor-cache.ts';

const READ_CHUNKS = 16;

/**
 * x: (N, ...dims without batch) in the set's dtype; y: (N,) int64 labels (-1 = unlabelled, only when
 * the dataset is fully labelled are they all >= 0); index: (N,) int32 sample indices in the source.
 * Returns the fingerprint the imported .npz will have, so both devices can show the same one.
 */
export async function exportTensorSetNpz(setId: string, writeFailure?: QuantLensError): Promise<{ blob: Blob; fingerprint: string; sampleCount: number }> {
  const set = await getTensorSet(setId);
  if (!set?.complete && writeFailure) throw exportBlockedBy(writeFailure);
  if (!set?.complete) throw new QuantLensError('dataset-invalid', 'These preprocessed tensors are not cached (yet).', 'Run the models on this dataset once with these settings, then export.');
  const Typed = set.dtype === 'uint8' ? Uint8Array : set.dtype === 'int8' ? Int8Array : Float32Array;
  const sampleDims = set.dims.slice(1);
  const sampleLength = sampleDims.reduce((a, b) => a * b, 1);
  const x = new Typed(set.sampleCount * sampleLength);
  const y = new BigInt64Array(set.sampleCount);
  const index = new Int32Array(set.sampleCount);
  let n = 0;
  for (let c = 0; c < set.chunkCount; c += READ_CHUNKS) {
    for (const record of await readTensorChunks(setId, c, c + READ_CHUNKS)) {
      x.set(new Typed(record.data), n * sampleLength);
      record.labels.forEach((label, i) => (y[n + i] = BigInt(label)));
      index.set(record.indices, n);
      n += record.indices.length;
    }
  }
  const labelled = Array.from(y).every((v) => v >= 0n);
  const blob = await writeNpz({ x: { dtype: set.dtype, dims: [n, ...sampleDims], data: x }, ...(labelled ? { y: { dtype: 'int64', dims: [n], data: y } } : {}), index: { dtype: 'int32', dims: [n], data: index } });
  // The fingerprint the .npz gets when imported: its rows hashed as tensor samples, labels named '0'..'max'.
  const items: { sha256: string; label: number | null }[] = [];
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    const row: TensorSample = { kind: 'tensor', index: i, name: '', label: null, dtype: set.dtype, dims: sampleDims, data: x.subarray(i * sampleLength, (i + 1) * sampleLength) };
    const label = labelled ? Number(y[i]) : null;
    maxLabel = Math.max(maxLabel, label ?? -1);
    items.push({ sha256: await sampleHash(row), label });
  }
  const classNames = Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  return { blob, fingerprint: await datasetFingerprint(items, classNames), sampleCount: n };
}
