/**
 * The spot check's pure helpers: top-k confidences (the same softmax as the evaluation's
 * topConfidence), the live window, the tensor drawn back as pixels (inverse of the core's
 * preprocess for every layout, colour order, scale and dtype), labels and camera errors.
 */
import { describe, expect, it } from 'vitest';
import { topConfidence } from '../../../src/core/metrics/index.ts';
import { preprocess, type PreprocessSpec } from '../../../src/core/preprocess/index.ts';
import { cameraProblem, captureSide, classNamesFor, fitWithin, probabilities, resolveLabel, RollingWindow, tensorToImage, topK } from '../../../src/state/spotcheck-math.ts';

describe('topK', () => {
  it('ranks classes by softmax confidence, the top one equal to topConfidence', () => {
    const logits = Float32Array.of(0.5, 3, -1, 2.5);
    const top = topK(logits, 3, ['a', 'b', 'c', 'd']);
    expect(top.map((t) => t.name)).toEqual(['b', 'd', 'a']);
    expect(top[0].confidence).toBeCloseTo(topConfidence(logits), 12);
    const all = topK(logits, 10, []);
    expect(all).toHaveLength(4);
    expect(all.reduce((s, t) => s + t.confidence, 0)).toBeCloseTo(1, 12);
    expect(all[0].name).toBe('1'); // no class names: the index
  });

  it('takes probabilities as they are and breaks ties by the lower index', () => {
    expect(Array.from(probabilities([0.2, 0.5, 0.3]))).toEqual([0.2, 0.5, 0.3]);
    expect(topK([0.4, 0.2, 0.4], 2, ['x', 'y', 'z']).map((t) => t.index)).toEqual([0, 2]);
  });

  it('stays finite on large logits', () => {
    const top = topK([1000, 999, -1000], 1, []);
    expect(top[0].confidence).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });
});

describe('RollingWindow', () => {
  it('gives frames per second and agreement over the last N frames', () => {
    const window = new RollingWindow(3);
    expect(window.stats()).toEqual({ frames: 0, framesPerSecond: 0, agreement: 0 });
    expect(window.add({ at: 0, agree: true }).framesPerSecond).toBe(0);
    window.add({ at: 100, agree: false });
    const three = window.add({ at: 200, agree: true });
    expect(three).toEqual({ frames: 3, framesPerSecond: 10, agreement: 2 / 3 });
    // The first frame leaves the window: 3 frames over 300..500 ms.
    window.add({ at: 300, agree: true });
    const stats = window.add({ at: 500, agree: true });
    expect(stats.frames).toBe(3);
    expect(stats.framesPerSecond).toBeCloseTo(2000 / 300, 12);
    expect(stats.agreement).toBe(1);
    window.clear();
    expect(window.stats().frames).toBe(0);
  });
});

describe('tensorToImage', () => {
  // A 3x2 image with distinct channels per pixel.
  const width = 3;
  const height = 2;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([10 + 40 * i, 200 - 30 * i, 7 * i, 255], 4 * i);
  const image = { width, height, data };
  const base: PreprocessSpec = { width, height, resize: 'stretch', color: 'rgb', scale: '0..1', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW', dtype: 'float32' };

  const cases: [string, Partial<PreprocessSpec>][] = [
    ['NCHW rgb, ImageNet mean/std', {}],
    ['NHWC bgr, 0..255', { layout: 'NHWC', color: 'bgr', scale: '0..255', mean: [0, 0, 0], std: [1, 1, 1] }],
    ['uint8 NHWC', { layout: 'NHWC', dtype: 'uint8', scale: '0..255', mean: [0, 0, 0], std: [1, 1, 1] }],
  ];
  for (const [name, change] of cases) {
    it(`draws back the pixels the model got (${name})`, () => {
      const spec = { ...base, ...change };
      const seen = tensorToImage(preprocess(image, spec), spec);
      expect(seen.width).toBe(width);
      expect(seen.height).toBe(height);
      for (let i = 0; i < data.length; i++) expect(Math.abs(seen.data[i] - data[i]), `byte ${i}`).toBeLessThanOrEqual(1);
    });
  }

  it('draws a grayscale tensor as gray pixels', () => {
    const spec: PreprocessSpec = { ...base, color: 'grayscale', mean: [0], std: [1] };
    const tensor = preprocess(image, spec);
    const seen = tensorToImage(tensor, spec);
    for (let i = 0; i < width * height; i++) {
      expect(seen.data[4 * i]).toBe(Math.round(tensor[i] * 255));
      expect(seen.data[4 * i + 1]).toBe(seen.data[4 * i]);
      expect(seen.data[4 * i + 3]).toBe(255);
    }
  });
});

describe('labels, sizes and camera problems', () => {
  it('resolves a typed label to its class, loosely', () => {
    const names = ['cat', 'Dog', '7'];
    expect(resolveLabel('Dog', names)).toBe(1);
    expect(resolveLabel(' dog ', names)).toBe(1);
    expect(resolveLabel('7', names)).toBe(2);
    expect(resolveLabel('bird', names)).toBeNull();
    expect(resolveLabel('  ', names)).toBeNull();
  });

  it('names classes by the dataset when its class count fits, else by index', () => {
    expect(classNamesFor(3, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(classNamesFor(2, ['a', 'b', 'c'])).toEqual(['0', '1']);
    expect(classNamesFor(2, null)).toEqual(['0', '1']);
  });

  it('fits a frame within a longest side, keeping the aspect ratio', () => {
    expect(fitWithin(640, 480, 640)).toEqual({ width: 640, height: 480 });
    expect(fitWithin(1920, 1080, 640)).toEqual({ width: 640, height: 360 });
    expect(fitWithin(1080, 1920, 640)).toEqual({ width: 360, height: 640 });
  });

  it('captures camera frames at 4x the model input, between 256 and 640 pixels', () => {
    expect(captureSide({ width: 28, height: 28 })).toBe(256);
    expect(captureSide({ width: 96, height: 96 })).toBe(384);
    expect(captureSide({ width: 224, height: 224, resizeShorterSide: 256 })).toBe(640);
  });

  it('says what a camera failure means, and that the other inputs still work', () => {
    expect(cameraProblem('NotAllowedError').kind).toBe('denied');
    expect(cameraProblem('NotAllowedError').message).toMatch(/denied.*allow the camera.*photo and drawing inputs/s);
    expect(cameraProblem('NotFoundError').kind).toBe('missing');
    expect(cameraProblem('NotReadableError').kind).toBe('busy');
    expect(cameraProblem('NotAllowedError', false).kind).toBe('insecure');
    expect(cameraProblem(undefined).kind).toBe('failed');
  });
});
