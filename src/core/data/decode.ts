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

/** Largest image the app decodes (a hostile header must not make the decoder allocate gigabytes). */
export const MAX_IMAGE_PIXELS = 1 << 26;

/** The width and height a PNG's IHDR claims, read before decoding; null when too short to say. */
export function pngClaimedSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Why a PNG cannot hold the pixels its IHDR claims, or null. Deflate expands at most ~1032:1, so
 * scanlines more than 1100 times the file's size cannot be in it: refusing them before decoding
 * stops a 70-byte file from making the decoder allocate half a gigabyte (found by test/unit/fuzz).
 */
export function pngSizeImpossible(bytes: Uint8Array): string | null {
  const claimed = pngClaimedSize(bytes);
  if (!claimed) return null;
  const { width, height } = claimed;
  if (width === 0 || height === 0) return `the PNG claims ${width} x ${height} pixels; a PNG has at least 1 x 1`;
  const bitsPerPixel = (PNG_CHANNELS[bytes[25]] ?? 4) * Math.min(bytes[24], 16);
  const scanlineBytes = height * (1 + Math.ceil((width * bitsPerPixel) / 8));
  if (scanlineBytes > bytes.length * 1100) return `the PNG claims ${width} x ${height} pixels, far more than its ${bytes.length} bytes can hold`;
  return null;
}

/**
 * Unpacks 1/2/4-bit samples, which fast-png leaves packed (rows padded to whole bytes, most
 * significant bits first), to one value per pixel. Null when the data is shorter than the size says.
 */
export function unpackSubBytePixels(source: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array | null {
  const rowBytes = Math.ceil((width * depth) / 8);
  if (source.length < rowBytes * height) return null;
  const out = new Uint8Array(width * height);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = source[y * rowBytes + Math.floor(x / perByte)];
      out[y * width + x] = (byte >> (8 - depth * ((x % perByte) + 1))) & mask;
    }
  }
  return out;
}

function pngToRgba(bytes: Uint8Array): RgbaImage {
  const claimed = pngClaimedSize(bytes);
  if (claimed && claimed.width * claimed.height > MAX_IMAGE_PIXELS) {
    throw new Error(`the PNG claims ${claimed.width} x ${claimed.height} pixels, more than the ${MAX_IMAGE_PIXELS} this app decodes`);
  }
  const impossible = pngSizeImpossible(bytes);
  if (impossible) throw new Error(impossible);
  const png = decodePng(bytes);
  const { width, height, channels } = png;
  let source: ArrayLike<number> = png.data;
  let shift = png.depth === 16 ? 8 : 0;
  if (png.depth < 8) {
    const unpacked = unpackSubBytePixels(png.data, width, height, png.depth);
    if (!unpacked) throw new Error('the PNG holds fewer pixels than its size says');
    // Gray levels of 1/2/4 bits are stretched to 0..255; palette indices stay indices.
    source = png.palette ? unpacked : unpacked.map((v) => Math.round((v * 255) / ((1 << png.depth) - 1)));
    shift = 0;
  }
  const out = new Uint8ClampedArray(width * height * 4);
  const palette = png.palette;
  for (let p = 0; p < width * height; p++) {
    let r: number, g: number, b: number, a = 255;
    if (palette) {
      const entry = palette[source[p]] ?? [0, 0, 0];
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
