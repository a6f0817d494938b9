import { decode as decodePng } from 'fast-png';
import { QuantLensError } from '../errors.ts';
import type { RgbaImage } from '../preprocess/spec.ts';

/** A host's own decoder for formats the core does not decode itself (JPEG, WebP... in browsers). */
export type HostImageDecoder = (bytes: ArrayBuffer, mime: string) => Promise<RgbaImage>;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return PNG_MAGIC.every((b, i) => bytes[i] === b);
}

/** Recognises the image formats a browser decodes, from their magic bytes (file names lie). */
export function sniffImageType(bytes: Uint8Array): string | null {
  if (isPng(bytes)) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 3) === 'GIF') return 'image/gif';
  if (ascii(0, 2) === 'BM') return 'image/bmp';
  return null;
}

/**
 * Decodes to RGBA8. PNG is decoded here, in plain TypeScript, so that Node and every browser get
 * bit-identical pixels; other formats go to the host's decoder.
 */
export async function decodeImage(bytes: ArrayBuffer, mime: string, hostDecoder?: HostImageDecoder): Promise<RgbaImage> {
  const view = new Uint8Array(bytes);
  try {
    if (isPng(view)) return pngToRgba(view);
    if (!hostDecoder) throw new Error(`no decoder for ${sniffImageType(view) ?? mime} in this host`);
    return await hostDecoder(bytes, sniffImageType(view) ?? mime);
  } catch (error) {
    throw new QuantLensError('image-undecodable', `The image could not be decoded: ${error instanceof Error ? error.message : String(error)}`, 'The sample is skipped; re-export it as PNG or JPEG if you need it.', { cause: error });
  }
}

function pngToRgba(bytes: Uint8Array): RgbaImage {
  const png = decodePng(bytes);
  const { width, height, channels } = png;
  const source = png.data;
  const shift = png.depth === 16 ? 8 : 0;
  const out = new Uint8ClampedArray(width * height * 4);
  const palette = png.palette;
  for (let p = 0; p < width * height; p++) {
    let r: number, g: number, b: number, a = 255;
    if (palette) {
      const entry = palette[source[p]];
      [r, g, b] = entry;
      a = entry.length > 3 ? (entry[3] ?? 255) : 255;
    } else if (channels === 1 || channels === 2) {
      r = g = b = source[p * channels] >> shift;
      if (channels === 2) a = source[p * 2 + 1] >> shift;
    } else {
      r = source[p * channels] >> shift;
      g = source[p * channels + 1] >> shift;
      b = source[p * channels + 2] >> shift;
      if (channels === 4) a = source[p * 4 + 3] >> shift;
    }
    out[p * 4] = r;
    out[p * 4 + 1] = g;
    out[p * 4 + 2] = b;
    out[p * 4 + 3] = a;
  }
  return { width, height, data: out };
}
