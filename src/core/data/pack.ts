import { QuantLensError } from '../errors.ts';
import type { EncodedSample } from './dataset.ts';

/**
 * The bundled demo's dataset format: one JSON file with base64-encoded images, so a static host
 * serves it as a single request and it caches as one file offline.
 */
export interface DatasetPack {
  format: 'quantlens-pack';
  version: 1;
  name: string;
  classNames: string[];
  samples: { name: string; label: number; mime: string; data: string }[];
}

/** Validates a parsed pack and decodes its samples. */
export function readPack(value: unknown): { name: string; classNames: string[]; samples: EncodedSample[] } {
  const pack = value as Partial<DatasetPack> | null;
  if (!pack || pack.format !== 'quantlens-pack' || pack.version !== 1 || !Array.isArray(pack.samples) || !Array.isArray(pack.classNames)) {
    throw new QuantLensError('dataset-invalid', 'This is not a QuantLens dataset pack (format "quantlens-pack", version 1).', 'Use a pack made by tools/demo/pack.ts, or import an image folder instead.');
  }
  const classCount = pack.classNames.length;
  const samples = pack.samples.map((sample, index): EncodedSample => {
    if (typeof sample.data !== 'string' || !Number.isInteger(sample.label) || sample.label < 0 || sample.label >= classCount) {
      throw new QuantLensError('dataset-invalid', `Sample ${index} ('${sample.name}') of the pack is malformed.`, 'Regenerate the pack.');
    }
    return { index, name: sample.name, label: sample.label, mime: sample.mime, bytes: base64ToBytes(sample.data).buffer as ArrayBuffer };
  });
  return { name: pack.name ?? 'Unnamed pack', classNames: pack.classNames, samples };
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
