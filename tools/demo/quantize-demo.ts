/**
 * Makes the demo's INT8 twin: static post-training quantization of the float MNIST CNN to QDQ,
 * calibrated with MinMax on the calibration split, run in onnxruntime-web (wasm) in Node.
 *
 *   npx tsx tools/demo/quantize-demo.ts
 *
 * Reads   public/demo/mnist-cnn.float.onnx, public/demo/mnist-calibration.pack.json,
 *         public/demo/demo.json (its `preprocess` spec; pixel / 255, grayscale, NCHW if absent),
 *         public/demo/mnist-test.pack.json (only to print float vs INT8 accuracy, if present)
 * Writes  public/demo/mnist-cnn.int8.qdq.onnx
 *
 * Settings: uint8 asymmetric activations (MinMax ranges, widened to include 0), int8 symmetric
 * per-channel weights, int32 biases, QDQ format, opset >= 13 (src/core/quantize). The output is
 * deterministic: one wasm thread, samples in pack order.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import * as ort from 'onnxruntime-web/wasm';
import { readPack } from '../../src/core/data/pack.ts';
import { readModelInfo } from '../../src/core/onnx/info.ts';
import { preprocess, tensorShape } from '../../src/core/preprocess/preprocess.ts';
import type { PreprocessSpec, RgbaImage } from '../../src/core/preprocess/spec.ts';
import { planCalibration } from '../../src/core/quantize/calibration.ts';
import { MinMaxCalibrator } from '../../src/core/quantize/calibrator.ts';
import { quantizeQdq } from '../../src/core/quantize/quantize-qdq.ts';
import type { QuantizeOptions } from '../../src/core/quantize/options.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEMO = join(ROOT, 'public', 'demo');
const FLOAT_MODEL = join(DEMO, 'mnist-cnn.float.onnx');
const CALIBRATION_PACK = join(DEMO, 'mnist-calibration.pack.json');
const TEST_PACK = join(DEMO, 'mnist-test.pack.json');
const OUTPUT = join(DEMO, 'mnist-cnn.int8.qdq.onnx');
const BATCH = 50;
const OPTIONS: QuantizeOptions = { perChannel: true };

const DEFAULT_SPEC: PreprocessSpec = {
  height: 28, width: 28, resize: 'stretch', color: 'grayscale', scale: '0..1',
  mean: [0], std: [1], layout: 'NCHW', dtype: 'float32',
};

interface Sample {
  /** null for unlabelled samples (calibration does not need labels). */
  label: number | null;
  input: Float32Array;
}

function readSpec(): PreprocessSpec {
  const demoJson = join(DEMO, 'demo.json');
  if (!existsSync(demoJson)) return DEFAULT_SPEC;
  const demo = JSON.parse(readFileSync(demoJson, 'utf8')) as { preprocess?: PreprocessSpec };
  return demo.preprocess ?? DEFAULT_SPEC;
}

/** Decoded PNG (any channel count, 8 bits) as RGBA, the form preprocess() takes. */
function toRgba(png: ReturnType<typeof decode>): RgbaImage {
  if (png.depth !== 8) throw new Error(`expected 8-bit PNGs, got ${png.depth}-bit`);
  const pixels = png.width * png.height;
  const rgba = new Uint8Array(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const source = png.data as Uint8Array;
    const at = p * png.channels;
    const grey = png.channels <= 2;
    rgba[p * 4] = source[at];
    rgba[p * 4 + 1] = grey ? source[at] : source[at + 1];
    rgba[p * 4 + 2] = grey ? source[at] : source[at + 2];
    rgba[p * 4 + 3] = png.channels === 2 ? source[at + 1] : png.channels === 4 ? source[at + 3] : 255;
  }
  return { width: png.width, height: png.height, data: rgba };
}

function loadSamples(file: string, spec: PreprocessSpec): Sample[] {
  const pack = readPack(JSON.parse(readFileSync(file, 'utf8')));
  return pack.samples.map((sample) => {
    const input = preprocess(toRgba(decode(new Uint8Array(sample.bytes))), spec);
    if (!(input instanceof Float32Array)) throw new Error('the demo model takes float32 input');
    return { label: sample.label, input };
  });
}

function batches<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function batchTensor(samples: Sample[], spec: PreprocessSpec): ort.Tensor {
  const length = samples[0].input.length;
  const data = new Float32Array(samples.length * length);
  samples.forEach((s, i) => data.set(s.input, i * length));
  return new ort.Tensor('float32', data, tensorShape(spec, samples.length));
}

async function calibrate(floatBytes: Uint8Array, inputName: string, samples: Sample[], spec: PreprocessSpec) {
  const { augmentedModel, tensorNames } = planCalibration(floatBytes, OPTIONS);
  const session = await ort.InferenceSession.create(augmentedModel);
  const calibrator = new MinMaxCalibrator();
  try {
    for (const group of batches(samples, BATCH)) {
      const outputs = await session.run({ [inputName]: batchTensor(group, spec) }, tensorNames);
      for (const name of tensorNames) calibrator.observe(name, outputs[name].data as Float32Array);
    }
  } finally {
    await session.release();
  }
  return calibrator.ranges();
}

/** Top-1 predictions of a model over samples. */
async function predict(model: Uint8Array, inputName: string, outputName: string, samples: Sample[], spec: PreprocessSpec): Promise<number[]> {
  const session = await ort.InferenceSession.create(model);
  const predictions: number[] = [];
  try {
    for (const group of batches(samples, BATCH)) {
      const output = (await session.run({ [inputName]: batchTensor(group, spec) }))[outputName];
      const logits = output.data as Float32Array;
      const classes = logits.length / group.length;
      for (let i = 0; i < group.length; i++) {
        const row = logits.subarray(i * classes, (i + 1) * classes);
        predictions.push(row.indexOf(Math.max(...row)));
      }
    }
  } finally {
    await session.release();
  }
  return predictions;
}

async function main(): Promise<void> {
  ort.env.wasm.numThreads = 1;
  const spec = readSpec();
  const floatBytes = new Uint8Array(readFileSync(FLOAT_MODEL));
  const info = readModelInfo(floatBytes);
  const inputName = info.inputs[0].name;
  const outputName = info.outputs[0].name;

  const calibrationSamples = loadSamples(CALIBRATION_PACK, spec);
  const ranges = await calibrate(floatBytes, inputName, calibrationSamples, spec);
  const { model, report } = quantizeQdq(floatBytes, ranges, OPTIONS);
  writeFileSync(OUTPUT, model);

  console.log(`calibrated ${ranges.size} tensors on ${calibrationSamples.length} samples (MinMax, per-channel weights)`);
  console.log(`quantized: ${report.quantizedNodes.join(', ')}`);
  for (const skipped of report.skippedNodes) console.log(`kept float: ${skipped.name} (${skipped.reason})`);
  console.log(`wrote ${relative(ROOT, OUTPUT)} (${model.length} bytes, format ${readModelInfo(model).format})`);

  if (existsSync(TEST_PACK)) {
    const testSamples = loadSamples(TEST_PACK, spec);
    const floatPredictions = await predict(floatBytes, inputName, outputName, testSamples, spec);
    const quantizedPredictions = await predict(model, inputName, outputName, testSamples, spec);
    const correct = (predictions: number[]) => predictions.filter((p, i) => p === testSamples[i].label).length;
    const agree = floatPredictions.filter((p, i) => p === quantizedPredictions[i]).length;
    const n = testSamples.length;
    console.log(`test set (${n}): float ${correct(floatPredictions)}/${n}, int8 ${correct(quantizedPredictions)}/${n}, top-1 agreement ${agree}/${n}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
