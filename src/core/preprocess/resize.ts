/**
 * Geometry of preprocessing: which resized size, which crop, and which source pixels (with which
 * weights) feed each output pixel. Bilinear with half-pixel centers and no antialiasing, the
 * convention of OpenCV INTER_LINEAR and torch `interpolate(mode='bilinear', align_corners=False)`.
 * Values stay float64 (no rounding to 8 bits in between, unlike OpenCV on uint8 images).
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

/** Python 3 / numpy rounding: halves go to the even neighbour. */
export function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
