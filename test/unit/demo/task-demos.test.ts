/**
 * The task demos (public/demo/tasks.json, made by tools/demo/tasks/make-tasks.sh) run for real in
 * Node, through the same evaluation loop and task accumulators as the app: each float model is good
 * at its task, its INT8 twin stays close, and the numbers are exactly the recorded golden facts
 * (test/golden/task-demos.json, which the browser test compares with too).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvaluationOutcome } from '../../../src/core/eval/evaluate.ts';
import { readModelInfo } from '../../../src/core/onnx/info.ts';
import { checkOutputsForTask, type DetectionOutcome, type EmbeddingOutcome, type SegmentationOutcome } from '../../../src/core/tasks/index.ts';
import { DEMO, GOLDEN, loadManifest, loadPackFile, type TaskDemo } from '../../../tools/demo/tasks/lib.ts';
import { evaluateTaskDemo, taskFacts } from '../../../tools/demo/tasks/task-demos.ts';

const demos = loadManifest();
const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, unknown>;
const byId = (id: string) => {
  const demo = demos.find((d) => d.id === id);
  if (!demo) throw new Error(`no demo ${id} in tasks.json`);
  return demo;
};
const outcomes = new Map<string, Promise<EvaluationOutcome>>();
const evaluate = (demo: TaskDemo) => {
  if (!outcomes.has(demo.id)) outcomes.set(demo.id, evaluateTaskDemo(demo));
  return outcomes.get(demo.id)!;
};
const metric = (outcome: EvaluationOutcome, id: string) => {
  const row = outcome.result!.task.metrics.find((m) => m.id === id);
  if (!row) throw new Error(`no metric ${id}`);
  return row.delta;
};
const agreement = (outcome: EvaluationOutcome, id: string) => outcome.result!.task.agreement.find((a) => a.id === id)!.value;

describe('task demos manifest', () => {
  it('lists the embedding, segmentation and detection demos, each with existing files that fit its task', () => {
    expect(demos.map((d) => [d.id, d.task.kind])).toEqual([['mnist-embedding', 'embedding'], ['mnist-segmentation', 'segmentation'], ['mnist-detection', 'detection']]);
    let bytes = 0;
    for (const demo of demos) {
      const pack = loadPackFile(join(DEMO, demo.testSet));
      for (const role of ['floatModel', 'quantizedModel'] as const) {
        const model = new Uint8Array(readFileSync(join(DEMO, demo[role])));
        const info = readModelInfo(model);
        expect(info.format, `${demo.id} ${role}`).toBe(role === 'floatModel' ? 'float' : 'qdq');
        expect(checkOutputsForTask(demo.task, info.outputs, pack.classNames.length), `${demo.id} ${role}`).toEqual([]);
        expect(info.inputs[0].shape.slice(1)).toEqual([1, demo.preprocess.height, demo.preprocess.width]);
      }
      if (demo.task.kind !== 'embedding') expect(pack.target).toBe(demo.task.kind === 'detection' ? 'boxes' : 'mask');
      for (const file of [demo.floatModel, demo.quantizedModel, demo.testSet]) if (file.startsWith('tasks/')) bytes += statSync(join(DEMO, file)).size;
    }
    expect(bytes).toBeLessThan(3_000_000);
  });
});

describe('task demos, evaluated in Node (wasm, 1 thread)', () => {
  it('embedding: the cut CNN retrieves same-digit neighbours and the INT8 vectors point the same way', async () => {
    const outcome = await evaluate(byId('mnist-embedding'));
    const task = outcome.result!.task as EmbeddingOutcome;
    expect(outcome.result!.sampleCount).toBe(2000);
    expect(task.queryCount).toBe(2000);
    const recall = metric(outcome, 'recall@1');
    expect(recall.float).toBeGreaterThan(0.9);
    expect(Math.abs(recall.absolutePoints)).toBeLessThan(1);
    expect(task.similarity.meanCosine).toBeGreaterThan(0.99);
    expect(taskFacts(outcome)).toEqual(golden['mnist-embedding']);
  }, 120_000);

  it('segmentation: the FCN labels digit pixels with their digit and the INT8 twin agrees on almost every pixel', async () => {
    const outcome = await evaluate(byId('mnist-segmentation'));
    const task = outcome.result!.task as SegmentationOutcome;
    expect(outcome.result!.sampleCount).toBe(1000);
    const miou = metric(outcome, 'miou');
    expect(miou.float).toBeGreaterThan(0.6);
    expect(Math.abs(miou.absolutePoints)).toBeLessThan(2);
    expect(agreement(outcome, 'pixel-agreement')).toBeGreaterThan(0.99);
    expect(task.perClass!.rows.map((r) => r.classIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(taskFacts(outcome)).toEqual(golden['mnist-segmentation']);
  }, 120_000);

  it('detection: the detector finds the digits (mAP@.5 well above chance) and the INT8 twin finds the same boxes', async () => {
    const outcome = await evaluate(byId('mnist-detection'));
    const task = outcome.result!.task as DetectionOutcome;
    expect(outcome.result!.sampleCount).toBe(500);
    const map50 = metric(outcome, 'map50');
    expect(map50.float).toBeGreaterThan(0.5);
    expect(Math.abs(map50.absolutePoints)).toBeLessThan(3);
    expect(agreement(outcome, 'map-vs-float')).toBeGreaterThan(0.8);
    expect(task.float.groundTruthCount).toBe(task.quantized.groundTruthCount);
    expect(taskFacts(outcome)).toEqual(golden['mnist-detection']);
  }, 120_000);
});
