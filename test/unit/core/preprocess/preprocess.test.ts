import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { planResize, preprocess, roundHalfToEven, tensorShape } from '../../../../src/core/preprocess/index.ts';
import type { PreprocessSpec, RgbaImage } from '../../../../src/core/preprocess/spec.ts';

/** An RGBA image from rows of [r, g, b] pixels (alpha 255). */
function image(rows: number[][][]): RgbaImage {
  const data = new Uint8Array(rows.length * rows[0].length * 4);
  rows.flat().forEach(([r, g, b], i) => data.set([r, g, b, 255], i * 4));
  return { width: rows[0].length, height: rows.length, data };
}

const gray = (rows: number[][]): RgbaImage => image(rows.map((row) => row.map((v) => [v, v, v])));

function spec(overrides: Partial<PreprocessSpec>): PreprocessSpec {
  return {
    height: 1, width: 1, resize: 'stretch', color: 'rgb', scale: '0..255',
    mean: [0, 0, 0], std: [1, 1, 1], layout: 'NCHW', dtype: 'float32', ...overrides,
  };
}

const rawGray: Partial<PreprocessSpec> = { color: 'grayscale', mean: [0], std: [1] };

describe('preprocess: resize', () => {
  it('upsamples 2x2 to 4x4 with half-pixel centers and edge clamping (hand-computed)', () => {
    const output = preprocess(gray([[0, 100], [200, 40]]), spec({ ...rawGray, height: 4, width: 4 }));
    // Columns sample x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1); rows likewise.
    expect(Array.from(output)).toEqual([
      0, 25, 75, 100,
      50, 58.75, 76.25, 85,
      150, 126.25, 78.75, 55,
      200, 160, 80, 40,
    ]);
  });

  it('passes pixels through exactly when the size already matches', () => {
    const values = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (y * 37 + x * 11) % 256));
    const raw = preprocess(gray(values), spec({ ...rawGray, height: 28, width: 28 }));
    expect(Array.from(raw)).toEqual(values.flat());
    const scaled = preprocess(gray(values), spec({ ...rawGray, height: 28, width: 28, resize: 'shorter-side-crop', scale: '0..1' }));
    expect(Array.from(scaled)).toEqual(values.flat().map((v) => Math.fround(v / 255)));
  });

  it('center-crops after the shorter-side resize, with round-half-to-even offsets like torchvision', () => {
    const row = [10, 20, 30, 40, 50];
    // 2x5 image, 2x2 crop: no resize (shorter side is already 2), left offset round(1.5) = 2.
    const output = preprocess(gray([row, row]), spec({ ...rawGray, height: 2, width: 2, resize: 'shorter-side-crop' }));
    expect(Array.from(output)).toEqual([30, 40, 30, 40]);
    // 2x4 image: left offset (4 - 2) / 2 = 1.
    const even = preprocess(gray([row.slice(0, 4), row.slice(0, 4)]), spec({ ...rawGray, height: 2, width: 2, resize: 'shorter-side-crop' }));
    expect(Array.from(even)).toEqual([20, 30, 20, 30]);
  });

  it('plans the shorter-side resize like torchvision Resize(256) + CenterCrop(224)', () => {
    const imagenet = spec({ height: 224, width: 224, resize: 'shorter-side-crop', resizeShorterSide: 256 });
    expect(planResize(375, 500, imagenet)).toEqual({ resizedHeight: 256, resizedWidth: 341, cropTop: 16, cropLeft: 58 });
    expect(planResize(500, 375, imagenet)).toEqual({ resizedHeight: 341, resizedWidth: 256, cropTop: 58, cropLeft: 16 });
  });

  it('shrinks with a triangle filter as wide as the scale (PIL / torchvision antialias), hand-computed', () => {
    // 4 -> 2 (scale 2): output 0 is centered at 1 and weighs source centers 0.5, 1.5, 2.5 by
    // 1 - |d| / 2 = 0.75, 0.75, 0.25 (normalised /1.75); output 1 weighs 1.5, 2.5, 3.5 by 0.25, 0.75, 0.75.
    const row = [0, 100, 200, 40];
    const shrunk = preprocess(gray([row]), spec({ ...rawGray, width: 2 }));
    expect(shrunk[0]).toBeCloseTo((0.75 * 0 + 0.75 * 100 + 0.25 * 200) / 1.75, 4);
    expect(shrunk[1]).toBeCloseTo((0.25 * 100 + 0.75 * 200 + 0.75 * 40) / 1.75, 4);
    // The old two-tap resampler reads source 0.5 and 2.5 only: (0 + 100) / 2 and (200 + 40) / 2.
    expect(Array.from(preprocess(gray([row]), spec({ ...rawGray, width: 2, antialias: false })))).toEqual([50, 120]);
    // Upscaling is the same with or without antialias (the filter's support stays 1 pixel).
    const up = spec({ ...rawGray, height: 4, width: 4 });
    const upImage = gray([[0, 100], [200, 40]]);
    expect(Array.from(preprocess(upImage, up))).toEqual(Array.from(preprocess(upImage, { ...up, antialias: false })));
  });

  it('shrinks one axis with the filter while the other passes through or grows', () => {
    const values = [[10, 20, 30, 40, 50, 60], [70, 80, 90, 100, 110, 120]];
    // 2x6 -> 4x3: rows grow (two-tap), columns shrink by 2 (filter). Each row's 3 outputs, then rows blend.
    const output = Array.from(preprocess(gray(values), spec({ ...rawGray, height: 2, width: 3 })));
    const row0 = Array.from(preprocess(gray([values[0]]), spec({ ...rawGray, width: 3 })));
    expect(output.slice(0, 3)).toEqual(row0);
    expect(row0[1]).toBeCloseTo(35, 10); // symmetric taps around 30 and 40
  });

  it('refuses a crop larger than the resized image', () => {
    const tooSmall = spec({ height: 4, width: 4, resize: 'shorter-side-crop', resizeShorterSide: 2 });
    expect(() => preprocess(gray([[1, 2], [3, 4]]), tooSmall)).toThrow(QuantLensError);
  });
});

describe('preprocess: color, scale, normalization, layout, dtype', () => {
  const twoPixels = image([[[1, 2, 3], [4, 5, 6]]]);

  it('writes NCHW as planes and NHWC as interleaved pixels, in rgb or bgr order', () => {
    expect(Array.from(preprocess(twoPixels, spec({ width: 2 })))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(preprocess(twoPixels, spec({ width: 2, layout: 'NHWC' })))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(preprocess(twoPixels, spec({ width: 2, layout: 'NHWC', color: 'bgr' })))).toEqual([3, 2, 1, 6, 5, 4]);
    expect(Array.from(preprocess(twoPixels, spec({ width: 2, color: 'bgr' })))).toEqual([3, 6, 2, 5, 1, 4]);
  });

  it('converts color pixels to gray with 0.299 R + 0.587 G + 0.114 B in float64', () => {
    const output = preprocess(image([[[10, 20, 30]]]), spec(rawGray));
    expect(output[0]).toBe(Math.fround(0.299 * 10 + 0.587 * 20 + 0.114 * 30));
  });

  it('scales to 0..1 and applies (x - mean) / std per channel', () => {
    const output = preprocess(image([[[51, 102, 153]]]), spec({ scale: '0..1', mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2] }));
    expect(output).toBeInstanceOf(Float32Array);
    expect(output[0]).toBeCloseTo(0.2, 6);
    expect(output[1]).toBeCloseTo(0.8, 6);
    expect(output[2]).toBeCloseTo(0.15, 6);
  });

  it('rounds half to even and clamps for integer inputs', () => {
    // 1x2 -> 1x3 samples x = 0 (clamped), 0.5, 1.1667 (clamped): [1, 1.5, 2] -> [1, 2, 2]; [2, 2.5, 3] -> [2, 2, 3].
    const uint8 = spec({ ...rawGray, width: 3, dtype: 'uint8' });
    expect(Array.from(preprocess(gray([[1, 2]]), uint8))).toEqual([1, 2, 2]);
    expect(Array.from(preprocess(gray([[2, 3]]), uint8))).toEqual([2, 2, 3]);
    const int8 = preprocess(gray([[0, 200]]), spec({ ...rawGray, width: 2, dtype: 'int8' }));
    expect(int8).toBeInstanceOf(Int8Array);
    expect(Array.from(int8)).toEqual([0, 127]);
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999].map(roundHalfToEven)).toEqual([0, 2, 2, 0, -2, 2]);
  });

  it('refuses invalid specs and malformed images with QuantLensError', () => {
    expect(() => preprocess(twoPixels, spec({ width: 2, std: [1, 0, 1] }))).toThrow(/std/);
    expect(() => preprocess(twoPixels, { ...spec({ width: 2 }), antialias: 'yes' as unknown as boolean })).toThrow(/Antialiasing/);
    const broken: RgbaImage = { width: 2, height: 2, data: new Uint8Array(12) };
    expect(() => preprocess(broken, spec({}))).toThrow(QuantLensError);
  });
});

describe('tensorShape', () => {
  it('puts channels where the layout says', () => {
    expect(tensorShape(spec({ height: 28, width: 32, ...rawGray }), 8)).toEqual([8, 1, 28, 32]);
    expect(tensorShape(spec({ height: 28, width: 32, layout: 'NHWC' }), 1)).toEqual([1, 28, 32, 3]);
  });
});
