/**
 * A generated image dataset for the benchmark (issue 9), matching the convnet's input
 * (make-convnet.ts: 3x64x64 RGB): `count` real 64x64 RGB PNGs in 10 classes, as a zip of class
 * folders (`0/00000.png` … `9/09999.png`), the format the app's Import control and the CLI's --data
 * both read. Deterministic: image i depends only on (seed, i), so the first 1,000 of the 10,000
 * set are the 1,000 set. Class = i % 10 = the shape drawn: disc, square, triangle, ring, plus,
 * horizontal stripes, vertical stripes, diagonal stripes, ellipse, diamond; random position, size,
 * rotation and colours over a random two-colour gradient, soft (antialiased) edges, and ±1 level
 * of noise per channel so PNG decoding does real work (~4-5 KB per image: each row takes the PNG
 * filter with the smallest sum of residuals, as libpng does, then deflate).
 * Written at bench time into bench-results/datasets (git-ignored) next to a .json that says how it
 * was made; a later bench reuses the zip when that .json matches. Nothing is downloaded.
 * `npx tsx tools/bench/make-shapes.ts [count] [outDir]`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../test/helpers/demo.ts';

export const SHAPES_SIZE = 64;
export const SHAPES_CLASSES = ['disc', 'square', 'triangle', 'ring', 'plus', 'h-stripes', 'v-stripes', 'd-stripes', 'ellipse', 'diamond'] as const;
/** Bump when the pictures change: a zip made by another version is remade. */
const GENERATOR_VERSION = 1;
const DEFAULT_SEED = 20261126;

/** xorshift32 seeded from (seed, index) through a splitmix-style scramble. */
function rng(seed: number, index: number): () => number {
  let s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  s = (s ^ (s >>> 16)) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

const box = (u: number, v: number, hu: number, hv: number) => Math.max(Math.abs(u) - hu, Math.abs(v) - hv);

/** Distance to the edges of stripes across t, period r / 2, half of each period filled. */
function stripes(t: number, r: number): number {
  const period = r / 2;
  const m = ((t % period) + period) % period;
  return Math.abs(m - period / 2) - period / 4;
}

/** Signed distance (pixels, negative inside) to the class's shape, in the shape's own frame (u, v). */
function distance(shape: number, u: number, v: number, r: number): number {
  switch (shape) {
    case 0: return Math.sqrt(u * u + v * v) - r;
    case 1: return box(u, v, r * 0.8, r * 0.8);
    case 2: {
      // equilateral triangle: the largest of three half-plane distances
      const k = Math.sqrt(3) / 2;
      return Math.max(v - r * 0.5, -k * u - 0.5 * v - r * 0.5, k * u - 0.5 * v - r * 0.5);
    }
    case 3: return Math.abs(Math.sqrt(u * u + v * v) - r * 0.75) - r * 0.22;
    case 4: return Math.min(box(u, v, r, r * 0.3), box(u, v, r * 0.3, r));
    case 5: return Math.max(box(u, v, r, r), stripes(v, r));
    case 6: return Math.max(box(u, v, r, r), stripes(u, r));
    case 7: return Math.max(box(u, v, r, r), stripes((u + v) / Math.SQRT2, r));
    case 8: return (Math.sqrt((u / r) ** 2 + (v / (r * 0.5)) ** 2) - 1) * r * 0.5;
    default: return (Math.abs(u) + Math.abs(v) - r) / Math.SQRT2;
  }
}

/** Image `index` of the set: RGB bytes, row-major, and its class. */
export function shapeImage(index: number, seed = DEFAULT_SEED): { rgb: Uint8Array; label: number } {
  const n = SHAPES_SIZE;
  const label = index % SHAPES_CLASSES.length;
  const rand = rng(seed, index);
  const colour = () => [rand() * 255, rand() * 255, rand() * 255];
  const [c0, c1] = [colour(), colour()];
  const angle = rand() * Math.PI * 2;
  const [gx, gy] = [Math.cos(angle) / n, Math.sin(angle) / n];
  // The shape's colour keeps a clear distance from the background's mean.
  const mean = c0.map((v, i) => (v + c1[i]) / 2);
  const fill = mean.map((v) => (v > 128 ? v - 90 - rand() * 60 : v + 90 + rand() * 60));
  const r = n * (0.18 + rand() * 0.14);
  const [cx, cy] = [n / 2 + (rand() - 0.5) * n * 0.3, n / 2 + (rand() - 0.5) * n * 0.3];
  const rot = rand() * Math.PI * 2;
  const [cos, sin] = [Math.cos(rot), Math.sin(rot)];
  const rgb = new Uint8Array(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const t = Math.min(1, Math.max(0, 0.5 + (x - n / 2) * gx + (y - n / 2) * gy));
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const cover = Math.min(1, Math.max(0, 0.5 - distance(label, cos * dx + sin * dy, -sin * dx + cos * dy, r)));
      for (let c = 0; c < 3; c++) {
        const background = c0[c] + (c1[c] - c0[c]) * t;
        const value = background + (fill[c] - background) * cover + Math.floor(rand() * 3) - 1;
        rgb[(y * n + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(value)));
      }
    }
  }
  return { rgb, label };
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGB8 → PNG; per row the filter (None, Sub, Up, Average, Paeth) with the smallest sum of |residual|. */
export function encodePngRgb(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * 3;
  const raw = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rgb.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rgb.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    let best = Infinity;
    for (let filter = 0; filter < 5; filter++) {
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= 3 ? row[i - 3] : 0;
        const b = up[i];
        const c = i >= 3 ? up[i - 3] : 0;
        let predicted = 0;
        if (filter === 1) predicted = a;
        else if (filter === 2) predicted = b;
        else if (filter === 3) predicted = (a + b) >> 1;
        else if (filter === 4) {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        const residual = (row[i] - predicted) & 0xff;
        candidate[i] = residual;
        cost += residual < 128 ? residual : 256 - residual;
      }
      if (cost < best) {
        best = cost;
        raw[y * (stride + 1)] = filter;
        raw.set(candidate, y * (stride + 1) + 1);
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array())]);
}

/** A stored (uncompressed: PNGs are compressed already) zip with a fixed date, so equal input gives equal bytes. */
export function storedZip(entries: { path: string; bytes: Uint8Array }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const DOS_DATE = (1 << 5) | 1; // 1980-01-01
  for (const { path, bytes } of entries) {
    const name = Buffer.from(path, 'utf8');
    const crc = crc32(bytes);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(bytes.length, 18);
    local.writeUInt32LE(bytes.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(0, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(bytes.length, 20);
    entry.writeUInt32LE(bytes.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    parts.push(local, name, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    offset += 30 + name.length + bytes.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}

export interface ShapesDataset {
  /** The zip; its name without .zip is the dataset's name in the app (`shapes-10000-64px`). */
  zip: string;
  name: string;
  count: number;
  bytes: number;
  /** Seconds spent generating (0 when reused). */
  generatedS: number;
  reused: boolean;
}

export function shapesName(count: number): string {
  return `shapes-${count}-${SHAPES_SIZE}px`;
}

/** Writes (or reuses) `<outDir>/shapes-<count>-64px.zip`. */
export function shapesDataset(count: number, outDir = join(PROJECT_ROOT, 'bench-results/datasets'), seed = DEFAULT_SEED): ShapesDataset {
  if (count > 65_535) throw new Error('storedZip writes no zip64: at most 65,535 entries');
  const name = shapesName(count);
  const zip = join(outDir, `${name}.zip`);
  const metaPath = join(outDir, `${name}.json`);
  const meta = { generator: GENERATOR_VERSION, count, seed, size: SHAPES_SIZE, classes: SHAPES_CLASSES };
  if (existsSync(zip) && existsSync(metaPath)) {
    const previous = JSON.parse(readFileSync(metaPath, 'utf8')) as typeof meta & { bytes: number };
    if (JSON.stringify({ ...previous, bytes: undefined }) === JSON.stringify({ ...meta, bytes: undefined }) && readFileSync(zip).length === previous.bytes) {
      return { zip, name, count, bytes: previous.bytes, generatedS: 0, reused: true };
    }
  }
  const started = performance.now();
  const digits = String(count - 1).length;
  const entries: { path: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const { rgb, label } = shapeImage(i, seed);
    entries.push({ path: `${label}/${String(i).padStart(Math.max(5, digits), '0')}.png`, bytes: encodePngRgb(rgb, SHAPES_SIZE, SHAPES_SIZE) });
  }
  const body = storedZip(entries);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(zip, body);
  writeFileSync(metaPath, `${JSON.stringify({ ...meta, bytes: body.length }, null, 2)}\n`);
  return { zip, name, count, bytes: body.length, generatedS: (performance.now() - started) / 1000, reused: false };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const made = shapesDataset(Number(process.argv[2] ?? 10_000), process.argv[3]);
  console.log(`${made.reused ? 'reused' : `generated in ${made.generatedS.toFixed(1)} s`}: ${made.zip} (${made.count} images, ${(made.bytes / 2 ** 20).toFixed(1)} MB)`);
}
