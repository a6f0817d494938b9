/**
 * The load test's dataset: N grayscale 28x28 PNGs in class folders 0..9 (the same approach as
 * test/e2e/datasets-scale.e2e.ts, with pixels drawn around one fixed template per class so that the
 * load models' classifier is right ~91 % of the time instead of at chance).
 *
 *   npx tsx tools/load/dataset.ts [count] [outDir]    (default 50000, load-results/dataset)
 *
 * pixel = round(255 * (0.06 * template[class] + 0.94 * uniform)), template = a seeded random 0/1 pattern.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { PROJECT_ROOT } from '../../test/helpers/demo.ts';

export const CLASSES = 10;
export const SIZE = 28;
export const PIXELS = SIZE * SIZE;
/** How much of each pixel is the class template (0.06 → ~91 % for template matching, measured in numpy). */
const SIGNAL = 0.06;

/** A seeded uniform [0, 1) generator (LCG; the same numbers on every machine). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** One 0/1 pattern per class. */
export function templates(): Float32Array[] {
  const rand = random(2024);
  return Array.from({ length: CLASSES }, () => new Float32Array(PIXELS).map(() => (rand() < 0.5 ? 0 : 1)));
}

const TEMPLATES = templates();

/** Pixel bytes (0..255) of sample `id` of class `cls`. */
export function samplePixels(cls: number, id: number): Uint8Array {
  let x = (Math.imul(id + 1, 2654435761) ^ 0x9e3779b9) >>> 0 || 1;
  const out = new Uint8Array(PIXELS);
  const template = TEMPLATES[cls];
  for (let i = 0; i < PIXELS; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = Math.round(255 * (SIGNAL * template[i] + (1 - SIGNAL) * (x / 2 ** 32)));
  }
  return out;
}

/** The model input of that sample (pixel / 255), what the app's grayscale 0..1 preprocessing gives. */
export function sampleImage(cls: number, id: number): Float32Array {
  return Float32Array.from(samplePixels(cls, id), (v) => v / 255);
}

/** root/<class>/<i>.png, `count / 10` per class; reused when a complete folder of that count exists. */
export function makeLoadDataset(count: number, outDir = join(PROJECT_ROOT, 'load-results/dataset')): { root: string; count: number; reused: boolean } {
  const name = `load-${count}`;
  const root = join(outDir, name);
  const perClass = Math.ceil(count / CLASSES);
  // The marker sits next to the folder, not in it: a file at the folder's root would be a skipped file in the import.
  const marker = join(outDir, `${name}.complete`);
  if (existsSync(marker)) return { root, count: perClass * CLASSES, reused: true };
  rmSync(root, { recursive: true, force: true });
  for (let c = 0; c < CLASSES; c++) {
    mkdirSync(join(root, String(c)), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const id = c * perClass + i;
      writeFileSync(join(root, String(c), `${i}.png`), encode({ width: SIZE, height: SIZE, data: samplePixels(c, id), channels: 1, depth: 8 }));
    }
  }
  const written = readdirSync(root).reduce((n, dir) => n + readdirSync(join(root, dir)).length, 0);
  writeFileSync(marker, String(written));
  return { root, count: written, reused: false };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const made = makeLoadDataset(Number(process.argv[2] ?? 50_000), process.argv[3]);
  console.log(`${made.reused ? 'reused' : 'wrote'} ${made.count} PNGs under ${made.root}`);
}
