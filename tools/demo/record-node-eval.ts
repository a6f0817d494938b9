/**
 * Records the demo's evaluation in Node (onnxruntime-web, wasm provider, 1 thread) as the golden
 * facts the Node test and the browser end-to-end test must both reproduce exactly.
 * Run after regenerating the demo: `npx tsx tools/demo/record-node-eval.ts`
 */
import { writeFileSync } from 'node:fs';
import { evaluateInProcess } from '../../src/runtime/in-process.ts';
import { resultFacts } from '../../src/core/eval/facts.ts';
import { DEMO_FACTS_PATH, loadDemo } from '../../test/helpers/demo.ts';

const demo = loadDemo();
const outcome = await evaluateInProcess({ floatModel: demo.floatModel, quantizedModel: demo.quantizedModel, samples: demo.testSet.samples, spec: demo.manifest.preprocess });
if (!outcome.result) throw new Error('the demo evaluation produced no result');
const facts = resultFacts(outcome.result);
writeFileSync(DEMO_FACTS_PATH, `${JSON.stringify(facts, null, 2)}\n`);
const { float, quantized } = outcome.result.task;
const latency = outcome.result.latency;
console.log(`float top-1 ${(float.classification.top1Accuracy * 100).toFixed(2)}%, INT8 top-1 ${(quantized.classification.top1Accuracy * 100).toFixed(2)}%, delta ${outcome.result.task.metrics[0].delta.absolutePoints.toFixed(2)} pt`);
console.log(`median latency: float ${latency.float.medianMs.toFixed(3)} ms, INT8 ${latency.quantized.medianMs.toFixed(3)} ms`);
console.log(`wrote ${DEMO_FACTS_PATH}`);
