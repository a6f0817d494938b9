/**
 * The load test's pair (issue 10): a ~200 MB float ONNX classifier and its quantized twin, cheap to
 * run, generated here (nothing downloaded, nothing big committed).
 *
 *   npx tsx tools/load/make-models.ts [outDir]      (default load-results/models; ~11 s and ~1.9 GB RSS here)
 *
 * Input `input` [batch,1,28,28] float (pixels / 255), output `logits` [batch,10].
 * - A small real classifier: logits = Gemm(Flatten(input)) with one template per class (the templates the
 *   load dataset's images are drawn around, see dataset.ts), so accuracy is meaningful (~91 %).
 * - Most of the bytes: a [50,000 x 1,000] float32 table (200 MB) reached by a Gather whose row index comes
 *   from the input (sum of the pixels times a fixed ±1 pattern, |h| x 1000 mod 50,000). ORT folds ops on
 *   constants only, so the table stays a table and each inference reads one 4 KB row. The row goes
 *   through a small MatMul [1000 x 10] into the logits (std ~0.5, against a true-class lead of ~12 on average).
 * The index path reads the raw input (not the quantized activation), so both models read the same row.
 *
 * The twin: our own quantizer (src/core/quantize, MinMax on 64 samples drawn like the dataset,
 * per-channel int8 weights, uint8 activations) quantizes the Gemm and the MatMul to QDQ; then the table
 * is made int8 by hand (one symmetric scale) and the Gather reads it, followed by a DequantizeLinear
 * (our quantizer quantizes Conv/Gemm/MatMul only). So the twin is ~50 MB, with the same inputs/outputs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeProto, TensorProto } from '../../src/core/onnx/gen/onnx_pb.ts';
import { parseModel, serializeModel } from '../../src/core/onnx/model.ts';
import { makeModel, makeNode, makeTensorValueInfo, intAttribute } from '../../src/core/onnx/builders.ts';
import { encodeTensor } from '../../src/core/onnx/tensor.ts';
import { DataType } from '../../src/core/onnx/dtypes.ts';
import { planCalibration } from '../../src/core/quantize/calibration.ts';
import { MinMaxCalibrator } from '../../src/core/quantize/calibrator.ts';
import { quantizeQdq } from '../../src/core/quantize/quantize-qdq.ts';
import { openSession } from '../../src/runtime/ort.ts';
import { PROJECT_ROOT } from '../../test/helpers/demo.ts';
import { CLASSES, PIXELS, random, sampleImage, templates } from './dataset.ts';

export const TABLE_ROWS = 50_000;
export const TABLE_COLS = 1_000;

/** The float model's bytes (~200 MB, deterministic). */
export function loadFloat(seed = 11): Uint8Array {
  const rand = random(seed);
  const initializers: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  // Classifier: one centred template per class (template matching), scaled so logits are O(10).
  const tpl = templates();
  const w = new Float32Array(CLASSES * PIXELS);
  for (let c = 0; c < CLASSES; c++) for (let p = 0; p < PIXELS; p++) w[c * PIXELS + p] = (tpl[c][p] - 0.5);
  initializers.push(encodeTensor('cls_w', DataType.FLOAT, [CLASSES, PIXELS], w));
  // Bias: -0.5 * sum(w) per class, i.e. the template scores of (x - 0.5).
  const b = new Float32Array(CLASSES).map((_, c) => -0.5 * w.subarray(c * PIXELS, (c + 1) * PIXELS).reduce((s, v) => s + v, 0));
  initializers.push(encodeTensor('cls_b', DataType.FLOAT, [CLASSES], b));
  nodes.push(makeNode('Flatten', ['input'], ['flat'], 'flatten', [intAttribute('axis', 1)]));
  nodes.push(makeNode('Gemm', ['flat', 'cls_w', 'cls_b'], ['class_logits'], 'classifier', [intAttribute('transB', 1)]));

  // Row index from the input: h = sum(input * pattern), idx = floor(|h| * 1000) mod rows.
  const pattern = new Float32Array(PIXELS).map(() => (rand() < 0.5 ? -1 : 1));
  initializers.push(encodeTensor('idx_pattern', DataType.FLOAT, [1, 1, 28, 28], pattern));
  initializers.push(encodeTensor('idx_axes', DataType.INT64, [3], new BigInt64Array([1n, 2n, 3n])));
  initializers.push(encodeTensor('idx_scale', DataType.FLOAT, [], new Float32Array([1000])));
  initializers.push(encodeTensor('idx_rows', DataType.INT64, [], new BigInt64Array([BigInt(TABLE_ROWS)])));
  nodes.push(makeNode('Mul', ['input', 'idx_pattern'], ['idx_weighted'], 'idx_mul'));
  nodes.push(makeNode('ReduceSum', ['idx_weighted', 'idx_axes'], ['idx_sum'], 'idx_sum', [intAttribute('keepdims', 0)]));
  nodes.push(makeNode('Abs', ['idx_sum'], ['idx_abs'], 'idx_abs'));
  nodes.push(makeNode('Mul', ['idx_abs', 'idx_scale'], ['idx_scaled'], 'idx_scale'));
  nodes.push(makeNode('Floor', ['idx_scaled'], ['idx_floor'], 'idx_floor'));
  nodes.push(makeNode('Cast', ['idx_floor'], ['idx_int'], 'idx_cast', [intAttribute('to', DataType.INT64)]));
  nodes.push(makeNode('Mod', ['idx_int', 'idx_rows'], ['idx'], 'idx_mod'));

  // The table (the 200 MB): uniform in [-1, 1).
  const table = new Float32Array(TABLE_ROWS * TABLE_COLS);
  for (let i = 0; i < table.length; i++) table[i] = rand() * 2 - 1;
  initializers.push(encodeTensor('table', DataType.FLOAT, [TABLE_ROWS, TABLE_COLS], table));
  nodes.push(makeNode('Gather', ['table', 'idx'], ['row'], 'table_gather', [intAttribute('axis', 0)]));
  const proj = new Float32Array(TABLE_COLS * CLASSES).map(() => (rand() * 2 - 1) * 0.05);
  initializers.push(encodeTensor('row_proj', DataType.FLOAT, [TABLE_COLS, CLASSES], proj));
  nodes.push(makeNode('MatMul', ['row', 'row_proj'], ['row_logits'], 'row_matmul'));
  nodes.push(makeNode('Add', ['class_logits', 'row_logits'], ['logits'], 'logits_add'));

  return serializeModel(makeModel({
    producerName: 'quantlens-load',
    graphName: 'load-table-classifier',
    nodes,
    inputs: [makeTensorValueInfo('input', DataType.FLOAT, ['batch', 1, 28, 28])],
    outputs: [makeTensorValueInfo('logits', DataType.FLOAT, ['batch', CLASSES])],
    initializers,
  }));
}

/** Our quantizer on the Gemm and MatMul, then the table made int8 by hand (Gather → DequantizeLinear). */
export async function loadQuantized(floatBytes: Uint8Array): Promise<{ bytes: Uint8Array; quantizedNodes: string[] }> {
  const options = { perChannel: true };
  const { augmentedModel, tensorNames } = planCalibration(floatBytes, options);
  const session = await openSession(augmentedModel, { provider: 'wasm', numThreads: 1 });
  const calibrator = new MinMaxCalibrator();
  const rand = random(5);
  try {
    for (let batch = 0; batch < 8; batch++) {
      const data = new Float32Array(8 * PIXELS);
      for (let i = 0; i < 8; i++) data.set(sampleImage(Math.floor(rand() * CLASSES), batch * 8 + i + 1_000_000), i * PIXELS);
      const outputs = await session.run({ input: { data, dims: [8, 1, 28, 28] } });
      for (const name of tensorNames) calibrator.observe(name, outputs[name].data);
    }
  } finally {
    await session.release();
  }
  const { model, report } = quantizeQdq(floatBytes, calibrator.ranges(), options);
  return { bytes: int8Table(model), quantizedNodes: report.quantizedNodes };
}

/** Replaces the float `table` by an int8 one (one symmetric scale) read by the Gather, dequantized after it. */
function int8Table(modelBytes: Uint8Array): Uint8Array {
  const model = parseModel(modelBytes);
  const graph = model.graph!;
  const at = graph.initializer.findIndex((t) => t.name === 'table');
  const raw = graph.initializer[at].rawData;
  const floats = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let max = 0;
  for (let i = 0; i < floats.length; i++) max = Math.max(max, Math.abs(floats[i]));
  const scale = max / 127;
  const q = new Int8Array(floats.length);
  for (let i = 0; i < floats.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(floats[i] / scale)));
  graph.initializer.splice(at, 1,
    encodeTensor('table_q', DataType.INT8, [TABLE_ROWS, TABLE_COLS], q),
    encodeTensor('table_scale', DataType.FLOAT, [], new Float32Array([scale])),
    encodeTensor('table_zero_point', DataType.INT8, [], new Int8Array([0])),
  );
  const gatherAt = graph.node.findIndex((n) => n.name === 'table_gather');
  const gather = graph.node[gatherAt];
  const output = gather.output[0];
  gather.input[0] = 'table_q';
  gather.output[0] = `${output}_q`;
  graph.node.splice(gatherAt + 1, 0, makeNode('DequantizeLinear', [`${output}_q`, 'table_scale', 'table_zero_point'], [output], 'table_dequantize'));
  return serializeModel(model);
}

export interface LoadModels {
  float: string;
  quantized: string;
  floatBytes: number;
  quantizedBytes: number;
}

export async function makeLoadModels(outDir = join(PROJECT_ROOT, 'load-results/models')): Promise<LoadModels> {
  const floatBytes = loadFloat();
  const quantized = await loadQuantized(floatBytes);
  mkdirSync(outDir, { recursive: true });
  const paths = { float: join(outDir, 'load-table.float.onnx'), quantized: join(outDir, 'load-table.int8.qdq.onnx') };
  writeFileSync(paths.float, floatBytes);
  writeFileSync(paths.quantized, quantized.bytes);
  return { ...paths, floatBytes: floatBytes.length, quantizedBytes: quantized.bytes.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const made = await makeLoadModels(process.argv[2]);
  console.log(`wrote ${made.float} (${(made.floatBytes / 1e6).toFixed(1)} MB) and ${made.quantized} (${(made.quantizedBytes / 1e6).toFixed(1)} MB)`);
}
