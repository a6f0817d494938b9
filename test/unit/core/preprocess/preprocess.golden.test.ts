import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../src/core/data/decode.ts';
import { planResize, preprocess } from '../../../../src/core/preprocess/index.ts';
import type { PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';

type ResizePlan = { resizedHeight: number; resizedWidth: number; cropTop: number; cropLeft: number };

interface PreprocessGolden {
  cases: { name: string; image: { width: number; height: number; data: number[] }; spec: PreprocessSpec; expected: number[]; resizePlan: ResizePlan }[];
  antialiasCases: { name: string; file: string; spec: PreprocessSpec; expected: number[]; resizePlan: ResizePlan; pilRgb: number[]; pilVsTorchMaxLevels: number }[];
}

// Written by tools/golden/make_golden.py: torch bilinear (align_corners=False) in float64 plus
// torchvision's Resize(int) / CenterCrop rules; for antialiased downscaling, torchvision's
// resize(antialias=True) in float64 and Pillow's Image.resize(BILINEAR) on uint8.
const golden = JSON.parse(
  readFileSync(new URL('../../../golden/preprocess-golden.json', import.meta.url), 'utf8'),
) as PreprocessGolden;

/** Our output is float32: equal to the float64 reference at float32 precision. */
function expectFloat32Close(output: ArrayLike<number>, expected: number[]): void {
  expect(output.length).toBe(expected.length);
  expected.forEach((value, i) => {
    expect(Math.abs(output[i] - value), `element ${i}: ${output[i]} vs ${value}`)
      .toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value)));
  });
}

describe.each(golden.cases)('preprocess against torch: $name', ({ image, spec, expected, resizePlan }) => {
  it('plans the same resize and crop', () => {
    expect(planResize(image.height, image.width, spec)).toEqual(resizePlan);
  });

  it('produces the same values to float32 precision', () => {
    expectFloat32Close(preprocess({ ...image, data: Uint8Array.from(image.data) }, spec), expected);
  });
});

/**
 * Tolerances, stated: against torchvision (float64 in, no rounding) the same 1e-6 relative as
 * above; against Pillow, which rounds its result (and its horizontal pass) to whole uint8 levels,
 * at most 1 level, i.e. 1/255 on the 0..1 scale. Measured: 0.48-0.95 levels here, the same as
 * Pillow vs torchvision (pilVsTorchMaxLevels).
 */
const PIL_TOLERANCE_LEVELS = 1;

describe.each(golden.antialiasCases)('antialiased downscaling against torchvision and Pillow: $name', ({ file, spec, expected, resizePlan, pilRgb, pilVsTorchMaxLevels }) => {
  const load = () => decodeImage(Uint8Array.from(readFileSync(new URL(`../../../../${file}`, import.meta.url))).buffer, 'image/png');

  it('matches torchvision resize(antialias=True) to float32 precision (antialias is the default)', async () => {
    const image = await load();
    expect(spec.antialias).toBeUndefined();
    expect(planResize(image.height, image.width, spec)).toEqual(resizePlan);
    expectFloat32Close(preprocess(image, spec), expected);
  });

  it(`is within ${PIL_TOLERANCE_LEVELS} level of Pillow's Image.resize(BILINEAR)`, async () => {
    const raw: PreprocessSpec = { ...spec, color: 'rgb', scale: '0..255', mean: [0, 0, 0], std: [1, 1, 1], layout: 'NHWC', dtype: 'float32' };
    const output = preprocess(await load(), raw);
    expect(output.length).toBe(pilRgb.length);
    const worst = pilRgb.reduce((max, level, i) => Math.max(max, Math.abs(output[i] - level)), 0);
    expect(worst).toBeLessThanOrEqual(PIL_TOLERANCE_LEVELS);
    expect(worst).toBeLessThanOrEqual(pilVsTorchMaxLevels + 1e-4);
  });

  it('differs from the two-tap resampler, which is still there with antialias: false', async () => {
    const image = await load();
    const plain = preprocess(image, { ...spec, antialias: false });
    expect(Array.from(plain)).not.toEqual(Array.from(preprocess(image, spec)));
  });
});
