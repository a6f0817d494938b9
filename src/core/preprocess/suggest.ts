/** A starting spec guessed from the model's input, and the one-line description the UI shows. */
import type { InputDType, Layout, ModelInputInfo, PreprocessSpec } from './spec.ts';
import { layoutAxes } from './fit.ts';

/** torchvision's ImageNet statistics, the most common normalization for 3-channel float models. */
export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];
const DEFAULT_SIZE = 224;

/**
 * A sensible default for the model's input: NCHW unless only the last dim is 1 or 3, size from
 * fixed dims (else 224), grayscale for 1 channel, ImageNet mean/std for 3-channel float inputs.
 */
export function suggestSpec(input: ModelInputInfo): PreprocessSpec {
  const shape = input.shape.length === 4 ? input.shape : [null, 3, null, null];
  const layout = guessLayout(shape);
  const axes = layoutAxes(layout);
  const grayscale = shape[axes.channels] === 1;
  const dtype: InputDType = input.dtype === 'uint8' || input.dtype === 'int8' ? input.dtype : 'float32';
  const raw = dtype !== 'float32';
  const channels = grayscale ? 1 : 3;
  return {
    height: fixedSize(shape[axes.height]),
    width: fixedSize(shape[axes.width]),
    resize: 'shorter-side-crop',
    // Written out, so the fingerprint of a suggested spec says which resampler made its tensors.
    antialias: true,
    color: grayscale ? 'grayscale' : 'rgb',
    scale: raw ? '0..255' : '0..1',
    mean: raw || grayscale ? new Array<number>(channels).fill(0) : [...IMAGENET_MEAN],
    std: raw || grayscale ? new Array<number>(channels).fill(1) : [...IMAGENET_STD],
    layout,
    dtype,
  };
}

/**
 * One line for the UI, e.g. "224×224, shorter side to 224 then center crop (bilinear, antialiased),
 * RGB 0..1, mean [...] std [...], NCHW float32".
 */
export function describeSpec(spec: PreprocessSpec): string {
  const resampler = spec.antialias === false ? '(bilinear, no antialiasing)' : '(bilinear, antialiased)';
  const resize = spec.resize === 'stretch'
    ? `stretched ${resampler}`
    : `shorter side to ${spec.resizeShorterSide ?? Math.max(spec.height, spec.width)} then center crop ${resampler}`;
  const color = spec.color === 'grayscale' ? 'grayscale' : spec.color.toUpperCase();
  const isRaw = spec.mean.every((value) => value === 0) && spec.std.every((value) => value === 1);
  const normalization = isRaw ? 'no normalization' : `mean [${spec.mean.join(', ')}] std [${spec.std.join(', ')}]`;
  return `${spec.height}×${spec.width}, ${resize}, ${color} ${spec.scale}, ${normalization}, ${spec.layout} ${spec.dtype}`;
}

function guessLayout(shape: ModelInputInfo['shape']): Layout {
  const second = shape[1];
  const last = shape[3];
  if (second === 1 || second === 3) return 'NCHW';
  if (last === 1 || last === 3) return 'NHWC';
  return 'NCHW';
}

function fixedSize(dim: number | string | null): number {
  return typeof dim === 'number' && dim > 0 ? dim : DEFAULT_SIZE;
}
