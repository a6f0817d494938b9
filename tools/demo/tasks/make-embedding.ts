/**
 * The embedding demo's float model: the MNIST demo's float CNN cut after its 64-d penultimate ReLU
 * (graph surgery with src/core/onnx; no retraining, the weights are the demo's own).
 *
 *   npx tsx tools/demo/tasks/make-embedding.ts
 *
 * Reads   public/demo/mnist-cnn.float.onnx    (output `logits` = Gemm(fc2) of the ReLU after fc1)
 * Writes  public/demo/tasks/mnist-embed.float.onnx   (output `embedding` float32 [batch, 64])
 *
 * The last Gemm is dropped together with its weights; the ReLU's output is renamed `embedding` and
 * becomes the only graph output. Everything else (names, opset, the other weights) is kept as is.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readFileSync } from 'node:fs';
import { makeTensorValueInfo } from '../../../src/core/onnx/builders.ts';
import { DataType } from '../../../src/core/onnx/dtypes.ts';
import { parseModel, serializeModel } from '../../../src/core/onnx/model.ts';
import { readModelInfo } from '../../../src/core/onnx/info.ts';
import { DEMO, ROOT } from './lib.ts';

const SOURCE = join(DEMO, 'mnist-cnn.float.onnx');
const OUTPUT = join(DEMO, 'tasks', 'mnist-embed.float.onnx');
const EMBEDDING = 'embedding';

const model = parseModel(new Uint8Array(readFileSync(SOURCE)));
const graph = model.graph!;
if (graph.output.length !== 1) throw new Error(`expected one output, got ${graph.output.length}`);
const head = graph.node.find((n) => n.output.includes(graph.output[0].name));
if (head?.opType !== 'Gemm') throw new Error(`expected the output to come from a Gemm, got ${head?.opType}`);
const relu = graph.node.find((n) => n.output[0] === head.input[0]);
if (relu?.opType !== 'Relu') throw new Error(`expected the last Gemm to read a Relu, got ${relu?.opType}`);
const fc1 = graph.node.find((n) => n.output[0] === relu.input[0]);
const width = Number(graph.initializer.find((t) => t.name === fc1?.input[1])?.dims[0]);
if (fc1?.opType !== 'Gemm' || width !== 64) throw new Error('expected a 64-wide Gemm before the ReLU');

// Cut: drop the head, rename the ReLU's output, keep only what the new output needs.
const oldName = relu.output[0];
relu.output[0] = EMBEDDING;
graph.node = graph.node.filter((n) => n !== head);
graph.output = [makeTensorValueInfo(EMBEDDING, DataType.FLOAT, ['batch', width])];
const needed = new Set([EMBEDDING]);
for (const node of [...graph.node].reverse()) {
  if (node.output.some((o) => needed.has(o))) node.input.forEach((i) => needed.add(i));
}
graph.node = graph.node.filter((n) => n.output.some((o) => needed.has(o)));
graph.initializer = graph.initializer.filter((t) => needed.has(t.name));
graph.valueInfo = graph.valueInfo.filter((v) => needed.has(v.name) && v.name !== oldName);
model.docString = 'QuantLens embedding demo: the MNIST demo CNN cut after its 64-d penultimate ReLU (tools/demo/tasks/make-embedding.ts).';

const bytes = serializeModel(model);
writeFileSync(OUTPUT, bytes);
const info = readModelInfo(bytes);
console.log(`[embed] wrote ${relative(ROOT, OUTPUT)} (${bytes.length} bytes): ${graph.node.map((n) => n.opType).join(', ')}; output ${info.outputs.map((o) => `${o.name} [${o.shape.join(', ')}]`).join(', ')}`);
