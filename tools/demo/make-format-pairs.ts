/**
 * Makes the format twins of the demo float model that test the diagnosis beyond QDQ:
 *
 *   npx tsx tools/demo/make-format-pairs.ts
 *
 * Reads   public/demo/mnist-cnn.float.onnx, public/demo/mnist-cnn.int8.qdq.onnx,
 *         public/demo/mnist-calibration.pack.json, public/demo/demo.json (its `preprocess` spec)
 * Writes  test/fixtures/formats/mnist-cnn.int8.qoperator.onnx  the bundled QDQ model rewritten to QOperator:
 *           every DQ→Conv→Q group becomes QLinearConv and every DQ→Gemm→Q group com.microsoft QGemm
 *           (same integers, scales and zero points; int32 bias), QuantizeLinear at the input and
 *           DequantizeLinear at the output; Relu/MaxPool/Flatten stay float between DQ and Q as in the QDQ model.
 *         test/fixtures/formats/mnist-cnn.fp16.onnx            src/core/providers/fp16.ts (float16 weights and
 *           activations, float32 input and output through Cast nodes)
 *         test/fixtures/formats/mnist-cnn.mixed.onnx           src/core/quantize QDQ (MinMax on the calibration
 *           digits, per-channel weights) with /conv2/Conv, the demo's most sensitive layer, kept in float
 * Deterministic: one wasm thread, calibration samples in pack order.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web/wasm';
import { decodeImage } from '../../src/core/data/decode.ts';
import { readPack } from '../../src/core/data/pack.ts';
import { makeNode } from '../../src/core/onnx/builders.ts';
import { readModelInfo } from '../../src/core/onnx/info.ts';
import { parseModel, serializeModel } from '../../src/core/onnx/model.ts';
import type { NodeProto } from '../../src/core/onnx/gen/onnx_pb.ts';
import { preprocess, tensorShape } from '../../src/core/preprocess/preprocess.ts';
import type { PreprocessSpec } from '../../src/core/preprocess/spec.ts';
import { toFloat16Model } from '../../src/core/providers/fp16.ts';
import { planCalibration } from '../../src/core/quantize/calibration.ts';
import { MinMaxCalibrator } from '../../src/core/quantize/calibrator.ts';
import { quantizeQdq } from '../../src/core/quantize/quantize-qdq.ts';
import type { TensorRange } from '../../src/core/quantize/qdq-math.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEMO = join(ROOT, 'public', 'demo');
export const FORMATS_DIR = join(ROOT, 'test', 'fixtures', 'formats');
export const MIXED_FLOAT_NODE = '/conv2/Conv';
const CALIBRATION_SAMPLES = 500;

/** The bundled QDQ model with its DQ→Conv/Gemm→Q groups rewritten as QLinearConv / com.microsoft QGemm. */
export function qdqToQOperator(qdqBytes: Uint8Array): Uint8Array {
  const model = parseModel(qdqBytes);
  const graph = model.graph!;
  const producer = new Map<string, NodeProto>();
  for (const node of graph.node) for (const output of node.output) producer.set(output, node);
  const consumers = (tensor: string) => graph.node.filter((n) => n.input.includes(tensor));
  const dequantizer = (tensor: string): NodeProto => {
    const node = producer.get(tensor);
    if (node?.opType !== 'DequantizeLinear') throw new Error(`${tensor} does not come from a DequantizeLinear`);
    return node;
  };
  const removed = new Set<NodeProto>();
  const replacements = new Map<NodeProto, NodeProto>();
  let usesContribOps = false;
  for (const node of graph.node) {
    if (node.opType !== 'Conv' && node.opType !== 'Gemm') continue;
    const [x, w, b] = node.input.map(dequantizer);
    const readers = consumers(node.output[0]);
    const [quantize] = readers;
    if (readers.length !== 1 || quantize.opType !== 'QuantizeLinear') throw new Error(`${node.name}: output is not quantized by one QuantizeLinear`);
    const [xq, xScale, xZero] = x.input;
    const [wq, wScale, wZero] = w.input;
    const [, yScale, yZero] = quantize.input;
    const name = `${node.name}_quant`;
    let replacement: NodeProto;
    if (node.opType === 'Conv') {
      replacement = makeNode('QLinearConv', [xq, xScale, xZero, wq, wScale, wZero, yScale, yZero, b.input[0]], quantize.output, name, node.attribute);
    } else {
      // QGemm's C is the int32 bias on the scale a_scale·b_scale, exactly the QDQ model's quantized bias.
      const attributes = node.attribute.filter((a) => a.name === 'alpha' || a.name === 'transA' || a.name === 'transB');
      replacement = makeNode('QGemm', [xq, xScale, xZero, wq, wScale, wZero, b.input[0], yScale, yZero], quantize.output, name, attributes, 'com.microsoft');
      usesContribOps = true;
    }
    replacements.set(node, replacement);
    for (const gone of [w, b, quantize]) removed.add(gone);
    if (consumers(x.output[0]).length === 1) removed.add(x);
  }
  graph.node = graph.node.filter((n) => !removed.has(n)).map((n) => replacements.get(n) ?? n);
  // Scales, zero points and quantized tensors no node reads any more (the dequantized float copies never existed).
  const read = new Set(graph.node.flatMap((n) => n.input));
  graph.initializer = graph.initializer.filter((t) => read.has(t.name));
  graph.valueInfo = graph.valueInfo.filter((v) => read.has(v.name) || graph.node.some((n) => n.output.includes(v.name)));
  if (usesContribOps && !model.opsetImport.some((o) => o.domain === 'com.microsoft')) {
    model.opsetImport.push({ ...model.opsetImport[0], domain: 'com.microsoft', version: 1n });
  }
  return serializeModel(model);
}

function readSpec(): PreprocessSpec {
  return (JSON.parse(readFileSync(join(DEMO, 'demo.json'), 'utf8')) as { preprocess: PreprocessSpec }).preprocess;
}

/** MinMax ranges of the float model's tensors on the first calibration digits, as tools/demo/quantize-demo.ts does. */
async function calibrate(floatBytes: Uint8Array): Promise<Map<string, TensorRange>> {
  const spec = readSpec();
  const pack = readPack(JSON.parse(readFileSync(join(DEMO, 'mnist-calibration.pack.json'), 'utf8')));
  const { augmentedModel, tensorNames } = planCalibration(floatBytes, { perChannel: true });
  const session = await ort.InferenceSession.create(augmentedModel);
  const calibrator = new MinMaxCalibrator();
  const dims = tensorShape(spec, 1);
  for (const sample of pack.samples.slice(0, CALIBRATION_SAMPLES)) {
    const input = preprocess(await decodeImage(sample.bytes, sample.mime), spec);
    const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input as Float32Array, dims) }, tensorNames);
    for (const name of tensorNames) calibrator.observe(name, outputs[name].data as Float32Array);
  }
  await session.release();
  return calibrator.ranges();
}

async function main(): Promise<void> {
  ort.env.wasm.numThreads = 1;
  const floatBytes = new Uint8Array(readFileSync(join(DEMO, 'mnist-cnn.float.onnx')));
  const qdqBytes = new Uint8Array(readFileSync(join(DEMO, 'mnist-cnn.int8.qdq.onnx')));
  mkdirSync(FORMATS_DIR, { recursive: true });
  const ranges = await calibrate(floatBytes);
  const outputs: [string, Uint8Array][] = [
    ['mnist-cnn.int8.qoperator.onnx', qdqToQOperator(qdqBytes)],
    ['mnist-cnn.fp16.onnx', toFloat16Model(floatBytes)],
    ['mnist-cnn.mixed.onnx', quantizeQdq(floatBytes, ranges, { perChannel: true, nodesToExclude: [MIXED_FLOAT_NODE] }).model],
  ];
  for (const [file, bytes] of outputs) {
    const path = join(FORMATS_DIR, file);
    writeFileSync(path, bytes);
    const info = readModelInfo(bytes);
    console.log(`${relative(ROOT, path)}: ${info.format}, ${info.nodeCount} nodes, ${bytes.length} bytes`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
