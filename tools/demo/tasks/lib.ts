/**
 * Shared by the task-demo scripts: paths, the manifest's shape, pack loading, calibration and
 * quantization with our own quantizer (src/core/quantize) in onnxruntime-web (wasm, 1 thread).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web/wasm';
import { decodeImage } from '../../../src/core/data/decode.ts';
import { readPack, type ReadPack } from '../../../src/core/data/pack.ts';
import { preprocess, tensorShape } from '../../../src/core/preprocess/preprocess.ts';
import type { PreprocessSpec } from '../../../src/core/preprocess/spec.ts';
import { planCalibration } from '../../../src/core/quantize/calibration.ts';
import { MinMaxCalibrator } from '../../../src/core/quantize/calibrator.ts';
import type { QuantizeOptions } from '../../../src/core/quantize/options.ts';
import { quantizeQdq, type QuantizeResult } from '../../../src/core/quantize/quantize-qdq.ts';
import type { TaskSettings } from '../../../src/core/tasks/types.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEMO = join(ROOT, 'public', 'demo');
export const OUT = join(ROOT, 'tools', 'demo', 'tasks', 'out');
export const MANIFEST = join(DEMO, 'tasks.json');
export const GOLDEN = join(ROOT, 'test', 'golden', 'task-demos.json');

/** One entry of public/demo/tasks.json; paths are relative to public/demo/. */
export interface TaskDemo {
  id: string;
  title: string;
  description: string;
  task: TaskSettings;
  floatModel: string;
  quantizedModel: string;
  testSet: string;
  /** Bump when the pack changes, so a stale cached copy is not reused. */
  testSetId: string;
  preprocess: PreprocessSpec;
}

export function grayscaleSpec(side: number): PreprocessSpec {
  return { height: side, width: side, resize: 'stretch', color: 'grayscale', scale: '0..1', mean: [0], std: [1], layout: 'NCHW', dtype: 'float32' };
}

export function loadManifest(): TaskDemo[] {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as TaskDemo[];
}

export function loadPackFile(path: string): ReadPack {
  return readPack(JSON.parse(readFileSync(path, 'utf8')));
}

/** Every sample decoded (the app's own PNG decoder) and preprocessed, in pack order. */
export async function inputsOf(pack: ReadPack, spec: PreprocessSpec): Promise<Float32Array[]> {
  const inputs: Float32Array[] = [];
  for (const sample of pack.samples) {
    const input = preprocess(await decodeImage(sample.bytes, sample.mime), spec);
    if (!(input instanceof Float32Array)) throw new Error('the task demos take float32 input');
    inputs.push(input);
  }
  return inputs;
}

function batchTensor(inputs: Float32Array[], spec: PreprocessSpec): ort.Tensor {
  const data = new Float32Array(inputs.length * inputs[0].length);
  inputs.forEach((input, i) => data.set(input, i * input.length));
  return new ort.Tensor('float32', data, tensorShape(spec, inputs.length));
}

/**
 * Static post-training quantization to QDQ: MinMax ranges over the calibration inputs (batches of
 * 50, in order), then src/core/quantize. uint8 asymmetric activations, int8 symmetric per-channel
 * weights, int32 biases.
 */
export async function quantize(floatBytes: Uint8Array, calibration: Float32Array[], spec: PreprocessSpec, options: QuantizeOptions = { perChannel: true }): Promise<QuantizeResult & { tensors: number }> {
  ort.env.wasm.numThreads = 1;
  const { augmentedModel, tensorNames } = planCalibration(floatBytes, options);
  const session = await ort.InferenceSession.create(augmentedModel);
  const calibrator = new MinMaxCalibrator();
  try {
    for (let from = 0; from < calibration.length; from += 50) {
      const outputs = await session.run({ [session.inputNames[0]]: batchTensor(calibration.slice(from, from + 50), spec) }, tensorNames);
      for (const name of tensorNames) calibrator.observe(name, outputs[name].data as Float32Array);
    }
  } finally {
    await session.release();
  }
  const ranges = calibrator.ranges();
  return { ...quantizeQdq(floatBytes, ranges, options), tensors: ranges.size };
}
