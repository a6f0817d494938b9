/**
 * The bundled demo's committed assets (public/demo/, made by tools/demo/make-demo.sh) are what they
 * claim to be: well-formed packs with the stated class balance, lossless 28x28 grayscale PNGs,
 * calibration disjoint from test, and a float model that loads in onnxruntime-web and reads digits.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import * as ort from 'onnxruntime-web/wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPack, type DatasetPack } from '../../../src/core/data/pack.ts';

const DEMO = join(import.meta.dirname, '..', '..', '..', 'public', 'demo');
const SIDE = 28;

interface Digit {
  name: string;
  label: number;
  pixels: Uint8Array;
  hash: string;
}

function loadPack(file: string): DatasetPack {
  return JSON.parse(readFileSync(join(DEMO, file), 'utf8')) as DatasetPack;
}

function decodeAll(pack: DatasetPack): Digit[] {
  return pack.samples.map((s) => {
    const png = decode(Buffer.from(s.data, 'base64'));
    expect({ name: s.name, width: png.width, height: png.height, channels: png.channels, depth: png.depth })
      .toEqual({ name: s.name, width: SIDE, height: SIDE, channels: 1, depth: 8 });
    const pixels = new Uint8Array(png.data);
    expect(pixels.length).toBe(SIDE * SIDE);
    return { name: s.name, label: s.label, pixels, hash: createHash('sha256').update(pixels).digest('hex') };
  });
}

function toInput(digits: Digit[]): ort.Tensor {
  const data = new Float32Array(digits.length * SIDE * SIDE);
  digits.forEach((d, i) => d.pixels.forEach((p, j) => (data[i * SIDE * SIDE + j] = p / 255)));
  return new ort.Tensor('float32', data, [digits.length, 1, SIDE, SIDE]);
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

const specs = [
  { file: 'mnist-test.pack.json', name: 'MNIST digits — test split (2,000)', total: 2000, perClass: 200 },
  { file: 'mnist-calibration.pack.json', name: 'MNIST digits — calibration split (500)', total: 500, perClass: 50 },
] as const;

const packs = new Map<string, DatasetPack>();
const digits = new Map<string, Digit[]>();

beforeAll(() => {
  for (const spec of specs) {
    const pack = loadPack(spec.file);
    packs.set(spec.file, pack);
    digits.set(spec.file, decodeAll(pack));
  }
});

describe.each(specs)('$file', (spec) => {
  it('is a quantlens-pack v1 with the stated name, classes and count', () => {
    const pack = packs.get(spec.file)!;
    expect(pack.format).toBe('quantlens-pack');
    expect(pack.version).toBe(1);
    expect(pack.name).toBe(spec.name);
    expect(pack.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(pack.samples).toHaveLength(spec.total);
    // The app's own reader accepts it.
    const read = readPack(pack);
    expect(read.samples).toHaveLength(spec.total);
    expect(read.samples.every((s) => s.mime === 'image/png')).toBe(true);
  });

  it(`has labels 0..9, ${spec.perClass} per class, named <label>/<5-digit index>.png in order`, () => {
    const pack = packs.get(spec.file)!;
    const counts = new Array<number>(10).fill(0);
    for (const s of pack.samples) {
      expect(Number.isInteger(s.label) && s.label >= 0 && s.label <= 9).toBe(true);
      expect(s.name).toMatch(new RegExp(`^${s.label}/\\d{5}\\.png$`));
      expect(s.mime).toBe('image/png');
      counts[s.label]++;
    }
    expect(counts).toEqual(new Array<number>(10).fill(spec.perClass));
    const names = pack.samples.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...names].sort());
  });

  it('decodes every PNG to a distinct 28x28 8-bit grayscale image', () => {
    const ds = digits.get(spec.file)!;
    expect(ds).toHaveLength(spec.total);
    expect(new Set(ds.map((d) => d.hash)).size).toBe(ds.length);
    // Real digits: dark background, some bright ink.
    for (const d of ds) expect(Math.max(...d.pixels)).toBeGreaterThan(128);
  });
});

describe('test vs calibration', () => {
  it('share no identical image and no sample name', () => {
    const test = digits.get('mnist-test.pack.json')!;
    const calibration = digits.get('mnist-calibration.pack.json')!;
    const testHashes = new Set(test.map((d) => d.hash));
    const testNames = new Set(test.map((d) => d.name));
    expect(calibration.filter((d) => testHashes.has(d.hash)).map((d) => d.name)).toEqual([]);
    expect(calibration.filter((d) => testNames.has(d.name)).map((d) => d.name)).toEqual([]);
  });
});

describe('mnist-cnn.float.onnx in onnxruntime-web (wasm)', () => {
  let session: ort.InferenceSession;

  beforeAll(async () => {
    ort.env.wasm.numThreads = 1;
    session = await ort.InferenceSession.create(new Uint8Array(readFileSync(join(DEMO, 'mnist-cnn.float.onnx'))));
  });

  it('has input `input` [batch,1,28,28] and output `logits` [batch,10]', () => {
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['logits']);
    const input = session.inputMetadata[0];
    const output = session.outputMetadata[0];
    expect(input.isTensor && input.type).toBe('float32');
    expect(input.isTensor && input.shape).toEqual(['batch', 1, SIDE, SIDE]);
    expect(output.isTensor && output.shape).toEqual(['batch', 10]);
  });

  it('classifies a handful of test digits correctly, alone and batched', async () => {
    const test = digits.get('mnist-test.pack.json')!;
    // The first two digits of every class.
    const handful = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((c) => test.filter((d) => d.label === c).slice(0, 2));
    const batched = (await session.run({ input: toInput(handful) })).logits;
    expect(batched.dims).toEqual([handful.length, 10]);
    const logits = batched.data as Float32Array;
    const predicted = handful.map((_, i) => argmax(logits.subarray(i * 10, i * 10 + 10)));
    expect(predicted).toEqual(handful.map((d) => d.label));

    const single = (await session.run({ input: toInput([handful[7]]) })).logits;
    expect(single.dims).toEqual([1, 10]);
    Array.from(single.data as Float32Array).forEach((v, j) => expect(v).toBeCloseTo(logits[70 + j], 4));
  });

  it('reaches at least 97% on the whole test split', async () => {
    const test = digits.get('mnist-test.pack.json')!;
    let correct = 0;
    for (let start = 0; start < test.length; start += 250) {
      const batch = test.slice(start, start + 250);
      const logits = (await session.run({ input: toInput(batch) })).logits.data as Float32Array;
      batch.forEach((d, i) => (correct += argmax(logits.subarray(i * 10, i * 10 + 10)) === d.label ? 1 : 0));
    }
    expect(correct / test.length).toBeGreaterThanOrEqual(0.97);
  });
});
