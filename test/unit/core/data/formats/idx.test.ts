import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openIdxDataset, parseIdxHeader, readIdxLabels, tensorToRgba } from '../../../../../src/core/data/formats/idx.ts';
import { blobOf, collect, expected, fixture, quantLensError } from './helpers.ts';

/** An IDX file: magic 00 00 08 <rank>, big-endian uint32 dims, then the bytes. */
function idx(dims: number[], data: Uint8Array = new Uint8Array(dims.reduce((a, b) => a * b, 1))): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = blobOf(bytes).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('IDX (MNIST) files', () => {
  it('reads the numpy-written fixture (gzipped images, plain labels) as uint8 tensor samples', async () => {
    const dataset = await openIdxDataset({ blob: blobOf(fixture('tiny-images-idx3-ubyte.gz')), name: 'tiny-images-idx3-ubyte.gz' }, { blob: blobOf(fixture('tiny-labels-idx1-ubyte')), name: 'tiny-labels-idx1-ubyte' });
    expect([dataset.count, dataset.dims]).toEqual([3, [4, 5]]);
    expect(dataset.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    const samples = await collect(dataset.samples());
    expect(samples.map((s) => [s.kind, s.index, s.name, s.label, s.dtype, s.dims])).toEqual([
      ['tensor', 0, 'tiny-images-idx3-ubyte.gz#0', 7, 'uint8', [4, 5]],
      ['tensor', 1, 'tiny-images-idx3-ubyte.gz#1', 0, 'uint8', [4, 5]],
      ['tensor', 2, 'tiny-images-idx3-ubyte.gz#2', 3, 'uint8', [4, 5]],
    ]);
    expect(samples.flatMap((s) => Array.from(s.data as Uint8Array))).toEqual(expected.idx.data);
  });

  it('streams a large, gzipped image file row by row without labels', async () => {
    const pixels = Uint8Array.from({ length: 2000 * 28 * 28 }, (_, i) => (i * 13) % 256);
    const dataset = await openIdxDataset({ blob: blobOf(await gzip(idx([2000, 28, 28], pixels))), name: 'imgs.gz' });
    let count = 0;
    let checksum = 0;
    for await (const sample of dataset.samples()) {
      expect(sample.label).toBeNull();
      checksum = (checksum + (sample.data as Uint8Array)[100] * (count + 1)) % 1_000_003;
      count++;
    }
    let reference = 0;
    for (let i = 0; i < 2000; i++) reference = (reference + pixels[i * 784 + 100] * (i + 1)) % 1_000_003;
    expect([count, checksum]).toEqual([2000, reference]);
    expect(dataset.classNames).toEqual([]);
  });

  it('refuses a wrong magic, a non-byte type, swapped files and mismatched counts', async () => {
    const bad = (bytes: Uint8Array, name = 'x-idx3-ubyte') => quantLensError(() => openIdxDataset({ blob: blobOf(bytes), name }));
    expect((await bad(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).message).toBe('x-idx3-ubyte: not an IDX file (magic 89 50 4e 47, expected 00 00 08 01 or 00 00 08 03).');
    expect((await bad(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]))).message).toMatch(/element type 0x0d is not supported/);
    expect((await bad(idx([3], new Uint8Array([1, 2, 3])))).message).toMatch(/has 1 \(3\): is it a label file/);
    expect((await bad(new Uint8Array([0, 0, 8, 3, 0, 0]))).message).toMatch(/ends inside its header \(6 bytes\)/);
    const labels = { blob: blobOf(idx([2], new Uint8Array([1, 2]))), name: 'labels' };
    expect((await quantLensError(() => openIdxDataset({ blob: blobOf(idx([3, 2, 2])), name: 'imgs' }, labels))).message).toBe('labels: holds 2 labels but imgs holds 3 images.');
    expect((await quantLensError(() => readIdxLabels(blobOf(idx([2, 2])), 'l'))).message).toMatch(/has 2 \(2 x 2\): is it an image file/);
  });

  it('a truncated file, a lying count and trailing bytes fail with the numbers: plain files when opened', async () => {
    const truncated = idx([3, 2, 2], new Uint8Array(12)).slice(0, 16 + 7);
    const lying = idx([1_000_000_000, 28, 28], new Uint8Array(784));
    const trailing = idx([1, 2, 2], new Uint8Array(5));
    const opened = async (bytes: Uint8Array) => (await quantLensError(() => openIdxDataset({ blob: blobOf(bytes), name: 'f' }))).message;
    expect(await opened(truncated)).toBe('f: the header promises 3 x 2 x 2 bytes of pixels (28 bytes with the header) but the file has 23.');
    expect(await opened(lying)).toMatch(/promises 1000000000 x 28 x 28 bytes of pixels \(784000000016 bytes with the header\) but the file has 800/);
    expect(await opened(trailing)).toMatch(/but the file has 21/);
    const streamed = async (bytes: Uint8Array) => {
      const dataset = await openIdxDataset({ blob: blobOf(await gzip(bytes)), name: 'f.gz' });
      return (await quantLensError(() => collect(dataset.samples()))).message;
    };
    expect(await streamed(truncated)).toBe('f.gz: the header promises 3 rows of 4 bytes but the file holds 1 (and 3 bytes more).');
    expect(await streamed(lying)).toMatch(/promises 1000000000 rows of 784 bytes but the file holds 1 \(/);
    expect(await streamed(trailing)).toBe('f.gz: 1 bytes follow the last of the 1 rows.');
    expect((await quantLensError(() => readIdxLabels(blobOf(idx([5], new Uint8Array(3))), 'l'))).message).toBe('l: the header promises 5 labels but the file holds 3.');
  });

  it('a damaged gzip stream is reported, not thrown raw', async () => {
    const zipped = await gzip(idx([4, 2, 2], new Uint8Array(16).fill(9)));
    const cut = zipped.slice(0, zipped.length - 6);
    const dataset = await openIdxDataset({ blob: blobOf(cut), name: 'cut.gz' });
    expect((await quantLensError(() => collect(dataset.samples()))).message).toMatch(/^cut.gz: the file could not be read/);
  });

  it('shows a uint8 [h, w] or [h, w, c] tensor as RGBA', () => {
    expect(Array.from(tensorToRgba({ dtype: 'uint8', dims: [1, 2], data: new Uint8Array([10, 20]) })?.data ?? [])).toEqual([10, 10, 10, 255, 20, 20, 20, 255]);
    expect(Array.from(tensorToRgba({ dtype: 'uint8', dims: [1, 1, 3], data: new Uint8Array([1, 2, 3]) })?.data ?? [])).toEqual([1, 2, 3, 255]);
    expect(tensorToRgba({ dtype: 'float32', dims: [1, 1], data: new Float32Array(1) })).toBeNull();
    expect(tensorToRgba({ dtype: 'uint8', dims: [2, 2], data: new Uint8Array(3) })).toBeNull();
  });

  it('random bytes never throw anything but QuantLensError', async () => {
    expect(parseIdxHeader(new Uint8Array([0, 0, 8]), 'x')).toBeNull();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.boolean(), async (bytes, magic) => {
        const data = magic ? Uint8Array.from([0, 0, 8, (bytes[0] ?? 0) % 4, ...bytes]) : bytes;
        try {
          const dataset = await openIdxDataset({ blob: blobOf(data), name: 'fuzz' }, { blob: blobOf(data), name: 'fuzz-labels' });
          await collect(dataset.samples());
        } catch (error) {
          expect(error).toMatchObject({ name: 'QuantLensError' });
        }
      }),
      { numRuns: 300 },
    );
  });
});
