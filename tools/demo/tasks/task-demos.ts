/**
 * The task demos evaluated in Node exactly as the app does it (evaluateTaskInProcess with the task's
 * accumulator, wasm provider, 1 thread), and the timing-free facts of each result that the Node test
 * and, later, the browser test must reproduce exactly (test/golden/task-demos.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationOutcome } from '../../../src/core/eval/evaluate.ts';
import { createTaskAccumulator, type DetectionOutcome, type EmbeddingOutcome, type SegmentationOutcome, type TaskOutcome } from '../../../src/core/tasks/index.ts';
import { evaluateTaskInProcess } from '../../../src/runtime/in-process.ts';
import { DEMO, loadPackFile, type TaskDemo } from './lib.ts';

export async function evaluateTaskDemo(demo: TaskDemo): Promise<EvaluationOutcome> {
  const pack = loadPackFile(join(DEMO, demo.testSet));
  const run = {
    floatModel: new Uint8Array(readFileSync(join(DEMO, demo.floatModel))),
    quantizedModel: new Uint8Array(readFileSync(join(DEMO, demo.quantizedModel))),
    samples: pack.samples,
    spec: demo.preprocess,
  };
  return evaluateTaskInProcess(run, createTaskAccumulator(demo.task, pack.classNames, demo.preprocess));
}

/** JSON keeps no NaN: NaN (a class with nothing to score) is written as null. */
const num = (value: number): number | null => (Number.isNaN(value) ? null : value);

/** The facts of one task demo's result: every number that does not depend on timing. */
export function taskFacts(outcome: EvaluationOutcome): Record<string, unknown> {
  const result = outcome.result;
  if (!result) throw new Error('the evaluation produced no result');
  const task: TaskOutcome = result.task;
  const facts: Record<string, unknown> = {
    status: outcome.status,
    kind: task.kind,
    sampleCount: result.sampleCount,
    skipped: result.skipped.length,
    metrics: task.metrics.map((m) => ({ id: m.id, float: num(m.delta.float), quantized: num(m.delta.quantized), ...(m.counts ? { counts: m.counts } : {}) })),
    agreement: task.agreement.map((a) => ({ id: a.id, value: num(a.value) })),
    perClass: task.perClass?.rows.map((r) => ({ classIndex: r.classIndex, support: r.support, float: num(r.float), quantized: num(r.quantized) })) ?? null,
  };
  if (task.kind === 'detection') {
    const d = task as DetectionOutcome;
    const summary = (r: DetectionOutcome['float']) => ({ detectionCount: r.detectionCount, groundTruthCount: r.groundTruthCount, map: num(r.map), map50: num(r.map50), map75: num(r.map75), mar: num(r.mar) });
    facts.detection = { float: summary(d.float), quantized: summary(d.quantized), versusFloat: summary(d.versusFloat) };
  } else if (task.kind === 'segmentation') {
    const s = task as SegmentationOutcome;
    const summary = (r: SegmentationOutcome['float']) => ({ meanIou: num(r.meanIou), pixelAccuracy: num(r.pixelAccuracy) });
    facts.segmentation = { float: summary(s.float), quantized: summary(s.quantized), versusFloat: summary(s.versusFloat) };
  } else if (task.kind === 'embedding') {
    const e = task as EmbeddingOutcome;
    const retrieval = (r: EmbeddingOutcome['float']) => (r ? { recallAtK: r.recallAtK.map((x) => ({ k: x.k, value: num(x.value) })), mrr: num(r.mrr), ndcgAtK: r.ndcgAtK.map((x) => ({ k: x.k, value: num(x.value) })) } : null);
    facts.embedding = { meanCosine: num(e.similarity.meanCosine), minCosine: num(e.similarity.minCosine), queryCount: e.queryCount, sameClassAtK: e.sameClassAtK, float: retrieval(e.float), quantized: retrieval(e.quantized) };
  }
  return facts;
}
