/**
 * Packs the segmentation and detection demos' data as quantlens-packs with per-sample targets, and
 * writes the task-demo manifest.
 *
 *   npx tsx tools/demo/tasks/pack-tasks.ts
 *
 * Reads   tools/demo/tasks/out/seg-data.json, det-data.json (written by train_seg.py, train_det.py)
 * Writes  public/demo/tasks/mnist-seg-test.pack.json   1,000 test digits (100 per class), 28x28 PNG + class-index mask PNG
 *         public/demo/tasks/mnist-det-test.pack.json   500 64x64 canvases of test digits, PNG + boxes
 *         tools/demo/tasks/out/mnist-det-calibration.pack.json   200 canvases of calibration digits (not shipped)
 *         public/demo/tasks.json                       the task demos (embedding, segmentation, detection)
 *
 * Images and masks are lossless 8-bit grayscale PNGs, each checked by a round trip. Deterministic.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decode, encode } from 'fast-png';
import type { DatasetPack, PackSample } from '../../../src/core/data/pack.ts';
import { DEMO, MANIFEST, OUT, ROOT, grayscaleSpec, type TaskDemo } from './lib.ts';

interface SegData {
  classNames: string[];
  test: { label: number; index: number; pixels: string; mask: string }[];
}

interface DetData {
  classNames: string[];
  side: number;
  test: Canvas[];
  calibration: Canvas[];
}

interface Canvas {
  pixels: string;
  /** [x, y, w, h, class] per digit. */
  boxes: number[][];
}

function png(base64Pixels: string, side: number, what: string): string {
  const pixels = new Uint8Array(Buffer.from(base64Pixels, 'base64'));
  if (pixels.length !== side * side) throw new Error(`${what}: ${pixels.length} pixels, expected ${side * side}`);
  const bytes = encode({ width: side, height: side, data: pixels, channels: 1, depth: 8 });
  const back = decode(bytes);
  if (back.width !== side || back.height !== side || back.channels !== 1 || back.depth !== 8 || !Buffer.from(back.data as Uint8Array).equals(Buffer.from(pixels))) {
    throw new Error(`${what}: PNG round trip changed the image`);
  }
  return Buffer.from(bytes).toString('base64');
}

function segPack(data: SegData): DatasetPack {
  return {
    format: 'quantlens-pack', version: 1,
    name: `MNIST digit masks — test split (${data.test.length.toLocaleString('en-US')})`,
    classNames: data.classNames,
    samples: data.test.map((s): PackSample => {
      const name = `${s.label}/${String(s.index).padStart(5, '0')}.png`;
      return {
        name, label: s.label + 1, mime: 'image/png', data: png(s.pixels, 28, name),
        target: { kind: 'mask', mime: 'image/png', data: png(s.mask, 28, `${name} mask`) },
      };
    }),
  };
}

function detPack(name: string, classNames: string[], side: number, canvases: Canvas[]): DatasetPack<number | null> {
  return {
    format: 'quantlens-pack', version: 1, name, classNames,
    samples: canvases.map((c, i): PackSample<number | null> => {
      const file = `canvas-${String(i).padStart(4, '0')}.png`;
      return {
        name: file, label: null, mime: 'image/png', data: png(c.pixels, side, file),
        target: { kind: 'boxes', boxes: c.boxes.flatMap((b) => b.slice(0, 4)), classes: c.boxes.map((b) => b[4]), imageId: i },
      };
    }),
  };
}

function manifest(seg: SegData, det: DetData): TaskDemo[] {
  const digits = det.test.reduce((n, c) => n + c.boxes.length, 0);
  return [
    {
      id: 'mnist-embedding',
      title: 'MNIST embeddings: the demo CNN\'s 64-d features, float32 vs INT8 (QDQ)',
      description: 'The MNIST demo CNN cut after its penultimate ReLU (64 values per digit, no retraining) and its INT8 twin calibrated on 500 other digits; retrieval over the 2,000 held-out test digits, same digit = relevant.',
      task: { kind: 'embedding', retrieval: { ks: [1, 5, 10] } },
      floatModel: 'tasks/mnist-embed.float.onnx',
      quantizedModel: 'tasks/mnist-embed.int8.qdq.onnx',
      testSet: 'mnist-test.pack.json',
      testSetId: 'demo-mnist-test-v1',
      preprocess: grayscaleSpec(28),
    },
    {
      id: 'mnist-segmentation',
      title: 'MNIST digit masks: tiny FCN, float32 vs INT8 (QDQ)',
      description: `A small fully-convolutional net labelling each pixel as background or its digit (11 classes), trained on 7,500 digits; its INT8 twin calibrated on 500 other digits; evaluated on ${seg.test.length.toLocaleString('en-US')} held-out digits (stroke edges ignored).`,
      task: { kind: 'segmentation', ignoreIndex: 255 },
      floatModel: 'tasks/mnist-seg.float.onnx',
      quantizedModel: 'tasks/mnist-seg.int8.qdq.onnx',
      testSet: 'tasks/mnist-seg-test.pack.json',
      testSetId: 'demo-mnist-seg-test-v1',
      preprocess: grayscaleSpec(28),
    },
    {
      id: 'mnist-detection',
      title: 'MNIST digit detection: tiny YOLOv8-style detector, float32 vs INT8 (QDQ)',
      description: `A small single-stage detector (8x8 grid, YOLOv8 output layout) finding 1-3 digits on 64x64 canvases; its INT8 twin calibrated on ${det.calibration.length} canvases of other digits; evaluated on ${det.test.length} canvases (${digits.toLocaleString('en-US')} digits) made only of held-out test digits.`,
      task: { kind: 'detection', detection: { layout: 'yolov8', scoreThreshold: 0.001, iouThreshold: 0.6, maxDetections: 100 } },
      floatModel: 'tasks/mnist-det.float.onnx',
      quantizedModel: 'tasks/mnist-det.int8.qdq.onnx',
      testSet: 'tasks/mnist-det-test.pack.json',
      testSetId: 'demo-mnist-det-test-v1',
      preprocess: grayscaleSpec(det.side),
    },
  ];
}

function write(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value) + '\n');
  const samples = (value as { samples?: unknown[] }).samples;
  console.log(`[pack] wrote ${relative(ROOT, path)}${samples ? `: ${samples.length} samples` : ''}, ${statSync(path).size} bytes`);
}

const seg = JSON.parse(readFileSync(join(OUT, 'seg-data.json'), 'utf8')) as SegData;
const det = JSON.parse(readFileSync(join(OUT, 'det-data.json'), 'utf8')) as DetData;
write(join(DEMO, 'tasks', 'mnist-seg-test.pack.json'), segPack(seg));
write(join(DEMO, 'tasks', 'mnist-det-test.pack.json'), detPack(`MNIST digit canvases — test digits (${det.test.length})`, det.classNames, det.side, det.test));
write(join(OUT, 'mnist-det-calibration.pack.json'), detPack(`MNIST digit canvases — calibration digits (${det.calibration.length})`, det.classNames, det.side, det.calibration));
writeFileSync(MANIFEST, JSON.stringify(manifest(seg, det), null, 2) + '\n');
console.log(`[pack] wrote ${relative(ROOT, MANIFEST)}`);
