import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planResize, preprocess } from '../../../../src/core/preprocess/index.ts';
import type { PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';

interface PreprocessGolden {
  cases: {
    name: string;
    image: { width: number; height: number; data: number[] };
    spec: PreprocessSpec;
    expected: number[];
    resizePlan: { resizedHeight: number; resizedWidth: number; cropTop: number; cropLeft: number };
  }[];
}

// Written by tools/golden/make_golden.py: torch bilinear (align_corners=False) in float64 plus
// torchvision's Resize(int) / CenterCrop rules. Our output is float32, so compare at float32 precision.
const golden = JSON.parse(
  readFileSync(new URL('../../../golden/preprocess-golden.json', import.meta.url), 'utf8'),
) as PreprocessGolden;

describe.each(golden.cases)('preprocess against torch: $name', ({ image, spec, expected, resizePlan }) => {
  it('plans the same resize and crop', () => {
    expect(planResize(image.height, image.width, spec)).toEqual(resizePlan);
  });

  it('produces the same values to float32 precision', () => {
    const output = preprocess({ ...image, data: Uint8Array.from(image.data) }, spec);
    expect(output.length).toBe(expected.length);
    expected.forEach((value, i) => {
      expect(Math.abs(output[i] - value), `element ${i}: ${output[i]} vs ${value}`)
        .toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value)));
    });
  });
});
