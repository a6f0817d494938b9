import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { asciiJsonString, canonicalJson, datasetFingerprint, fingerprintText, preprocessFingerprint, sampleHash, sha256Hex, tensorHashBytes } from '../../../../src/core/data/fingerprint.ts';
import { openIdxDataset } from '../../../../src/core/data/formats/idx.ts';
import { openNpz } from '../../../../src/core/data/formats/npz.ts';
import type { PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';
import { blobOf, collect, expected, fixture, quantLensError } from './formats/helpers.ts';

// Every expected hash below was computed with Python's hashlib by tools/golden/make_dataset_fixtures.py.
describe('fingerprints match Python hashlib', () => {
  it('SHA-256 of each fixture file, as an encoded sample hashes its bytes', async () => {
    for (const [name, hash] of Object.entries(expected.files)) {
      expect(await sha256Hex(fixture(name))).toBe(hash);
      expect(await sampleHash({ index: 0, name, label: null, mime: 'image/png', bytes: fixture(name).buffer as ArrayBuffer })).toBe(hash);
    }
  });

  it('tensor sample hashes: "tensor:<dtype>:<dims>\\n" then the little-endian values', async () => {
    const idx = await openIdxDataset({ blob: blobOf(fixture('tiny-images-idx3-ubyte.gz')), name: 'i.gz' });
    const idxHashes = await Promise.all((await collect(idx.samples())).map(sampleHash));
    expect(idxHashes).toEqual(expected.idx.sampleHashes);
    const npz = await openNpz(blobOf(fixture('xy.npz')), 'xy.npz');
    expect(await Promise.all((await collect(npz.samples())).map(sampleHash))).toEqual(expected.npz.xRowHashes);
    expect(new TextDecoder().decode(tensorHashBytes({ dtype: 'float32', dims: [], data: new Float32Array(0) }))).toBe('tensor:float32:\n');
  });

  it('the dataset fingerprint, with non-ASCII and quoted class names and an unlabelled sample', async () => {
    const { samples, classNames, value } = expected.fingerprint;
    expect(await datasetFingerprint(samples, classNames)).toBe(value);
    expect(await datasetFingerprint([...samples].reverse(), classNames)).toBe(value);
    expect(fingerprintText(samples.slice(1, 2), classNames)).toBe(`${samples[1].sha256} "zero"\n`);
    // Same content under reordered class names: same fingerprint.
    const reordered = [...classNames].reverse();
    const relabelled = samples.map((s) => ({ ...s, label: s.label === null ? null : reordered.indexOf(classNames[s.label]) }));
    expect(await datasetFingerprint(relabelled, reordered)).toBe(value);
  });

  it('the preprocessing spec fingerprint, and canonical JSON for awkward numbers and strings', async () => {
    const spec = expected.spec.value as unknown as PreprocessSpec;
    expect(canonicalJson(spec)).toBe(expected.spec.canonical);
    expect(await preprocessFingerprint(spec)).toBe(expected.spec.sha256);
    expect(await preprocessFingerprint({ ...spec, resizeShorterSide: undefined })).not.toBe(expected.spec.sha256);
    expect(canonicalJson(expected.odd.value)).toBe(expected.odd.canonical);
  });

  it('refuses what it cannot fingerprint', async () => {
    expect((await quantLensError(() => canonicalJson({ a: Number.NaN }))).message).toMatch(/NaN cannot be written as JSON/);
    expect((await quantLensError(() => fingerprintText([{ sha256: 'ABC', label: 0 }], ['a']))).message).toMatch(/not a lowercase hex SHA-256/);
    expect((await quantLensError(() => fingerprintText([{ sha256: '0'.repeat(64), label: 1 }], ['a']))).message).toMatch(/Label 1 is not one of the 1 classes/);
  });

  it('ASCII-escaped JSON strings parse back to the same text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      const literal = asciiJsonString(text);
      expect(/^[\x20-\x7e]*$/.test(literal)).toBe(true);
      expect(JSON.parse(literal)).toBe(text);
    }));
  });
});
