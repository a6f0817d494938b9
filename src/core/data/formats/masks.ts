import { decode as decodePng } from 'fast-png';
import { isPng, pngClaimedSize, pngSizeImpossible, unpackSubBytePixels } from '../decode.ts';
import { invalidFile } from './bytes.ts';

/** Pixels with this value are left out of segmentation metrics (the VOC/Cityscapes convention). */
export const IGNORE_INDEX = 255;

/** A segmentation mask: one class index per pixel, row-major; IGNORE_INDEX means "no label". */
export interface ClassMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Masks larger than this many pixels are refused before decoding (8192 x 8192). */
export const MAX_MASK_PIXELS = 1 << 26;
const HINT = 'Save masks as PNG with one class index per pixel: a palette (indexed) or 8-bit grayscale image, 255 for "ignore".';

/**
 * Decodes a PNG class-index mask. Palette PNGs give their palette indices (not colours);
 * grayscale PNGs give their gray value (1/2/4/8 bits; 16 bits when no value exceeds 255; the alpha
 * of gray+alpha is dropped). RGB masks are refused: colours are not class indices.
 */
export function decodeMask(bytes: Uint8Array, fileName: string): ClassMask {
  if (!isPng(bytes)) throw invalidFile(fileName, 'a mask must be a PNG image.', HINT);
  // IHDR comes first: check the claimed size before the decoder allocates for it.
  const claimed = pngClaimedSize(bytes);
  if (claimed && claimed.width * claimed.height > MAX_MASK_PIXELS) {
    throw invalidFile(fileName, `the PNG claims ${claimed.width} x ${claimed.height} pixels, more than the ${MAX_MASK_PIXELS} a mask may have.`, HINT);
  }
  const impossible = pngSizeImpossible(bytes);
  if (impossible) throw invalidFile(fileName, `${impossible}.`, HINT);
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(bytes);
  } catch (error) {
    throw invalidFile(fileName, `the PNG could not be decoded (${error instanceof Error ? error.message : String(error)}).`, HINT, error);
  }
  const { width, height, depth, channels } = png;
  const indexed = png.palette !== undefined;
  if (!indexed && channels > 2) throw invalidFile(fileName, `the mask is a colour (${channels === 3 ? 'RGB' : 'RGBA'}) image.`, HINT);
  const source = png.data;
  if (depth < 8) {
    const unpacked = unpackSubBytePixels(source, width, height, depth);
    if (!unpacked) throw invalidFile(fileName, 'the PNG holds fewer pixels than its size says.', HINT);
    return { width, height, data: unpacked };
  }
  const out = new Uint8Array(width * height);
  const stride = indexed ? 1 : channels;
  if (source.length < width * height * stride) throw invalidFile(fileName, 'the PNG holds fewer pixels than its size says.', HINT);
  for (let p = 0; p < width * height; p++) {
    const value = source[p * stride];
    if (value > 255) throw invalidFile(fileName, `16-bit mask value ${value} at pixel (${p % width}, ${Math.floor(p / width)}); class indices go up to 254.`, HINT);
    out[p] = value;
  }
  return { width, height, data: out };
}

/** What is wrong with a mask for a model with `classCount` classes (and, if given, its image size). */
export function checkMask(mask: ClassMask, classCount: number, image?: { width: number; height: number }): string[] {
  const problems: string[] = [];
  if (image && (image.width !== mask.width || image.height !== mask.height)) {
    problems.push(`the mask is ${mask.width} x ${mask.height} but its image is ${image.width} x ${image.height}`);
  }
  const outside = new Set<number>();
  for (const value of mask.data) if (value !== IGNORE_INDEX && value >= classCount) outside.add(value);
  if (outside.size) problems.push(`class indices ${[...outside].sort((a, b) => a - b).join(', ')} are not below the ${classCount} classes (use ${IGNORE_INDEX} for "ignore")`);
  return problems;
}

/** The file name without folders and without its last extension: "a/b/0001.label.png" → "0001.label". */
export function fileStem(path: string): string {
  const base = path.replace(/^.*[\\/]/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Images and masks matched by file stem, and what could not be matched. */
export interface MaskPairing {
  pairs: { image: string; mask: string }[];
  unpairedImages: string[];
  unpairedMasks: string[];
  /** Stems shared by several images or several masks: none of them is paired. */
  ambiguous: { stem: string; paths: string[] }[];
}

/**
 * Pairs images with masks by file stem ("img/0001.jpg" ↔ "masks/0001.png"), case-sensitively.
 * A stem held by two images or two masks is ambiguous and reported instead of guessed.
 */
export function pairMasksByStem(imagePaths: readonly string[], maskPaths: readonly string[]): MaskPairing {
  const group = (paths: readonly string[]) => {
    const byStem = new Map<string, string[]>();
    for (const path of paths) byStem.set(fileStem(path), [...(byStem.get(fileStem(path)) ?? []), path]);
    return byStem;
  };
  const images = group(imagePaths);
  const masks = group(maskPaths);
  const result: MaskPairing = { pairs: [], unpairedImages: [], unpairedMasks: [], ambiguous: [] };
  for (const [stem, paths] of images) {
    const found = masks.get(stem);
    if (paths.length > 1 || (found && found.length > 1)) result.ambiguous.push({ stem, paths: [...paths, ...(found ?? [])] });
    else if (found) result.pairs.push({ image: paths[0], mask: found[0] });
    else result.unpairedImages.push(paths[0]);
  }
  for (const [stem, paths] of masks) {
    if (images.has(stem)) continue;
    if (paths.length > 1) result.ambiguous.push({ stem, paths });
    else result.unpairedMasks.push(paths[0]);
  }
  return result;
}
