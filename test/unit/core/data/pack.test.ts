/** quantlens-pack: old packs read as before; per-sample targets (boxes, PNG masks) decode into SampleTarget. */
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { readPack, type DatasetPack, type PackSample } from '../../../../src/core/data/pack.ts';
import { QuantLensError } from '../../../../src/core/errors.ts';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const grayPng = (width: number, height: number, data: number[] | Uint8Array) => encode({ width, height, channels: 1, depth: 8, data: Uint8Array.from(data) });
const IMAGE_3x2 = b64(grayPng(3, 2, [0, 10, 20, 30, 40, 50]));

function pack(samples: PackSample<number | null>[], classNames = ['bg', 'a', 'b']): DatasetPack<number | null> {
  return { format: 'quantlens-pack', version: 1, name: 'p', classNames, samples };
}

function errorOf(action: () => unknown): QuantLensError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(QuantLensError);
    return error as QuantLensError;
  }
  throw new Error('expected an error');
}

describe('readPack', () => {
  it('reads a pack without targets exactly as before (label, bytes, no target)', () => {
    const read = readPack(pack([{ name: 'a/1.png', label: 1, mime: 'image/png', data: IMAGE_3x2 }]));
    expect(read.name).toBe('p');
    expect(read.classNames).toEqual(['bg', 'a', 'b']);
    expect(read.target).toBeUndefined();
    const [sample] = read.samples;
    expect(sample).toEqual({ index: 0, name: 'a/1.png', label: 1, mime: 'image/png', bytes: expect.any(ArrayBuffer) });
    expect('target' in sample).toBe(false);
    expect(Buffer.from(sample.bytes).equals(Buffer.from(IMAGE_3x2, 'base64'))).toBe(true);
  });

  it('decodes boxes with defaults: no crowd, area = w x h, image id = sample index', () => {
    const read = readPack(pack([
      { name: 'c0.png', label: null, mime: 'image/png', data: IMAGE_3x2, target: { kind: 'boxes', boxes: [0.5, 1, 2, 0.75, 0, 0, 1, 1], classes: [2, 0] } },
      { name: 'c1.png', label: null, mime: 'image/png', data: IMAGE_3x2, target: { kind: 'boxes', boxes: [], classes: [] } },
    ]));
    expect(read.target).toBe('boxes');
    expect(read.samples[0].label).toBeNull();
    expect(read.samples[0].target).toEqual({
      kind: 'boxes', boxes: Float32Array.from([0.5, 1, 2, 0.75, 0, 0, 1, 1]), classes: Int32Array.from([2, 0]),
      crowd: Uint8Array.from([0, 0]), areas: Float32Array.from([1.5, 1]), imageId: 0,
    });
    expect(read.samples[1].target).toEqual({ kind: 'boxes', boxes: new Float32Array(0), classes: new Int32Array(0), crowd: new Uint8Array(0), areas: new Float32Array(0), imageId: 1 });
  });

  it('keeps given crowd flags, areas and image ids', () => {
    const read = readPack(pack([{ name: 'c.png', label: 1, mime: 'image/png', data: IMAGE_3x2, target: { kind: 'boxes', boxes: [0, 0, 2, 2], classes: [1], crowd: [1], areas: [3.5], imageId: 42 } }]));
    expect(read.samples[0].label).toBe(1);
    expect(read.samples[0].target).toMatchObject({ crowd: Uint8Array.from([1]), areas: Float32Array.from([3.5]), imageId: 42 });
  });

  it('decodes a PNG class mask into class indices, 255 (ignore) kept', () => {
    const mask = [0, 1, 255, 2, 2, 0];
    const read = readPack(pack([{ name: 'm.png', label: 1, mime: 'image/png', data: IMAGE_3x2, target: { kind: 'mask', mime: 'image/png', data: b64(grayPng(3, 2, mask)) } }]));
    expect(read.target).toBe('mask');
    expect(read.samples[0].target).toEqual({ kind: 'mask', width: 3, height: 2, data: Uint8Array.from(mask) });
  });

  it('says no target kind when samples mix kinds or some have none', () => {
    const boxes = { kind: 'boxes' as const, boxes: [], classes: [] };
    const mask = { kind: 'mask' as const, mime: 'image/png', data: b64(grayPng(3, 2, [0, 0, 0, 0, 0, 0])) };
    expect(readPack(pack([{ name: 'x', label: 0, mime: 'image/png', data: IMAGE_3x2, target: boxes }, { name: 'y', label: 0, mime: 'image/png', data: IMAGE_3x2 }])).target).toBeUndefined();
    expect(readPack(pack([{ name: 'x', label: 0, mime: 'image/png', data: IMAGE_3x2, target: boxes }, { name: 'y', label: 0, mime: 'image/png', data: IMAGE_3x2, target: mask }])).target).toBeUndefined();
  });

  it.each([
    ['a label outside the classes', { label: 3 }, /label 3 is not a class index below 3/],
    ['neither a label nor a target', { label: null }, /neither a label nor a target/],
    ['boxes not 4 per class', { target: { kind: 'boxes', boxes: [0, 0, 1], classes: [0] } }, /4 finite numbers per class index/],
    ['a non-finite box number', { target: { kind: 'boxes', boxes: [0, 0, 1, null], classes: [0] } }, /4 finite numbers/],
    ['a box class outside the classes', { target: { kind: 'boxes', boxes: [0, 0, 1, 1], classes: [5] } }, /box class is not a class index below 3/],
    ['a negative box size', { target: { kind: 'boxes', boxes: [0, 0, -1, 1], classes: [0] } }, /box 0 has a negative size/],
    ['crowd flags of the wrong length', { target: { kind: 'boxes', boxes: [0, 0, 1, 1], classes: [0], crowd: [] } }, /one number per box/],
    ['a mask of another size than its image', { target: { kind: 'mask', mime: 'image/png', data: b64(grayPng(2, 2, [0, 0, 0, 0])) } }, /the mask is 2 x 2 but its image is 3 x 2/],
    ['a mask class outside the classes', { target: { kind: 'mask', mime: 'image/png', data: b64(grayPng(3, 2, [0, 7, 0, 0, 0, 0])) } }, /class indices 7 are not below the 3 classes/],
    ['a mask that is not a PNG', { target: { kind: 'mask', mime: 'image/png', data: b64(Uint8Array.from([1, 2, 3])) } }, /must be a PNG/],
    ['an unknown target kind', { target: { kind: 'keypoints' } }, /target kind 'keypoints' is neither/],
  ])('refuses a sample with %s', (_why, change, message) => {
    const sample = { name: 's.png', label: 0, mime: 'image/png', data: IMAGE_3x2, ...change } as PackSample<number | null>;
    const error = errorOf(() => readPack(pack([sample])));
    expect(error.code).toBe('dataset-invalid');
    expect(error.message).toMatch(message);
  });
});
