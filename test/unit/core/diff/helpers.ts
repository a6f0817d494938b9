/**
 * Shared helpers of the diff tests: the demo pair and its real test digits, ORT-backed LayerRunners,
 * and a deliberately damaged weight.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web/wasm';
import { readPack } from '../../../../src/core/data/pack.ts';
import { decodeImage } from '../../../../src/core/data/decode.ts';
import { preprocess } from '../../../../src/core/preprocess/preprocess.ts';
import type { PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';
import type { PreparedSample } from '../../../../src/core/eval/evaluate.ts';
import type { LayerRunner } from '../../../../src/core/diff/analysis.ts';
import { parseModel, serializeModel } from '../../../../src/core/onnx/model.ts';
import { decodeTensor, encodeTensor } from '../../../../src/core/onnx/tensor.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { roundHalfToEven } from '../../../../src/core/quantize/qdq-math.ts';

ort.env.wasm.numThreads = 1;

const demo = (file: string) => new URL(`../../../../public/demo/${file}`, import.meta.url);
export const demoFloatBytes = new Uint8Array(readFileSync(demo('mnist-cnn.float.onnx')));
export const demoQuantizedBytes = new Uint8Array(readFileSync(demo('mnist-cnn.int8.qdq.onnx')));
export const DEMO_DIMS = [1, 1, 28, 28];

/** The first `count` test digits of the demo pack (spread over classes), preprocessed as the demo does. */
export async function demoSamples(count: number): Promise<PreparedSample[]> {
  const { preprocess: spec } = JSON.parse(readFileSync(demo('demo.json'), 'utf8')) as { preprocess: PreprocessSpec };
  const pack = readPack(JSON.parse(readFileSync(demo('mnist-test.pack.json'), 'utf8')));
  const stride = Math.floor(pack.samples.length / count);
  const picked = Array.from({ length: count }, (_, i) => pack.samples[i * stride]);
  return Promise.all(picked.map(async (sample) => ({
    index: sample.index, label: sample.label, input: preprocess(await decodeImage(sample.bytes, sample.mime), spec),
  })));
}

/** A LayerRunner over an ORT wasm session: feeds `input` with `dims`, returns every output as numbers. */
export async function ortRunner(modelBytes: Uint8Array, dims: readonly number[]): Promise<LayerRunner & { release(): Promise<void> }> {
  const session = await ort.InferenceSession.create(modelBytes);
  const inputName = session.inputNames[0];
  return {
    async run(input) {
      const results = await session.run({ [inputName]: new ort.Tensor('float32', input as Float32Array, dims) });
      return Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, tensor.data as ArrayLike<number>]));
    },
    release: () => session.release(),
  };
}

/** The quantized model with one int8 weight re-quantized on a grid `factor` times coarser (scale × factor). */
export function coarsenWeight(quantizedBytes: Uint8Array, weight: string, factor: number): Uint8Array {
  const model = parseModel(quantizedBytes);
  const initializers = model.graph?.initializer ?? [];
  const qIndex = initializers.findIndex((t) => t.name === `${weight}_quantized`);
  const sIndex = initializers.findIndex((t) => t.name === `${weight}_scale`);
  const integers = decodeTensor(initializers[qIndex]);
  const scales = decodeTensor(initializers[sIndex]);
  const coarse = Int8Array.from(integers.data as Int8Array, (q) => Math.max(-127, Math.min(127, roundHalfToEven(q / factor))));
  const coarseScales = Float32Array.from(scales.data as Float32Array, (s) => s * factor);
  initializers[qIndex] = encodeTensor(initializers[qIndex].name, DataType.INT8, integers.dims, coarse);
  initializers[sIndex] = encodeTensor(initializers[sIndex].name, DataType.FLOAT, scales.dims, coarseScales);
  return serializeModel(model);
}
