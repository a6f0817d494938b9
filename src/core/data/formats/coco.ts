import { QuantLensError } from '../../errors.ts';
import { decodeUtf8, invalidFile } from './bytes.ts';

/**
 * Ground truth of one image, as a detection metric consumes it. Box i is
 * boxes[4i..4i+3] = [x, y, width, height] in pixels (COCO's own order, top-left origin);
 * classes[i] is a contiguous class index (see CocoDataset.classNames); crowd[i] is 1 for iscrowd
 * regions (matched but never counted as misses); areas[i] is the annotation's `area` (segment
 * area, used by COCO's small/medium/large ranges) or width x height when absent.
 */
export interface CocoImageTruth {
  imageId: number;
  fileName: string;
  width: number;
  height: number;
  boxes: Float32Array;
  classes: Int32Array;
  crowd: Uint8Array;
  areas: Float32Array;
}

/** An item left out, where it is in the file and why. */
export interface CocoIssue {
  where: string;
  reason: string;
}

/** A validated COCO file: classes, per-image ground truth, and what was left out. */
export interface CocoDataset {
  /** Category names in class-index order: categories sorted by their COCO id. */
  classNames: string[];
  /** categoryIds[classIndex] = the COCO category id (ids are often sparse, 1..90). */
  categoryIds: number[];
  images: CocoImageTruth[];
  /** The first MAX_ISSUES problems; issueCount says how many there were in all. */
  issues: CocoIssue[];
  issueCount: number;
}

/** At most this many issues are kept (a broken file could hold millions). */
export const MAX_ISSUES = 1000;
const HINT = 'Use a COCO detection file (instances_*.json) with "images", "annotations" and "categories".';

/** Parses COCO detection JSON text (or UTF-8 bytes) and validates it; see readCoco. */
export function parseCocoJson(input: string | Uint8Array, fileName: string): CocoDataset {
  const text = decodeUtf8(input, fileName);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidFile(fileName, `not valid JSON (${error instanceof Error ? error.message : String(error)}).`, HINT, error);
  }
  return readCoco(value, fileName);
}

/**
 * Validates a parsed COCO detection object. A malformed file (not an object, no categories)
 * throws; a malformed item (category, image or annotation) is left out with an issue naming it.
 */
export function readCoco(value: unknown, fileName: string): CocoDataset {
  if (!isObject(value) || !Array.isArray(value.images) || !Array.isArray(value.categories)) {
    throw invalidFile(fileName, 'this is not COCO detection JSON (no "images" and "categories" lists).', HINT);
  }
  if (value.annotations !== undefined && !Array.isArray(value.annotations)) throw invalidFile(fileName, '"annotations" is not a list.', HINT);
  const annotations: unknown[] = Array.isArray(value.annotations) ? value.annotations : [];
  const issues: CocoIssue[] = [];
  let issueCount = 0;
  const report = (where: string, reason: string) => {
    issueCount++;
    if (issues.length < MAX_ISSUES) issues.push({ where, reason });
  };

  const categories = new Map<number, string>();
  value.categories.forEach((item: unknown, i: number) => {
    const where = `categories[${i}]`;
    if (!isObject(item) || !Number.isInteger(item.id)) return report(where, 'no integer "id"');
    if (typeof item.name !== 'string' || item.name.trim() === '') return report(`${where} (id ${item.id})`, 'no "name"');
    if (categories.has(item.id as number)) return report(`${where} (id ${item.id})`, 'duplicate category id');
    categories.set(item.id as number, item.name);
  });
  if (categories.size === 0) throw new QuantLensError('dataset-empty', `${fileName}: no usable categories.`, HINT);
  const categoryIds = [...categories.keys()].sort((a, b) => a - b);
  const classOf = new Map(categoryIds.map((id, index) => [id, index]));

  const images = new Map<number, { truth: Omit<CocoImageTruth, 'boxes' | 'classes' | 'crowd' | 'areas'>; boxes: number[]; classes: number[]; crowd: number[]; areas: number[] }>();
  value.images.forEach((item: unknown, i: number) => {
    const where = `images[${i}]`;
    if (!isObject(item) || !Number.isInteger(item.id)) return report(where, 'no integer "id"');
    const id = item.id as number;
    if (images.has(id)) return report(`${where} (id ${id})`, 'duplicate image id');
    if (typeof item.file_name !== 'string' || item.file_name === '') return report(`${where} (id ${id})`, 'no "file_name"');
    if (!isPositive(item.width) || !isPositive(item.height)) return report(`${where} (id ${id})`, '"width" and "height" must be positive numbers');
    images.set(id, { truth: { imageId: id, fileName: item.file_name, width: item.width, height: item.height }, boxes: [], classes: [], crowd: [], areas: [] });
  });

  annotations.forEach((item: unknown, i: number) => {
    const where = isObject(item) && item.id !== undefined ? `annotations[${i}] (id ${String(item.id)})` : `annotations[${i}]`;
    if (!isObject(item)) return report(where, 'not an object');
    const image = images.get(item.image_id as number);
    if (!image) return report(where, `image_id ${String(item.image_id)} is not a (usable) image`);
    const classIndex = classOf.get(item.category_id as number);
    if (classIndex === undefined) return report(where, `category_id ${String(item.category_id)} is not a (usable) category`);
    const bbox = item.bbox;
    if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      return report(where, '"bbox" must be [x, y, width, height] (4 numbers)');
    }
    const [x, y, w, h] = bbox as number[];
    if (w < 0 || h < 0) return report(where, `negative box size (${w} x ${h})`);
    const { width, height } = image.truth;
    if (x >= width || y >= height || x + w <= 0 || y + h <= 0) {
      return report(where, `box [${bbox.join(', ')}] lies outside the ${width} x ${height} image (are the coordinates normalised?)`);
    }
    const crowd = item.iscrowd === undefined || item.iscrowd === 0 || item.iscrowd === false ? 0 : item.iscrowd === 1 || item.iscrowd === true ? 1 : -1;
    if (crowd < 0) return report(where, '"iscrowd" must be 0 or 1');
    const area = item.area === undefined ? w * h : item.area;
    if (typeof area !== 'number' || !Number.isFinite(area) || area < 0) return report(where, '"area" must be a number >= 0');
    image.boxes.push(x, y, w, h);
    image.classes.push(classIndex);
    image.crowd.push(crowd);
    image.areas.push(area);
  });

  return {
    classNames: categoryIds.map((id) => categories.get(id) as string),
    categoryIds,
    images: [...images.values()].map((image) => ({
      ...image.truth,
      boxes: Float32Array.from(image.boxes),
      classes: Int32Array.from(image.classes),
      crowd: Uint8Array.from(image.crowd),
      areas: Float32Array.from(image.areas),
    })),
    issues,
    issueCount,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
