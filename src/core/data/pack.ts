import { QuantLensError } from '../errors.ts';
import type { EncodedSample, SampleTarget } from './dataset.ts';
import { isPng, pngClaimedSize } from './decode.ts';
import { checkMask, decodeMask } from './formats/masks.ts';

/**
 * The bundled demo's dataset format: one JSON file with base64-encoded images, so a static host
 * serves it as a single request and it caches as one file offline.
 *
 * A sample may carry a `target` for detection or segmentation (task demos, tools/demo/tasks):
 * boxes as plain number arrays (COCO [x, y, w, h] in image pixels, flat), or a class-index mask
 * as a base64 PNG (8-bit grayscale or palette, one class index per pixel, 255 = ignore). Packs
 * without targets (version 1 as first shipped) read exactly as before.
 */
export interface DatasetPack<Label extends number | null = number> {
  format: 'quantlens-pack';
  version: 1;
  name: string;
  classNames: string[];
  samples: PackSample<Label>[];
}

/** One sample; `Label` is `number | null` for packs whose samples may be unlabelled (detection canvases). */
export interface PackSample<Label extends number | null = number> {
  name: string;
  /** Index into classNames; null (or absent) only for samples whose ground truth is their target. */
  label: Label;
  mime: string;
  data: string;
  target?: PackTarget;
}

/** A sample's ground truth beyond its label, as stored in a pack. */
export type PackTarget =
  | {
    kind: 'boxes';
    /** 4 numbers per box: x, y, width, height in pixels of the image (COCO order). */
    boxes: number[];
    /** One class index (into classNames) per box. */
    classes: number[];
    /** 1 for COCO iscrowd regions; all 0 when absent. */
    crowd?: number[];
    /** Object areas; width × height when absent. */
    areas?: number[];
    /** The sample's image id (COCO's); the sample index when absent. */
    imageId?: number;
  }
  | {
    kind: 'mask';
    /** Always 'image/png'. */
    mime: string;
    /** base64 PNG of class indices, the image's size. */
    data: string;
  };

/** What readPack gives: decoded samples (targets decoded into SampleTarget) and which target kind they carry. */
export interface ReadPack {
  name: string;
  classNames: string[];
  samples: EncodedSample[];
  /** Set when every sample has a target of this kind (a detection or segmentation pack). */
  target?: SampleTarget['kind'];
}

/** Validates a parsed pack and decodes its samples (and their targets). */
export function readPack(value: unknown): ReadPack {
  const pack = value as Partial<DatasetPack<number | null>> | null;
  if (!pack || pack.format !== 'quantlens-pack' || pack.version !== 1 || !Array.isArray(pack.samples) || !Array.isArray(pack.classNames)) {
    throw new QuantLensError('dataset-invalid', 'This is not a QuantLens dataset pack (format "quantlens-pack", version 1).', 'Use a pack made by tools/demo/pack.ts, or import an image folder instead.');
  }
  const classCount = pack.classNames.length;
  const kinds = new Set<SampleTarget['kind'] | undefined>();
  const samples = pack.samples.map((sample, index): EncodedSample => {
    const name = typeof sample?.name === 'string' ? `'${sample.name.slice(0, 200)}'` : 'unnamed';
    const malformed = (why: string) => new QuantLensError('dataset-invalid', `Sample ${index} (${name}) of the pack is malformed: ${why}.`, 'Regenerate the pack.');
    if (!sample || typeof sample !== 'object') throw malformed('it is not an object');
    const label: number | null = sample.label ?? null;
    if (typeof sample.data !== 'string') throw malformed('its image data is not a base64 string');
    if (label === null ? sample.target === undefined : !isIndex(label, classCount)) {
      throw malformed(label === null ? 'it has neither a label nor a target' : `its label ${JSON.stringify(label).slice(0, 100)} is not a class index below ${classCount}`);
    }
    const bytes = base64ToBytes(sample.data);
    const target = sample.target === undefined ? undefined : readTarget(sample.target, index, classCount, bytes, malformed);
    kinds.add(target?.kind);
    return {
      index, name: sample.name, label, mime: sample.mime, bytes: bytes.buffer as ArrayBuffer,
      ...(target ? { target } : {}),
    };
  });
  const [only] = kinds;
  return { name: pack.name ?? 'Unnamed pack', classNames: pack.classNames, samples, ...(kinds.size === 1 && only ? { target: only } : {}) };
}

function isIndex(value: unknown, count: number): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < count;
}

function readTarget(target: PackTarget, index: number, classCount: number, image: Uint8Array, malformed: (why: string) => QuantLensError): SampleTarget {
  if (target === null || typeof target !== 'object') throw malformed('its target is not an object'); // found by test/unit/fuzz
  if (target.kind === 'boxes') {
    const { boxes, classes } = target;
    const numbers = (list: unknown): list is number[] => Array.isArray(list) && list.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!numbers(boxes) || !numbers(classes) || boxes.length !== classes.length * 4) throw malformed('its boxes are not 4 finite numbers per class index');
    if (!classes.every((c) => isIndex(c, classCount))) throw malformed(`a box class is not a class index below ${classCount}`);
    for (let i = 0; i < classes.length; i++) if (boxes[i * 4 + 2] < 0 || boxes[i * 4 + 3] < 0) throw malformed(`box ${i} has a negative size`);
    const count = classes.length;
    const crowd = target.crowd ?? new Array<number>(count).fill(0);
    const areas = target.areas ?? classes.map((_, i) => boxes[i * 4 + 2] * boxes[i * 4 + 3]);
    if (!numbers(crowd) || crowd.length !== count || !numbers(areas) || areas.length !== count) throw malformed('its crowd flags or areas do not give one number per box');
    const imageId = target.imageId ?? index;
    if (!Number.isInteger(imageId)) throw malformed('its image id is not an integer');
    return {
      kind: 'boxes', boxes: Float32Array.from(boxes), classes: Int32Array.from(classes),
      crowd: Uint8Array.from(crowd, (c) => (c ? 1 : 0)), areas: Float32Array.from(areas), imageId,
    };
  }
  if (target.kind === 'mask') {
    if (typeof target.data !== 'string') throw malformed('its mask is not a base64 PNG');
    const mask = decodeMask(base64ToBytes(target.data), `mask of sample ${index}`);
    // The mask must cover its image pixel for pixel (checked from the PNG header; other formats are checked when decoded).
    const size = isPng(image) ? pngClaimedSize(image) : null;
    const problems = checkMask(mask, classCount, size ?? undefined);
    if (problems.length) throw malformed(problems.join('; '));
    return { kind: 'mask', width: mask.width, height: mask.height, data: mask.data };
  }
  const kind = (target as { kind?: unknown }).kind;
  throw malformed(`its target kind ${typeof kind === 'string' ? `'${kind.slice(0, 100)}'` : (JSON.stringify(kind) ?? 'undefined').slice(0, 100)} is neither 'boxes' nor 'mask'`);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Uint8Array(128).fill(255);
for (let i = 0; i < BASE64.length; i++) LOOKUP[BASE64.charCodeAt(i)] = i;

/** Plain base64 decoding (atob is not in every host's lib, and this is exact everywhere). */
export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? LOOKUP[code] : 255;
    if (v === 255) throw new QuantLensError('dataset-invalid', `Invalid base64 character at position ${i}.`, 'Regenerate the pack.');
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}
