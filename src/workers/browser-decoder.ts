/**
 * The browser's own image decoder (JPEG, WebP, GIF, BMP: what the core does not decode), for
 * workers. The same code as data.worker.ts's, which cannot be imported without running its `expose`.
 */
import type { HostImageDecoder } from '../core/data/decode.ts';

export const browserDecoder: HostImageDecoder = async (bytes, mime) => {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: mime }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D context in this worker');
    context.drawImage(bitmap, 0, 0);
    const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
};
