import { describe, expect, it } from 'vitest';
import { checkSpecAgainstInput, describeSpec, suggestSpec, validateSpec } from '../../../../src/core/preprocess/index.ts';
import type { ModelInputInfo, PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';

const rgb28: PreprocessSpec = {
  height: 28, width: 28, resize: 'stretch', color: 'rgb', scale: '0..1',
  mean: [0, 0, 0], std: [1, 1, 1], layout: 'NCHW', dtype: 'float32',
};
const gray28: PreprocessSpec = { ...rgb28, color: 'grayscale', mean: [0], std: [1] };
const mnist: ModelInputInfo = { name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] };

describe('checkSpecAgainstInput', () => {
  it('is empty when the spec fits, symbolic dims accepting any size', () => {
    expect(checkSpecAgainstInput(gray28, mnist)).toEqual([]);
    expect(checkSpecAgainstInput({ ...gray28, height: 64, width: 48 }, { ...mnist, shape: [null, 1, 'h', 'w'] })).toEqual([]);
  });

  it('names the channel mismatch and what to choose', () => {
    expect(checkSpecAgainstInput(rgb28, mnist)).toEqual([
      "The model's input 'input' expects 1 channel (NCHW [batch,1,28,28]) but the preprocessing produces 3 (rgb). Choose grayscale.",
    ]);
    expect(checkSpecAgainstInput(gray28, { ...mnist, shape: [1, 3, 28, 28] })).toEqual([
      "The model's input 'input' expects 3 channels (NCHW [1,3,28,28]) but the preprocessing produces 1 (grayscale). Choose rgb or bgr.",
    ]);
    expect(checkSpecAgainstInput(rgb28, { ...mnist, shape: [1, 4, 28, 28] })[0]).toContain('only 1 (grayscale) or 3 (rgb, bgr)');
  });

  it('spots an input in the other layout instead of reporting nonsense channel counts', () => {
    expect(checkSpecAgainstInput(rgb28, { ...mnist, shape: [1, 28, 28, 3] })).toEqual([
      "The model's input 'input' looks like NHWC [1,28,28,3]: read as NCHW it would have 28 channels. Choose layout NHWC.",
    ]);
  });

  it('names height and width mismatches with the value to set', () => {
    const problems = checkSpecAgainstInput({ ...gray28, height: 32, width: 30 }, mnist);
    expect(problems).toEqual([
      "The model's input 'input' expects height 28 (NCHW [batch,1,28,28]) but the preprocessing produces 32. Set height to 28.",
      "The model's input 'input' expects width 28 (NCHW [batch,1,28,28]) but the preprocessing produces 30. Set width to 28.",
    ]);
    const nhwc = checkSpecAgainstInput({ ...rgb28, layout: 'NHWC', width: 30 }, { ...mnist, shape: [1, 28, 32, 3] });
    expect(nhwc).toEqual([
      "The model's input 'input' expects width 32 (NHWC [1,28,32,3]) but the preprocessing produces 30. Set width to 32.",
    ]);
  });

  it('refuses a fixed batch other than 1 (samples run one at a time), and takes batch 1 or a symbolic batch', () => {
    expect(checkSpecAgainstInput(gray28, { ...mnist, shape: [8, 1, 28, 28] })).toEqual([
      "The model's input 'input' has a fixed batch of 8 [8,1,28,28], but QuantLens runs one sample at a time (batch 1). Export the model with batch 1 or a dynamic batch dimension.",
    ]);
    expect(checkSpecAgainstInput(gray28, { ...mnist, shape: [1, 1, 28, 28] })).toEqual([]);
    expect(checkSpecAgainstInput(gray28, { ...mnist, shape: [null, 1, 28, 28] })).toEqual([]);
  });

  it('checks the element type, saying float16 is not supported yet', () => {
    expect(checkSpecAgainstInput(gray28, { ...mnist, dtype: 'float16' })).toEqual([
      "The model's input 'input' takes float16, which QuantLens does not support yet. Use a model whose input is float32.",
    ]);
    expect(checkSpecAgainstInput(gray28, { ...mnist, dtype: 'uint8' })[0]).toBe(
      "The model's input 'input' takes uint8 but the preprocessing produces float32. Choose dtype uint8 (with scale 0..255, mean 0 and std 1).");
    expect(checkSpecAgainstInput(gray28, { ...mnist, dtype: 'int64' })[0]).toContain('not an image type');
  });

  it('requires rank 4 and includes the spec\'s own problems', () => {
    expect(checkSpecAgainstInput(gray28, { ...mnist, shape: [1, 784] })).toEqual([
      "The model's input 'input' has 2 dimensions [1,784], but an image input needs 4 (batch, channels, height, width).",
    ]);
    expect(checkSpecAgainstInput({ ...gray28, mean: [0, 0, 0] }, mnist)).toEqual([
      'The mean has 3 values but grayscale produces 1 channel; give 1.',
    ]);
  });
});

describe('validateSpec', () => {
  it('accepts a sensible spec', () => {
    expect(validateSpec(rgb28)).toEqual([]);
    expect(validateSpec({ ...gray28, dtype: 'uint8', scale: '0..255' })).toEqual([]);
  });

  it('rejects non-positive or fractional sizes, std 0 and NaN', () => {
    expect(validateSpec({ ...rgb28, height: 0, width: 2.5, resizeShorterSide: -1 })).toEqual([
      'Height must be a whole number of pixels above 0 (got 0).',
      'Width must be a whole number of pixels above 0 (got 2.5).',
      'The shorter-side resize must be a whole number of pixels above 0 (got -1).',
    ]);
    expect(validateSpec({ ...rgb28, std: [1, 0, 1] })[0]).toMatch(/std must be numbers above 0/);
    expect(validateSpec({ ...rgb28, mean: [0, Number.NaN, 0] })[0]).toMatch(/mean must be finite/);
    expect(validateSpec({ ...rgb28, height: Number.NaN })).toHaveLength(1);
  });

  it('requires raw values (scale 0..255, mean 0, std 1) for integer inputs', () => {
    expect(validateSpec({ ...rgb28, dtype: 'int8', mean: [0.5, 0.5, 0.5] })).toEqual([
      'An int8 input takes raw pixel values: set mean to 0 and std to 1.',
      'An int8 input takes raw pixel values: choose scale 0..255 (0..1 would round every pixel to 0 or 1).',
    ]);
  });

  it('names unknown options (specs also come back from storage)', () => {
    const stored = JSON.parse(JSON.stringify({ ...rgb28, layout: 'CHW' })) as PreprocessSpec;
    expect(validateSpec(stored)).toEqual(["The layout 'CHW' is unknown; choose one of NCHW, NHWC."]);
  });
});

describe('suggestSpec', () => {
  const cases: [string, ModelInputInfo, Partial<PreprocessSpec>][] = [
    ['ImageNet NCHW float', { name: 'x', dtype: 'float32', shape: [1, 3, 224, 224] },
      { layout: 'NCHW', color: 'rgb', height: 224, width: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], scale: '0..1' }],
    ['MNIST NHWC', { name: 'x', dtype: 'float32', shape: ['N', 28, 28, 1] },
      { layout: 'NHWC', color: 'grayscale', height: 28, width: 28, mean: [0], std: [1], scale: '0..1' }],
    ['symbolic size', { name: 'x', dtype: 'float32', shape: [1, 1, 'h', 'w'] }, { height: 224, width: 224, color: 'grayscale' }],
    ['raw uint8 NHWC', { name: 'x', dtype: 'uint8', shape: [1, 300, 320, 3] },
      { layout: 'NHWC', height: 300, width: 320, dtype: 'uint8', scale: '0..255', mean: [0, 0, 0], std: [1, 1, 1] }],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    const suggested = suggestSpec(input);
    expect(suggested).toMatchObject({ ...expected, antialias: true });
    expect(checkSpecAgainstInput(suggested, input)).toEqual([]);
  });

  it('falls back to a 224x224 RGB spec for inputs it cannot read', () => {
    expect(suggestSpec({ name: 'x', dtype: 'float16', shape: [1, 784] })).toMatchObject({ height: 224, color: 'rgb', dtype: 'float32' });
  });
});

describe('describeSpec', () => {
  it('says the whole pipeline in one line', () => {
    expect(describeSpec(suggestSpec({ name: 'x', dtype: 'float32', shape: [1, 3, 224, 224] }))).toBe(
      '224×224, shorter side to 224 then center crop (bilinear, antialiased), RGB 0..1, mean [0.485, 0.456, 0.406] std [0.229, 0.224, 0.225], NCHW float32');
    expect(describeSpec({ ...gray28, resize: 'stretch' })).toBe('28×28, stretched (bilinear, antialiased), grayscale 0..1, no normalization, NCHW float32');
    expect(describeSpec({ ...gray28, resize: 'stretch', antialias: false })).toBe('28×28, stretched (bilinear, no antialiasing), grayscale 0..1, no normalization, NCHW float32');
  });
});
