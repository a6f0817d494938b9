/**
 * Applies a PreprocessSpec to one decoded image with plain loops in float64, so Node and every
 * browser produce the same bits (no canvas, no GPU, no platform resampler).
 */
import { QuantLensError } from '../errors.ts';
import { antialiasedAxis, axisSamplesAsTaps, planAxis, planAxisAntialiased, planResize, roundHalfToEven } from './resize.ts';
import { resampleRgb } from './resample.ts';
import type { PreprocessedTensorData, PreprocessSpec, RgbaImage } from './spec.ts';
import { channelCount, validateSpec } from './validate.ts';

/**
 * One sample's tensor data: resize (bilinear, half-pixel centers; antialiased when shrinking unless
 * `antialias: false`), color, scale, (x - mean) / std, then [C,H,W] (NCHW) or [H,W,C] (NHWC)
 * flattened. Integer dtypes round half to even and clamp.
 */
export function preprocess(image: RgbaImage, spec: PreprocessSpec): PreprocessedTensorData {
  assertSpecIsValid(spec);
  assertImageIsWhole(image);
  const plan = planResize(image.height, image.width, spec);
  const rows = planAxis(image.height, plan.resizedHeight, plan.cropTop, spec.height);
  const columns = planAxis(image.width, plan.resizedWidth, plan.cropLeft, spec.width);
  // Shrinking with antialiasing resamples the whole image first (separable taps); otherwise each
  // output pixel reads its 2x2 neighbourhood as before, so those results keep their exact bits.
  const filterRows = antialiasedAxis(image.height, plan.resizedHeight, spec);
  const filterColumns = antialiasedAxis(image.width, plan.resizedWidth, spec);
  const resampled = filterRows || filterColumns
    ? resampleRgb(
      image,
      filterRows ? planAxisAntialiased(image.height, plan.resizedHeight, plan.cropTop, spec.height) : axisSamplesAsTaps(rows),
      filterColumns ? planAxisAntialiased(image.width, plan.resizedWidth, plan.cropLeft, spec.width) : axisSamplesAsTaps(columns),
    )
    : null;
  const channels = channelCount(spec.color);
  const output = allocate(spec.dtype, channels * spec.height * spec.width);
  const pixel = new Float64Array(3);
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      if (resampled) pixel.set(resampled.subarray((y * spec.width + x) * 3, (y * spec.width + x) * 3 + 3));
      else samplePixel(image, rows, columns, y, x, pixel);
      for (let c = 0; c < channels; c++) {
        const raw = channelValue(pixel, spec.color, c);
        const scaled = spec.scale === '0..1' ? raw / 255 : raw;
        const normalized = (scaled - spec.mean[c]) / spec.std[c];
        const index = spec.layout === 'NCHW'
          ? (c * spec.height + y) * spec.width + x
          : (y * spec.width + x) * channels + c;
        output[index] = toOutputValue(normalized, spec.dtype);
      }
    }
  }
  return output;
}

/** Tensor dimensions for `batch` samples: [batch,C,H,W] for NCHW, [batch,H,W,C] for NHWC. */
export function tensorShape(spec: PreprocessSpec, batch: number): number[] {
  const channels = channelCount(spec.color);
  return spec.layout === 'NCHW'
    ? [batch, channels, spec.height, spec.width]
    : [batch, spec.height, spec.width, channels];
}

function samplePixel(
  image: RgbaImage,
  rows: ReturnType<typeof planAxis>,
  columns: ReturnType<typeof planAxis>,
  y: number,
  x: number,
  pixel: Float64Array,
): void {
  const data = image.data;
  const rowStride = image.width * 4;
  const top = rows.lower[y] * rowStride;
  const left = columns.lower[x] * 4;
  if (rows.identity && columns.identity) {
    pixel[0] = data[top + left];
    pixel[1] = data[top + left + 1];
    pixel[2] = data[top + left + 2];
    return;
  }
  const bottom = rows.upper[y] * rowStride;
  const right = columns.upper[x] * 4;
  const wy = rows.upperWeight[y];
  const wx = columns.upperWeight[x];
  for (let c = 0; c < 3; c++) {
    const upperRow = (1 - wx) * data[top + left + c] + wx * data[top + right + c];
    const lowerRow = (1 - wx) * data[bottom + left + c] + wx * data[bottom + right + c];
    pixel[c] = (1 - wy) * upperRow + wy * lowerRow;
  }
}

function channelValue(pixel: Float64Array, color: PreprocessSpec['color'], channel: number): number {
  const [red, green, blue] = pixel;
  if (color === 'rgb') return pixel[channel];
  if (color === 'bgr') return pixel[2 - channel];
  // Gray pixels keep their exact value, so grayscale images pass through bit for bit.
  if (red === green && green === blue) return red;
  return 0.299 * red + 0.587 * green + 0.114 * blue;
}

function allocate(dtype: PreprocessSpec['dtype'], length: number): PreprocessedTensorData {
  if (dtype === 'uint8') return new Uint8Array(length);
  if (dtype === 'int8') return new Int8Array(length);
  return new Float32Array(length);
}

function toOutputValue(value: number, dtype: PreprocessSpec['dtype']): number {
  if (dtype === 'float32') return value;
  const rounded = roundHalfToEven(value);
  return dtype === 'uint8' ? Math.min(255, Math.max(0, rounded)) : Math.min(127, Math.max(-128, rounded));
}

function assertSpecIsValid(spec: PreprocessSpec): void {
  const problems = validateSpec(spec);
  if (problems.length > 0) {
    throw new QuantLensError('preprocess-mismatch', `The preprocessing settings are invalid: ${problems.join(' ')}`,
      'Fix the preprocessing settings listed above.');
  }
}

function assertImageIsWhole(image: RgbaImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data.length !== width * height * 4) {
    throw new QuantLensError('image-undecodable',
      `The decoded image is ${width}x${height} with ${data.length} bytes, not ${width}x${height}x4 RGBA bytes.`,
      'Re-export the image as PNG or JPEG and try again.');
  }
}
