import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import { planFolderImport } from '../../../../src/core/data/folder.ts';
import { base64ToBytes, readPack } from '../../../../src/core/data/pack.ts';
import { decodeImage, sniffImageType } from '../../../../src/core/data/decode.ts';
import { prepareChunk } from '../../../../src/core/eval/prepare.ts';
import { QuantLensError } from '../../../../src/core/errors.ts';
import type { PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';

const entry = (path: string, size = 10) => ({ path, size });

describe('labelled folder import plan', () => {
  it('maps subfolders to classes, numerically when the names are numbers', () => {
    const plan = planFolderImport([entry('digits/10/a.png'), entry('digits/2/b.png'), entry('digits/2/a.jpg'), entry('digits/9/c.webp')]);
    expect(plan.name).toBe('digits');
    expect(plan.classNames).toEqual(['2', '9', '10']);
    expect(plan.entries.map((e) => [e.name, e.label])).toEqual([['2/a.jpg', 0], ['2/b.png', 0], ['9/c.webp', 1], ['10/a.png', 2]]);
  });

  it('orders word class names alphabetically', () => {
    expect(planFolderImport([entry('pets/dog/1.png'), entry('pets/cat/1.png')]).classNames).toEqual(['cat', 'dog']);
  });

  it('skips what is not an image in a class folder, with reasons, and ignores hidden files', () => {
    const plan = planFolderImport([entry('d/readme.txt'), entry('d/cat/notes.txt'), entry('d/cat/.DS_Store'), entry('d/cat/x.png', 0), entry('d/cat/ok.png')]);
    expect(plan.entries).toHaveLength(1);
    expect(plan.skipped).toEqual([
      { name: 'readme.txt', reason: 'not inside a class subfolder' },
      { name: 'cat/notes.txt', reason: 'not an image file (png, jpg, webp, gif, bmp)' },
      { name: 'cat/x.png', reason: 'empty file' },
    ]);
  });

  it('an empty folder, or one without images, is a clear error', () => {
    expect(() => planFolderImport([])).toThrow(/folder you picked is empty/);
    try {
      planFolderImport([entry('d/a.txt')]);
      expect.unreachable();
    } catch (error) {
      expect((error as QuantLensError).code).toBe('dataset-empty');
      expect((error as QuantLensError).hint).toMatch(/one subfolder per class/);
    }
  });
});

describe('pack and base64', () => {
  it('decodes base64 exactly (all byte values)', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64ToBytes(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
    expect(base64ToBytes(Buffer.from([1, 2]).toString('base64'))).toEqual(new Uint8Array([1, 2]));
  });
  it('rejects something that is not a pack, and a label out of range', () => {
    expect(() => readPack({ hello: 1 })).toThrow(/not a QuantLens dataset pack/);
    expect(() => readPack({ format: 'quantlens-pack', version: 1, name: 'x', classNames: ['a'], samples: [{ name: 's', label: 3, mime: 'image/png', data: '' }] })).toThrow(/malformed/);
  });
});

describe('image decoding and chunk preparation', () => {
  const gray = Uint8Array.from({ length: 4 * 3 }, (_, i) => i * 20);
  const png = encode({ width: 4, height: 3, data: gray, channels: 1, depth: 8 });
  const spec: PreprocessSpec = { height: 3, width: 4, resize: 'stretch', color: 'grayscale', scale: '0..255', mean: [0], std: [1], layout: 'NCHW', dtype: 'float32' };

  it('decodes a grayscale PNG to RGBA with the exact pixel values', async () => {
    const image = await decodeImage(png.buffer as ArrayBuffer, 'image/png');
    expect([image.width, image.height]).toEqual([4, 3]);
    expect(Array.from(image.data.subarray(4, 8))).toEqual([20, 20, 20, 255]);
  });

  it('sniffs formats by content', () => {
    expect(sniffImageType(png)).toBe('image/png');
    expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(new TextEncoder().encode('hello world'))).toBeNull();
  });

  it('a broken image is skipped and counted with its reason; the rest still runs', async () => {
    const broken = png.slice(0, 30);
    const chunk = await prepareChunk(
      [
        { index: 0, name: 'ok.png', label: 1, mime: 'image/png', bytes: png.slice().buffer as ArrayBuffer },
        { index: 1, name: 'broken.png', label: 2, mime: 'image/png', bytes: broken.buffer as ArrayBuffer },
        { index: 2, name: 'photo.jpg', label: 0, mime: 'image/jpeg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0]).buffer },
      ],
      spec,
    );
    expect(chunk.samples.map((s) => s.index)).toEqual([0]);
    expect(Array.from(chunk.samples[0].input)).toEqual(Array.from(gray));
    expect(chunk.failures.map((f) => f.name)).toEqual(['broken.png', 'photo.jpg']);
    expect(chunk.failures[0].reason).toMatch(/could not be decoded/);
    expect(chunk.failures[1].reason).toMatch(/no decoder for image\/jpeg in this host/);
  });
});

describe('PNG decoding edge cases', () => {
  it('decodes sub-byte (2-bit) grayscale PNGs pixel by pixel, stretched to 0..255', async () => {
    const gray2 = encode({ width: 3, height: 2, depth: 2, channels: 1, data: Uint8Array.of(0b00011000, 0b11100100) });
    // 2-bit rows are packed: row 0 = 0,1,2 ; row 1 = 3,2,1
    const image = await decodeImage(gray2.buffer as ArrayBuffer, 'image/png');
    expect(Array.from(image.data.filter((_, i) => i % 4 === 0))).toEqual([0, 85, 170, 255, 170, 85]);
  });
  it('refuses a PNG whose header claims an absurd size, before decoding', async () => {
    const png = encode({ width: 2, height: 2, data: new Uint8Array(4), channels: 1, depth: 8 }).slice();
    new DataView(png.buffer).setUint32(16, 100_000);
    new DataView(png.buffer).setUint32(20, 100_000);
    await expect(decodeImage(png.buffer as ArrayBuffer, 'image/png')).rejects.toThrow(/claims 100000 x 100000 pixels/);
  });
});
