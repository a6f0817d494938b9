import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluatePair, type EvaluationCheckpoint, type ModelRunner, type PreparedChunk } from '../../../../src/core/eval/evaluate.ts';
import { prepareChunk } from '../../../../src/core/eval/prepare.ts';
import { resultFacts, type ResultFacts } from '../../../../src/core/eval/facts.ts';
import { tensorShape } from '../../../../src/core/preprocess/index.ts';
import { ClassificationPair, type ClassificationOutcome } from '../../../../src/core/tasks/index.ts';
import { openSession } from '../../../../src/runtime/ort.ts';
import { sessionRunner } from '../../../../src/runtime/runner.ts';
import { DEMO_FACTS_PATH, loadDemo } from '../../../helpers/demo.ts';

// A run stopped after a checkpoint (a reload, a closed tab) and resumed from it (after the structured
// clone IndexedDB makes) ends with exactly the result of a run that was never stopped.

/** Scores with all weight on `predict(input)`, latency = 1 + sample index (so the merge is visible). */
function runner(predict: (input: Float32Array) => number): ModelRunner {
  return {
    async runChunk(inputs) {
      return {
        outputs: inputs.map((x) => [{ data: Float32Array.from({ length: 4 }, (_, c) => (c === predict(x as Float32Array) ? 1 : 0)), dims: [1, 4] }]),
        latenciesMs: inputs.map((x) => 1 + (x as Float32Array)[1]),
      };
    },
  };
}

const labels = Array.from({ length: 40 }, (_, i) => (i * 7) % 4);

/** Chunks of 4 from chunk `start` on; one undecodable sample in chunk 3. */
async function* chunks(start = 0): AsyncGenerator<PreparedChunk> {
  for (let from = start * 4; from < labels.length; from += 4) {
    const indices = [0, 1, 2, 3].map((i) => from + i).filter((i) => i !== 13);
    yield { samples: indices.map((index) => ({ index, label: labels[index], input: Float32Array.of(labels[index], index) })), failures: from === 12 ? [{ index: 13, name: '13.png', reason: 'broken' }] : [] };
  }
}

const models = () => ({ floatModel: runner((x) => x[0]), quantizedModel: runner((x) => (x[1] % 5 === 0 ? (x[0] + 1) % 4 : x[0])) });

describe('evaluatePair with checkpoints', () => {
  it('resumes from the last checkpoint to the result of an uninterrupted run', async () => {
    const whole = await evaluatePair({ total: 40, chunks: chunks(), ...models(), task: new ClassificationPair(2) });

    const checkpoints: EvaluationCheckpoint[] = [];
    const controller = new AbortController();
    const first = await evaluatePair({
      total: 40, chunks: chunks(), ...models(), task: new ClassificationPair(2), signal: controller.signal,
      checkpointEvery: { ms: Number.POSITIVE_INFINITY, samples: 8 },
      onCheckpoint: (checkpoint) => void checkpoints.push(structuredClone(checkpoint)),
      // The "reload": the page goes away after 7 chunks, between checkpoints.
      onProgress: (p) => p.done >= 27 && controller.abort(),
    });
    expect(first.status).toBe('cancelled');
    expect(checkpoints.map((c) => [c.chunksDone, c.done])).toEqual([[2, 8], [4, 16], [6, 24]]);
    const last = checkpoints.at(-1)!;
    expect(last.skipped).toEqual([{ index: 13, name: '13.png', reason: 'broken' }]);

    const progress: number[] = [];
    const resumed = await evaluatePair({ total: 40, chunks: chunks(last.chunksDone), ...models(), task: new ClassificationPair(2), resumeFrom: last, onProgress: (p) => progress.push(p.done) });
    expect(resumed.status).toBe('complete');
    expect(progress[0]).toBe(28); // continues from 24, not from 0
    const { durationMs: _a, ...expected } = whole.result!;
    const { durationMs: _b, ...actual } = resumed.result!;
    expect(actual).toEqual(expected);
  });

  it('carries the elapsed time over and never checkpoints after the last chunk', async () => {
    let t = 0;
    const seen: EvaluationCheckpoint[] = [];
    const outcome = await evaluatePair({
      total: 40, chunks: chunks(8), ...models(), task: new ClassificationPair(2), now: () => (t += 100),
      resumeFrom: { chunksDone: 8, done: 32, task: new ClassificationPair(2).snapshot(), latencies: { float: [], quantized: [] }, skipped: [], elapsedMs: 5000 },
      checkpointEvery: { ms: 1, samples: 1 }, onCheckpoint: (c) => void seen.push(c),
    });
    expect(seen.map((c) => c.done)).toEqual([36]);
    expect(outcome.result!.durationMs).toBeGreaterThan(5000);
    expect(outcome.result!.sampleCount).toBe(8);
  });
});

describe('the demo pair, interrupted and resumed in Node', () => {
  it('gives the recorded facts exactly', async () => {
    const demo = loadDemo();
    const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;
    const samples = demo.testSet.samples;
    const spec = demo.manifest.preprocess;
    const dims = tensorShape(spec, 1);
    const options = { provider: 'wasm', numThreads: 1 } as const;
    const sessions = await Promise.all([openSession(demo.floatModel, options), openSession(demo.quantizedModel, options)]);
    try {
      async function* source(startChunk: number): AsyncGenerator<PreparedChunk> {
        for (let from = startChunk * 64; from < samples.length; from += 64) yield prepareChunk(samples.slice(from, from + 64), spec);
      }
      const pair = () => ({ floatModel: sessionRunner(sessions[0], dims), quantizedModel: sessionRunner(sessions[1], dims), total: samples.length });
      const controller = new AbortController();
      let saved: EvaluationCheckpoint | null = null;
      await evaluatePair({
        ...pair(), chunks: source(0), task: new ClassificationPair(), signal: controller.signal,
        checkpointEvery: { ms: Number.POSITIVE_INFINITY, samples: 512 },
        onCheckpoint: (c) => void (saved = structuredClone(c)),
        onProgress: (p) => p.done >= 1280 && controller.abort(),
      });
      const checkpoint = saved as EvaluationCheckpoint | null;
      expect(checkpoint?.done).toBe(1024);
      const outcome = await evaluatePair<ClassificationOutcome>({ ...pair(), chunks: source(checkpoint!.chunksDone), task: new ClassificationPair(), resumeFrom: checkpoint! });
      expect(outcome.status).toBe('complete');
      expect(resultFacts(outcome.result!)).toEqual(golden);
      expect(outcome.result!.latency.float.count).toBe(2000);
    } finally {
      await Promise.all(sessions.map((s) => s.release()));
    }
  }, 120_000);
});
