import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TensorData } from '../../../../../src/core/data/dataset.ts';
import { parseNpyHeader, readNpy, streamNpyRows, writeNpy, type NpyArray } from '../../../../../src/core/data/formats/npy.ts';
import { openNpz, readNpzArrays, writeNpz } from '../../../../../src/core/data/formats/npz.ts';
import { blobOf, collect, expected, fixture, makeZip, quantLensError } from './helpers.ts';

const values = (data: TensorData) => Array.from(data as ArrayLike<number | bigint>, Number);

/** A version-1 .npy with a hand-written header dict. */
function npyWithDict(dict: string, data: Uint8Array): Uint8Array {
  const header = Uint8Array.from([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, dict.length & 0xff, dict.length >> 8, ...new TextEncoder().encode(dict)]);
  return Uint8Array.from([...header, ...data]);
}

/** Replaces text in a .npy header, byte for byte (latin-1, so \x93 survives). */
function patchHeader(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const text = String.fromCharCode(...bytes).replace(from, to);
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const ofEveryType: NpyArray[] = [
  { dtype: 'float32', dims: [2, 3], data: Float32Array.from([0.5, -1, 3.25, Infinity, -0, 1e-30]) },
  { dtype: 'float64', dims: [3], data: Float64Array.from([Math.PI, -1e300, 5e-324]) },
  { dtype: 'uint8', dims: [2, 1, 2], data: Uint8Array.from([0, 1, 254, 255]) },
  { dtype: 'int8', dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { dtype: 'int32', dims: [1, 2], data: Int32Array.from([-2147483648, 2147483647]) },
  { dtype: 'int64', dims: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n]) },
  { dtype: 'float32', dims: [], data: Float32Array.from([7]) },
];

describe('.npy', () => {
  it('reads the numpy-written format versions 2.0 and 3.0', () => {
    for (const name of ['v2.npy', 'v3.npy']) {
      const array = readNpy(fixture(name), name);
      expect([array.dtype, array.dims, values(array.data)]).toEqual(['float64', expected.v23.dims, expected.v23.data]);
    }
    expect(parseNpyHeader(fixture('v2.npy'), 'v2.npy')?.version).toBe(2);
    expect(parseNpyHeader(fixture('v3.npy'), 'v3.npy')?.version).toBe(3);
  });

  it('writes version-1 files that read back exactly, for every dtype, with 64-byte aligned data', () => {
    for (const array of ofEveryType) {
      const bytes = writeNpy(array);
      expect((bytes.length - array.data.byteLength) % 64).toBe(0);
      const back = readNpy(bytes, 'a.npy');
      expect([back.dtype, back.dims]).toEqual([array.dtype, array.dims]);
      expect(back.data).toEqual(array.data);
    }
  });

  it('refuses Fortran order, big-endian data and unsupported dtypes, saying which', async () => {
    expect((await quantLensError(() => readNpy(fixture('fortran.npy'), 'fortran.npy'))).message).toBe('fortran.npy: the array is stored in Fortran (column-major) order, which is not supported.');
    expect((await quantLensError(() => readNpy(fixture('big_endian.npy'), 'big_endian.npy'))).message).toBe('big_endian.npy: big-endian data is not supported.');
    const withDescr = (descr: string) => patchHeader(writeNpy({ dtype: 'uint8', dims: [1], data: new Uint8Array(1) }), "'|u1'", descr.padEnd(5));
    expect((await quantLensError(() => readNpy(withDescr("'<f2'"), 'h.npy'))).message).toBe("h.npy: dtype '<f2' is not supported.");
    expect((await quantLensError(() => readNpy(withDescr('[()]'), 's.npy'))).message).toMatch(/structured \(record\) arrays are not supported/);
  });

  it('wrong magic, a truncated header, truncated data and a lying shape fail with the numbers', async () => {
    const good = writeNpy({ dtype: 'float32', dims: [2, 2], data: new Float32Array(4) });
    expect((await quantLensError(() => readNpy(new TextEncoder().encode('PK\x03\x04 not npy'), 'x.npy'))).message).toMatch(/not a .npy array \(it does not start with \\x93NUMPY\)/);
    expect((await quantLensError(() => readNpy(good.slice(0, 30), 'x.npy'))).message).toBe('x.npy: the file ends inside its header (30 bytes).');
    expect((await quantLensError(() => readNpy(good.slice(0, good.length - 1), 'x.npy'))).message).toBe('x.npy: the header promises shape (2, 2) of float32, 16 bytes, but 15 bytes follow it.');
    const lying = patchHeader(good, '(2, 2)', '(9999)');
    expect((await quantLensError(() => readNpy(lying, 'x.npy'))).message).toMatch(/the header promises shape \(9999\) of float32, 39996 bytes, but 16 bytes/);
    const overflow = patchHeader(good, '(2, 2)', '(9e99,)');
    expect((await quantLensError(() => readNpy(overflow, 'x.npy'))).message).toMatch(/the shape \(9e99,\) is not a tuple of sizes/);
    const enormous = npyWithDict("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999, 3), }", new Uint8Array(24));
    expect((await quantLensError(() => readNpy(enormous, 'x.npy'))).message).toBe('x.npy: the header promises shape (99999999999, 99999999999, 3) of float64, an impossibly large array, but 24 bytes follow it.');
    const enormousRow = npyWithDict("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 99999999999, 99999999999), }", new Uint8Array(24));
    expect((await quantLensError(() => collect(streamNpyRows([enormousRow], 'x.npy')))).message).toMatch(/one sample of shape \(99999999999, 99999999999\) is impossibly large/);
    const huge = new Uint8Array(good);
    new DataView(huge.buffer).setUint16(8, 0xffff, true);
    expect((await quantLensError(() => readNpy(huge, 'x.npy'))).message).toMatch(/ends inside its header/);
    const version9 = good.slice();
    version9[6] = 9;
    expect((await quantLensError(() => readNpy(version9, 'x.npy'))).message).toMatch(/format version 9.0 is not supported/);
  });

  it('streams rows along the first axis from arbitrary chunking', async () => {
    const array: NpyArray = { dtype: 'int32', dims: [5, 3], data: Int32Array.from({ length: 15 }, (_, i) => i * 1000 - 7) };
    const bytes = writeNpy(array);
    async function* chunks(size: number) {
      for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
    }
    for (const size of [1, 7, 64, 1000]) {
      const rows = await collect(streamNpyRows(chunks(size), 'a.npy'));
      expect(rows.map(values)).toEqual([0, 1, 2, 3, 4].map((r) => values(array.data.slice(r * 3, r * 3 + 3))));
    }
  });

  it('random bytes never throw anything but QuantLensError', () => {
    const header = writeNpy({ dtype: 'uint8', dims: [1], data: new Uint8Array(1) }).slice(0, 10);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, withMagic) => {
        try {
          readNpy(withMagic ? Uint8Array.from([...header.slice(0, 8), ...bytes]) : bytes, 'fuzz.npy');
        } catch (error) {
          expect(error).toMatchObject({ name: 'QuantLensError' });
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('.npz', () => {
  it('opens numpy.savez output (stored, zip64 extras): x streamed, y as labels', async () => {
    const dataset = await openNpz(blobOf(fixture('xy.npz')), 'xy.npz');
    expect([dataset.inputName, dataset.labelName, dataset.count, dataset.dtype, dataset.dims, dataset.classNames]).toEqual(['x', 'y', 3, 'float32', [2, 2], ['0', '1', '2']]);
    const samples = await collect(dataset.samples());
    expect(samples.map((s) => [s.kind, s.index, s.name, s.label])).toEqual([['tensor', 0, 'x[0]', 2], ['tensor', 1, 'x[1]', 0], ['tensor', 2, 'x[2]', 1]]);
    expect(samples.flatMap((s) => values(s.data))).toEqual(expected.npz.x.data);
    await dataset.close();
  });

  it('opens numpy.savez_compressed output (deflated) with the names inputs / labels', async () => {
    const dataset = await openNpz(blobOf(fixture('inputs_labels.npz')), 'il.npz');
    expect([dataset.inputName, dataset.labelName, dataset.dtype, dataset.dims]).toEqual(['inputs', 'labels', 'uint8', [3]]);
    const samples = await collect(dataset.samples());
    expect(samples.flatMap((s) => values(s.data))).toEqual(expected.npz.inputs.data);
    expect(samples.map((s) => s.label)).toEqual(expected.npz.labels);
  });

  it('writeNpz round-trips every dtype and reads back as a dataset', async () => {
    const arrays = Object.fromEntries(ofEveryType.map((a, i) => [`a${i}`, a]));
    const back = await readNpzArrays(await writeNpz(arrays), 'out.npz');
    for (const [name, array] of Object.entries(arrays)) expect(back[name]).toEqual(array);
    const set = await writeNpz({ x: { dtype: 'float32', dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, y: { dtype: 'int64', dims: [2], data: BigInt64Array.from([4n, 1n]) } });
    const first = new Uint8Array(await set.arrayBuffer());
    const again = new Uint8Array(await (await writeNpz({ x: { dtype: 'float32', dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, y: { dtype: 'int64', dims: [2], data: BigInt64Array.from([4n, 1n]) } })).arrayBuffer());
    expect(again).toEqual(first); // same arrays, same bytes
    const dataset = await openNpz(set, 'set.npz');
    expect(dataset.classNames).toHaveLength(5);
    expect((await collect(dataset.samples())).map((s) => [s.label, values(s.data)])).toEqual([[4, [1, 2, 3]], [1, [4, 5, 6]]]);
  });

  it('explains what is missing or wrong in an npz', async () => {
    const npy = (array: NpyArray) => writeNpy(array);
    const x = npy({ dtype: 'float32', dims: [2, 2], data: new Float32Array(4) });
    const cases: [Record<string, Uint8Array | string>, RegExp][] = [
      [{ 'readme.txt': 'hi' }, /holds no .npy arrays: is it a .npz\?/],
      [{ 'a.npy': x, 'b.npy': x }, /no inputs array: found a, b; expected one of x, inputs/],
      [{ 'x.npy': x, 'y.npy': npy({ dtype: 'float32', dims: [2], data: new Float32Array(2) }) }, /y.npy: labels are float32; class indices must be integers/],
      [{ 'x.npy': x, 'y.npy': npy({ dtype: 'int32', dims: [3], data: new Int32Array(3) }) }, /labels have shape \(3\), expected \(2,\) to match the inputs/],
      [{ 'x.npy': x, 'y.npy': npy({ dtype: 'int8', dims: [2], data: Int8Array.from([0, -1]) }) }, /label 1 is -1; class indices are integers from 0/],
      [{ 'x.npy': npy({ dtype: 'float32', dims: [], data: new Float32Array(1) }) }, /0-dimensional \(scalar\) array cannot hold samples/],
      [{ 'x.npy': x.slice(0, 20) }, /the array ends inside its header/],
    ];
    for (const [files, message] of cases) {
      const zip = await makeZip(files);
      const error = await quantLensError(() => openNpz(blobOf(zip), 'bad.npz'));
      expect(error.message).toMatch(message);
    }
    const truncated = await makeZip({ 'x.npy': x.slice(0, x.length - 3) });
    expect((await quantLensError(() => openNpz(blobOf(truncated), 't.npz'))).message).toBe('t.npz:x.npy: the header promises shape (2, 2) of float32, 144 bytes with the header, but the array is 141 bytes.');
  });

  it('random bytes inside a zip never throw anything but QuantLensError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 40 }), async (xBytes, yBytes) => {
        const prefix = writeNpy({ dtype: 'uint8', dims: [1], data: new Uint8Array(1) }).slice(0, 8);
        try {
          const dataset = await openNpz(blobOf(await makeZip({ 'x.npy': Uint8Array.from([...prefix, ...xBytes]), 'y.npy': yBytes }, { level: 0 })), 'fuzz.npz');
          await collect(dataset.samples());
        } catch (error) {
          expect(error).toMatchObject({ name: 'QuantLensError' });
        }
      }),
      { numRuns: 100 },
    );
  });
});


