/**
 * Packs the demo's labelled test and calibration splits as QuantLens dataset packs.
 *
 *   npx tsx tools/demo/pack.ts
 *
 * Reads   tools/demo/out/splits.json (written by tools/demo/train.py: uint8 pixels + labels per split)
 * Writes  public/demo/mnist-test.pack.json         (2,000 digits, 200 per class)
 *         public/demo/mnist-calibration.pack.json  (500 digits, 50 per class)
 *
 * Each sample is a lossless 28x28 grayscale 8-bit PNG, named `<label>/<index in the mnist package's
 * digit file, 5 digits>.png`, in the order label, then index. The output is byte-for-byte deterministic.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, encode } from 'fast-png';
import type { DatasetPack } from '../../src/core/data/pack.ts';

interface RawSample {
  label: number;
  index: number;
  /** base64 of 784 uint8 pixels, row-major. */
  pixels: string;
}

interface Splits {
  test: RawSample[];
  calibration: RawSample[];
  train: RawSample[];
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SPLITS = join(ROOT, 'tools', 'demo', 'out', 'splits.json');
const OUT = join(ROOT, 'public', 'demo');
const CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const SIDE = 28;

function pixelsOf(sample: RawSample): Uint8Array {
  const px = new Uint8Array(Buffer.from(sample.pixels, 'base64'));
  if (px.length !== SIDE * SIDE) throw new Error(`sample ${sample.label}/${sample.index}: ${px.length} pixels, expected ${SIDE * SIDE}`);
  return px;
}

function toPack(name: string, samples: RawSample[]): DatasetPack {
  const ordered = [...samples].sort((a, b) => a.label - b.label || a.index - b.index);
  return {
    format: 'quantlens-pack',
    version: 1,
    name,
    classNames: CLASS_NAMES,
    samples: ordered.map((sample) => {
      const pixels = pixelsOf(sample);
      const png = encode({ width: SIDE, height: SIDE, data: pixels, channels: 1, depth: 8 });
      // Round-trip check: the PNG must give back exactly the pixels it was made from.
      const back = decode(png);
      if (back.width !== SIDE || back.height !== SIDE || back.channels !== 1 || back.depth !== 8 || !Buffer.from(back.data as Uint8Array).equals(Buffer.from(pixels))) {
        throw new Error(`sample ${sample.label}/${sample.index}: PNG round trip changed the image`);
      }
      return {
        name: `${sample.label}/${String(sample.index).padStart(5, '0')}.png`,
        label: sample.label,
        mime: 'image/png',
        data: Buffer.from(png).toString('base64'),
      };
    }),
  };
}

function hashes(samples: RawSample[]): Set<string> {
  return new Set(samples.map((s) => createHash('sha256').update(pixelsOf(s)).digest('hex')));
}

function main(): void {
  const splits = JSON.parse(readFileSync(SPLITS, 'utf8')) as Splits;
  const test = hashes(splits.test);
  const calibration = hashes(splits.calibration);
  const train = hashes(splits.train);
  for (const [a, b, sa, sb] of [['test', 'calibration', test, calibration], ['test', 'train', test, train], ['calibration', 'train', calibration, train]] as const) {
    const shared = [...sa].filter((h) => sb.has(h)).length;
    if (shared > 0) throw new Error(`${a} and ${b} share ${shared} identical images`);
  }

  const outputs: [string, DatasetPack][] = [
    ['mnist-test.pack.json', toPack(`MNIST digits — test split (${splits.test.length.toLocaleString('en-US')})`, splits.test)],
    ['mnist-calibration.pack.json', toPack(`MNIST digits — calibration split (${splits.calibration.length.toLocaleString('en-US')})`, splits.calibration)],
  ];
  for (const [file, pack] of outputs) {
    const path = join(OUT, file);
    writeFileSync(path, JSON.stringify(pack) + '\n');
    console.log(`[pack] wrote ${relative(ROOT, path)}: ${pack.samples.length} samples, ${statSync(path).size} bytes`);
  }
}

main();
