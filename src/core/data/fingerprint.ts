/**
 * Content fingerprints, defined byte for byte so that another implementation (the Python in
 * tools/golden/make_dataset_fixtures.py does) gets the same hex strings:
 *
 * - Sample hash: SHA-256 (lowercase hex) of the sample's bytes. An encoded sample hashes its file
 *   bytes as stored. A tensor sample hashes the ASCII header `tensor:<dtype>:<dims joined by ",">\n`
 *   (e.g. `tensor:uint8:28,28\n`; `tensor:float32:\n` for a scalar) followed by its values,
 *   little-endian, row-major.
 * - Dataset fingerprint: SHA-256 of the concatenated lines `<sampleHash> <label>\n`, one per sample,
 *   sorted in byte order (duplicates kept), where <label> is the class NAME as JSON with every
 *   character outside printable ASCII escaped (Python's `json.dumps(name)`, ensure_ascii), or
 *   `null` for an unlabelled sample. Names, not indices, so reordering classNames changes nothing.
 * - Preprocessing fingerprint: SHA-256 of canonicalJson(spec): no whitespace, object keys sorted,
 *   undefined members left out, numbers as JavaScript prints them, strings as in the labels above.
 */
import { QuantLensError } from '../errors.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { DatasetSample, TensorSample } from './dataset.ts';

/** SHA-256 of bytes, lowercase hex. */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The exact bytes a tensor sample's hash covers: the ASCII header line, then its values. */
export function tensorHashBytes(sample: Pick<TensorSample, 'dtype' | 'dims' | 'data'>): Uint8Array {
  const header = new TextEncoder().encode(`tensor:${sample.dtype}:${sample.dims.join(',')}\n`);
  const values = new Uint8Array(sample.data.buffer, sample.data.byteOffset, sample.data.byteLength);
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length); // typed arrays are little-endian on every platform the app runs on
  return out;
}

/** A sample's content hash (see the top of this file). */
export function sampleHash(sample: DatasetSample): Promise<string> {
  return sha256Hex(sample.kind === 'tensor' ? tensorHashBytes(sample) : sample.bytes);
}

/** JSON string literal with everything outside printable ASCII escaped, as Python's json.dumps does. */
export function asciiJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The text the dataset fingerprint hashes: sorted `<sampleHash> <label JSON>\n` lines. */
export function fingerprintText(samples: readonly { sha256: string; label: number | null }[], classNames: readonly string[]): string {
  const lines = samples.map(({ sha256, label }) => {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new QuantLensError('invalid-input', `'${sha256}' is not a lowercase hex SHA-256.`, 'Hash the samples with sampleHash() first.');
    if (label !== null && (!Number.isInteger(label) || label < 0 || label >= classNames.length)) {
      throw new QuantLensError('invalid-input', `Label ${label} is not one of the ${classNames.length} classes.`, 'Fix the dataset labels before fingerprinting.');
    }
    return `${sha256} ${label === null ? 'null' : asciiJsonString(classNames[label])}\n`;
  });
  // Every line is ASCII, so UTF-16 order (JavaScript's sort) is byte order.
  return lines.sort().join('');
}

/** Dataset fingerprint: same samples with the same class names give the same hex, in any order. */
export function datasetFingerprint(samples: readonly { sha256: string; label: number | null }[], classNames: readonly string[]): Promise<string> {
  return sha256Hex(new TextEncoder().encode(fingerprintText(samples, classNames)));
}

/** Canonical JSON: sorted keys, no whitespace, undefined members dropped, non-finite numbers refused. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new QuantLensError('invalid-input', `${value} cannot be written as JSON.`, 'Use finite numbers in the spec.');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return asciiJsonString(value);
  if (Array.isArray(value)) return `[${value.map((v: unknown) => canonicalJson(v ?? null)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${asciiJsonString(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  throw new QuantLensError('invalid-input', `A ${typeof value} cannot be written as JSON.`, 'Use plain data in the spec.');
}

/** Preprocessing fingerprint: SHA-256 of canonicalJson(spec). */
export function preprocessFingerprint(spec: PreprocessSpec): Promise<string> {
  return sha256Hex(new TextEncoder().encode(canonicalJson(spec)));
}
