import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateInProcess, evaluateTaskInProcess } from '../../../src/runtime/in-process.ts';
import { createTaskAccumulator } from '../../../src/core/tasks/index.ts';
import { resultFacts, type ResultFacts } from '../../../src/core/eval/facts.ts';
import { DEMO_FACTS_PATH, loadDemo } from '../../helpers/demo.ts';

// The demo pair through the same core evaluation the browser runs, on onnxruntime-web's wasm
// provider in Node. The browser end-to-end test must reproduce these same facts.
describe('demo pair evaluated in Node', () => {
  const demo = loadDemo();
  const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;

  it('reproduces the recorded facts exactly, and they are plausible', async () => {
    const progress: number[] = [];
    const outcome = await evaluateInProcess({
      floatModel: demo.floatModel,
      quantizedModel: demo.quantizedModel,
      samples: demo.testSet.samples,
      spec: demo.manifest.preprocess,
      onProgress: (p) => progress.push(p.done),
    });
    expect(outcome.status).toBe('complete');
    const result = outcome.result!;
    expect(resultFacts(result)).toEqual(golden);
    // Independent sanity checks on the recorded numbers themselves.
    expect(result.sampleCount).toBe(2000);
    expect(result.task.float.classification.top1Accuracy).toBeGreaterThan(0.97);
    expect(Math.abs(result.task.metrics[0].delta.absolutePoints)).toBeLessThan(1.5);
    expect(result.task.agreementDetail.top1Agreement).toBeGreaterThan(0.98);
    expect(progress.at(-1)).toBe(2000);
    expect(result.latency.float.count).toBe(2000);
  });

  it('stops early and cleanly when cancelled', async () => {
    const controller = new AbortController();
    const outcome = await evaluateInProcess({
      floatModel: demo.floatModel,
      quantizedModel: demo.quantizedModel,
      samples: demo.testSet.samples,
      spec: demo.manifest.preprocess,
      signal: controller.signal,
      onProgress: (p) => p.done >= 128 && controller.abort(),
    });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.result!.sampleCount).toBe(128);
  });
});

describe('early verdict on the demo pair', () => {
  it('settles "within 1 point" long before the end, in a shuffled order, and says after how many samples', async () => {
    const demo = loadDemo();
    const outcome = await evaluateTaskInProcess(
      { floatModel: demo.floatModel, quantizedModel: demo.quantizedModel, samples: demo.testSet.samples, spec: demo.manifest.preprocess, shuffleSeed: 7 },
      createTaskAccumulator({ kind: 'classification', earlyVerdict: { mode: 'points', threshold: 1 } }, demo.testSet.classNames, demo.manifest.preprocess),
    );
    expect(outcome.status).toBe('settled');
    expect(outcome.result!.early).toMatchObject({ outcome: 'within', alpha: 0.05 });
    expect(outcome.result!.early!.samplesUsed).toBeLessThan(2000);
    expect(outcome.result!.sampleCount).toBeLessThan(2000);
  });
});
