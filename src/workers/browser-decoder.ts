/**
 * The browser's own image decoder (JPEG, WebP, GIF, BMP: what the core does not decode), for
 * workers. EXIF orientation is applied (`imageOrientation: 'from-image'`, stated rather than left to
 * the browser's default), so a photo taken sideways reaches preprocessing the way it is viewed.
 * Pixels are not color-managed or premultiplied: the file's own values, as far as the decoder allows.
 * Decoders differ slightly between browsers and versions (JPEG by a few levels); PNG never comes
 * here (core/data/decode.ts decodes it bit-identically everywhere).
 */
import type { HostImageDecoder } from '../core/data/decode.ts';

export const browserDecoder: HostImageDecoder = async (bytes, mime) => {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: mime }), { imageOrientation: 'from-image', colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
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
