/**
 * Makes the task demos' INT8 twins with our own quantizer (src/core/quantize): static post-training
 * quantization to QDQ, MinMax calibration in onnxruntime-web (wasm, 1 thread), int8 symmetric
 * per-channel weights, uint8 asymmetric activations, int32 biases.
 *
 *   npx tsx tools/demo/tasks/quantize-tasks.ts
 *
 * Reads   public/demo/tasks.json and each demo's float model;
 *         calibration: public/demo/mnist-calibration.pack.json (500 digits: embedding, segmentation),
 *         tools/demo/tasks/out/mnist-det-calibration.pack.json (200 canvases of calibration digits: detection)
 * Writes  public/demo/tasks/mnist-{embed,seg,det}.int8.qdq.onnx
 * Deterministic: the same float model and calibration samples give the same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readModelInfo } from '../../../src/core/onnx/info.ts';
import { DEMO, OUT, ROOT, inputsOf, loadManifest, loadPackFile, quantize } from './lib.ts';

const CALIBRATION: Record<string, string> = {
  'mnist-embedding': join(DEMO, 'mnist-calibration.pack.json'),
  'mnist-segmentation': join(DEMO, 'mnist-calibration.pack.json'),
  'mnist-detection': join(OUT, 'mnist-det-calibration.pack.json'),
};

for (const demo of loadManifest()) {
  const started = performance.now();
  const floatBytes = new Uint8Array(readFileSync(join(DEMO, demo.floatModel)));
  const calibration = await inputsOf(loadPackFile(CALIBRATION[demo.id]), demo.preprocess);
  const { model, report, tensors } = await quantize(floatBytes, calibration, demo.preprocess);
  const output = join(DEMO, demo.quantizedModel);
  writeFileSync(output, model);
  console.log(`[quantize] ${demo.id}: calibrated ${tensors} tensors on ${calibration.length} samples; quantized ${report.quantizedNodes.join(', ')}`);
  for (const skipped of report.skippedNodes) console.log(`[quantize]   kept float: ${skipped.name} (${skipped.reason})`);
  console.log(`[quantize]   wrote ${relative(ROOT, output)} (${model.length} bytes, format ${readModelInfo(model).format}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
