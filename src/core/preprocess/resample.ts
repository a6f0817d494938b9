/**
 * Separable resampling with per-axis taps (resize.ts): rows first, then columns, in float64 with no
 * rounding in between. Used when an axis is downscaled with antialiasing; the two-tap path in
 * preprocess.ts stays as it was so that results without antialiasing keep their exact bits.
 */
import type { RgbaImage } from './spec.ts';
import type { AxisTaps } from './resize.ts';

/**
 * RGB of the resized (and cropped) image as float64, [outputHeight][outputWidth][3]. Each row is
 * first resampled horizontally (only the source rows some output row needs), then vertically.
 */
export function resampleRgb(image: RgbaImage, rows: AxisTaps, columns: AxisTaps): Float64Array {
  const outputHeight = rows.start.length;
  const outputWidth = columns.start.length;
  let firstRow = image.height;
  let lastRow = 0;
  for (let o = 0; o < outputHeight; o++) {
    firstRow = Math.min(firstRow, rows.start[o]);
    lastRow = Math.max(lastRow, rows.start[o] + rows.count[o]);
  }
  const horizontal = resampleRows(image, columns, firstRow, Math.max(firstRow, lastRow));
  const output = new Float64Array(outputHeight * outputWidth * 3);
  const rowStride = outputWidth * 3;
  for (let y = 0; y < outputHeight; y++) {
    const start = rows.start[y] - firstRow;
    const weightBase = y * rows.maxTaps;
    for (let i = 0; i < rowStride; i++) {
      let sum = 0;
      for (let t = 0; t < rows.count[y]; t++) sum += rows.weights[weightBase + t] * horizontal[(start + t) * rowStride + i];
      output[y * rowStride + i] = sum;
    }
  }
  return output;
}

/** Source rows [from, to) resampled along x: [to - from][outputWidth][3]. */
function resampleRows(image: RgbaImage, columns: AxisTaps, from: number, to: number): Float64Array {
  const outputWidth = columns.start.length;
  const out = new Float64Array((to - from) * outputWidth * 3);
  const data = image.data;
  for (let y = from; y < to; y++) {
    const rowBase = y * image.width * 4;
    const outBase = (y - from) * outputWidth * 3;
    for (let x = 0; x < outputWidth; x++) {
      const weightBase = x * columns.maxTaps;
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let t = 0; t < columns.count[x]; t++) {
        const weight = columns.weights[weightBase + t];
        const source = rowBase + (columns.start[x] + t) * 4;
        red += weight * data[source];
        green += weight * data[source + 1];
        blue += weight * data[source + 2];
      }
      out[outBase + x * 3] = red;
      out[outBase + x * 3 + 1] = green;
      out[outBase + x * 3 + 2] = blue;
    }
  }
  return out;
}
