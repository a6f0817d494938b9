/**
 * A heavier pair for the benchmark (issue 9): a generated convnet of ~41 MFLOP per inference
 * (3x64x64 input; conv 3→16, pool, conv 16→32, pool, conv 32→64, conv 64→64, global pool, gemm 64→10;
 * random He-scaled weights, seeded) and its QDQ twin from our own quantizer (src/core/quantize,
 * MinMax on 32 random inputs, per-channel weights). Generated at bench time, never committed:
 * `npx tsx tools/bench/make-convnet.ts [outDir]` (default bench-results/models).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeProto, TensorProto } from '../../src/core/onnx/gen/onnx_pb.ts';
import { serializeModel } from '../../src/core/onnx/model.ts';
import { makeModel, makeNode, makeTensorValueInfo, intAttribute, intsAttribute } from '../../src/core/onnx/builders.ts';
import { encodeTensor } from '../../src/core/onnx/tensor.ts';
import { DataType } from '../../src/core/onnx/dtypes.ts';
import { planCalibration } from '../../src/core/quantize/calibration.ts';
import { MinMaxCalibrator } from '../../src/core/quantize/calibrator.ts';
import { quantizeQdq } from '../../src/core/quantize/quantize-qdq.ts';
import { openSession } from '../../src/runtime/ort.ts';
import { PROJECT_ROOT } from '../../test/helpers/demo.ts';

export const CONVNET_DIMS = [1, 3, 64, 64];
/** Multiply-adds x 2 of the convs and the gemm. */
export const CONVNET_MFLOP = (64 * 64 * 16 * 3 * 9 + 32 * 32 * 32 * 16 * 9 + 16 * 16 * 64 * 32 * 9 + 16 * 16 * 64 * 64 * 9 + 64 * 10) * 2 / 1e6;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export function convnetFloat(seed = 1): Uint8Array {
  const rand = random(seed);
  const weights = (name: string, dims: number[], fanIn: number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const scale = Math.sqrt(6 / fanIn);
    for (let i = 0; i < n; i++) data[i] = (rand() * 2 - 1) * scale;
    return encodeTensor(name, DataType.FLOAT, dims, data);
  };
  const bias = (name: string, n: number) => encodeTensor(name, DataType.FLOAT, [n], new Float32Array(n).map(() => (rand() - 0.5) * 0.1));
  const initializers: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  let x = 'input';
  const convs: [number, number, boolean][] = [[3, 16, true], [16, 32, true], [32, 64, false], [64, 64, false]];
  convs.forEach(([cin, cout, pool], i) => {
    initializers.push(weights(`w${i}`, [cout, cin, 3, 3], cin * 9), bias(`b${i}`, cout));
    nodes.push(makeNode('Conv', [x, `w${i}`, `b${i}`], [`c${i}`], `conv${i}`, [intsAttribute('kernel_shape', [3, 3]), intsAttribute('pads', [1, 1, 1, 1])]));
    nodes.push(makeNode('Relu', [`c${i}`], [`r${i}`], `relu${i}`));
    x = `r${i}`;
    if (pool) {
      nodes.push(makeNode('MaxPool', [x], [`p${i}`], `pool${i}`, [intsAttribute('kernel_shape', [2, 2]), intsAttribute('strides', [2, 2])]));
      x = `p${i}`;
    }
  });
  nodes.push(makeNode('GlobalAveragePool', [x], ['gap'], 'gap'));
  nodes.push(makeNode('Flatten', ['gap'], ['flat'], 'flatten'));
  initializers.push(weights('fc_w', [10, 64], 64), bias('fc_b', 10));
  nodes.push(makeNode('Gemm', ['flat', 'fc_w', 'fc_b'], ['logits'], 'fc', [intAttribute('transB', 1)]));
  return serializeModel(makeModel({
    producerName: 'quantlens-bench',
    graphName: 'bench-convnet',
    nodes,
    inputs: [makeTensorValueInfo('input', DataType.FLOAT, ['batch', 3, 64, 64])],
    outputs: [makeTensorValueInfo('logits', DataType.FLOAT, ['batch', 10])],
    initializers,
  }));
}

export async function convnetPair(outDir = join(PROJECT_ROOT, 'bench-results/models')): Promise<{ float: string; quantized: string }> {
  const floatBytes = convnetFloat();
  const options = { perChannel: true };
  const { augmentedModel, tensorNames } = planCalibration(floatBytes, options);
  const session = await openSession(augmentedModel, { provider: 'wasm', numThreads: 1 });
  const calibrator = new MinMaxCalibrator();
  const rand = random(7);
  try {
    for (let i = 0; i < 4; i++) {
      const data = new Float32Array(8 * 3 * 64 * 64).map(() => rand());
      const outputs = await session.run({ input: { data, dims: [8, 3, 64, 64] } });
      for (const name of tensorNames) calibrator.observe(name, outputs[name].data);
    }
  } finally {
    await session.release();
  }
  const { model } = quantizeQdq(floatBytes, calibrator.ranges(), options);
  mkdirSync(outDir, { recursive: true });
  const paths = { float: join(outDir, 'convnet.float.onnx'), quantized: join(outDir, 'convnet.int8.qdq.onnx') };
  writeFileSync(paths.float, floatBytes);
  writeFileSync(paths.quantized, model);
  return paths;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const paths = await convnetPair(process.argv[2]);
  console.log(`${CONVNET_MFLOP.toFixed(1)} MFLOP per inference; wrote ${paths.float} and ${paths.quantized}`);
}
