/**
 * Geometry of preprocessing: which resized size, which crop, and which source pixels (with which
 * weights) feed each output pixel. Two resamplers, both with half-pixel centers:
 * - two-tap bilinear without antialiasing (`planAxis`): OpenCV INTER_LINEAR, torch
 *   `interpolate(mode='bilinear', align_corners=False)`; used for upscaling, and for downscaling
 *   when the spec says `antialias: false`;
 * - antialiased bilinear (`planAxisAntialiased`): a triangle filter whose support grows with the
 *   downscale factor, as PIL's `Image.resize(BILINEAR)` and torch/torchvision `antialias=True` do.
 * Values stay float64 (no rounding to 8 bits in between, unlike OpenCV or PIL on uint8 images).
 */
import { QuantLensError } from '../errors.ts';
import type { PreprocessSpec } from './spec.ts';

/** For each output coordinate on one axis: the two source indices and the weight of the upper one. */
export interface AxisSamples {
  lower: Int32Array;
  upper: Int32Array;
  upperWeight: Float64Array;
  /** True when the axis is not resized at all, so pixels pass through exactly. */
  identity: boolean;
}

/** Size and crop window of one image after the spec's resize step. */
export interface ResizePlan {
  resizedHeight: number;
  resizedWidth: number;
  cropTop: number;
  cropLeft: number;
}

/**
 * Where the image goes: 'stretch' resizes straight to height x width; 'shorter-side-crop' resizes
 * the shorter side to `resizeShorterSide ?? max(height, width)` and the longer one to
 * floor(shorter * long / short) (torchvision `Resize(int)`), then center-crops with
 * round-half-to-even offsets (torchvision `CenterCrop`, which uses Python's `round`).
 */
export function planResize(imageHeight: number, imageWidth: number, spec: PreprocessSpec): ResizePlan {
  if (spec.resize === 'stretch') {
    return { resizedHeight: spec.height, resizedWidth: spec.width, cropTop: 0, cropLeft: 0 };
  }
  const shorterSide = spec.resizeShorterSide ?? Math.max(spec.height, spec.width);
  let resizedHeight: number;
  let resizedWidth: number;
  if (imageHeight <= imageWidth) {
    resizedHeight = shorterSide;
    resizedWidth = Math.floor((shorterSide * imageWidth) / imageHeight);
  } else {
    resizedWidth = shorterSide;
    resizedHeight = Math.floor((shorterSide * imageHeight) / imageWidth);
  }
  if (resizedHeight < spec.height || resizedWidth < spec.width) {
    throw new QuantLensError(
      'preprocess-mismatch',
      `A ${imageWidth}x${imageHeight} image resized to ${resizedWidth}x${resizedHeight} is smaller than the ${spec.width}x${spec.height} crop.`,
      `Set the shorter-side resize to at least ${Math.max(spec.height, spec.width)}, or choose 'stretch'.`,
    );
  }
  return {
    resizedHeight,
    resizedWidth,
    cropTop: roundHalfToEven((resizedHeight - spec.height) / 2),
    cropLeft: roundHalfToEven((resizedWidth - spec.width) / 2),
  };
}

/** Source samples for `outputSize` coordinates starting at `cropOffset` in an axis resized to `resizedSize`. */
export function planAxis(sourceSize: number, resizedSize: number, cropOffset: number, outputSize: number): AxisSamples {
  const lower = new Int32Array(outputSize);
  const upper = new Int32Array(outputSize);
  const upperWeight = new Float64Array(outputSize);
  const identity = sourceSize === resizedSize;
  const scale = sourceSize / resizedSize;
  for (let o = 0; o < outputSize; o++) {
    const resizedIndex = o + cropOffset;
    if (identity) {
      lower[o] = resizedIndex;
      upper[o] = resizedIndex;
      continue;
    }
    // Half-pixel centers; coordinates left of the first center clamp to it (as OpenCV and torch do).
    const source = Math.max(0, (resizedIndex + 0.5) * scale - 0.5);
    const low = Math.min(Math.floor(source), sourceSize - 1);
    lower[o] = low;
    upper[o] = low < sourceSize - 1 ? low + 1 : low;
    upperWeight[o] = low < sourceSize - 1 ? source - low : 0;
  }
  return { lower, upper, upperWeight, identity };
}

/** For each output coordinate on one axis: `count` source indices from `start`, and their weights. */
export interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  /** weights[o * maxTaps + t] multiplies source index start[o] + t; each output's weights sum to 1. */
  weights: Float64Array;
  maxTaps: number;
}

/** True when this spec resamples a `sourceSize` axis down to `resizedSize` with the antialiasing filter. */
export function antialiasedAxis(sourceSize: number, resizedSize: number, spec: Pick<PreprocessSpec, 'antialias'>): boolean {
  return spec.antialias !== false && resizedSize < sourceSize;
}

/**
 * Antialiased (triangle-filter) taps: scale = source / resized; each output's center is
 * (i + 0.5) * scale; the filter spans `scale` source pixels either side and weights source pixel j
 * by max(0, 1 - |j + 0.5 - center| / scale), normalised to sum 1. Bounds as in PIL's
 * `precompute_coeffs` and torch's `_upsample_bilinear2d_aa` (C truncation of center ± support + 0.5).
 */
export function planAxisAntialiased(sourceSize: number, resizedSize: number, cropOffset: number, outputSize: number): AxisTaps {
  const scale = sourceSize / resizedSize;
  const support = Math.max(scale, 1);
  const inverseSupport = 1 / support; // multiplied, not divided: the same arithmetic as PIL and torch
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outputSize);
  const count = new Int32Array(outputSize);
  const weights = new Float64Array(outputSize * maxTaps);
  for (let o = 0; o < outputSize; o++) {
    const center = (o + cropOffset + 0.5) * scale;
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const taps = Math.min(Math.trunc(center + support + 0.5), sourceSize) - first;
    let total = 0;
    for (let t = 0; t < taps; t++) {
      const weight = Math.max(0, 1 - Math.abs((t + first - center + 0.5) * inverseSupport));
      weights[o * maxTaps + t] = weight;
      total += weight;
    }
    if (total !== 0) for (let t = 0; t < taps; t++) weights[o * maxTaps + t] /= total;
    start[o] = first;
    count[o] = taps;
  }
  return { start, count, weights, maxTaps };
}

/** Two-tap bilinear samples (planAxis) in the AxisTaps form, with the same weights. */
export function axisSamplesAsTaps(samples: AxisSamples): AxisTaps {
  const outputSize = samples.lower.length;
  const start = Int32Array.from(samples.lower);
  const count = new Int32Array(outputSize).fill(2);
  const weights = new Float64Array(outputSize * 2);
  for (let o = 0; o < outputSize; o++) {
    if (samples.identity) {
      count[o] = 1;
      weights[o * 2] = 1;
      continue;
    }
    // upper is lower + 1, or lower itself (last pixel) with weight 0: a second tap on lower + 0 weight.
    weights[o * 2] = 1 - samples.upperWeight[o];
    weights[o * 2 + 1] = samples.upperWeight[o];
    if (samples.upper[o] === samples.lower[o]) count[o] = 1;
  }
  return { start, count, weights, maxTaps: 2 };
}

/** Python 3 / numpy rounding: halves go to the even neighbour. */
export function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
