import { describe, expect, it } from 'vitest';
import { evaluatePair, inOrder, type ChunkOutput, type ModelRunner, type PreparedChunk } from '../../../../src/core/eval/evaluate.ts';
import { ClassificationPair, type ClassificationOutcome } from '../../../../src/core/tasks/index.ts';

// The loop keeps two chunks in flight (a worker gets chunk n+1 while the page scores chunk n); it
// still scores them in order, drops the one in flight on a cancel, and closes its source.

/** A runner whose chunks finish when the test says so; it records when each chunk was asked for. */
function gatedRunner(log: string[], name: string) {
  const gates: (() => void)[] = [];
  const runner: ModelRunner = inOrder(async (inputs) => {
    const first = (inputs[0] as Float32Array)[1];
    log.push(`${name} runs ${first}`);
    await new Promise<void>((resolve) => gates.push(resolve));
    return {
      outputs: inputs.map((x) => [{ data: Float32Array.from({ length: 3 }, (_, c) => (c === (x as Float32Array)[0] ? 1 : 0)), dims: [1, 3] }]),
      latenciesMs: inputs.map(() => 1),
    } satisfies ChunkOutput;
  });
  return { runner, release: () => gates.shift()?.() , pending: () => gates.length };
}

const labels = Array.from({ length: 12 }, (_, i) => i % 3);

function source(log: string[], closed: { value: boolean }) {
  return (async function* (): AsyncGenerator<PreparedChunk> {
    try {
      for (let from = 0; from < labels.length; from += 4) {
        log.push(`yield ${from}`);
        yield { samples: [0, 1, 2, 3].map((i) => ({ index: from + i, label: labels[from + i], input: Float32Array.of(labels[from + i], from + i) })), failures: [] };
      }
    } finally {
      closed.value = true;
    }
  })();
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('evaluatePair keeps two chunks in flight', () => {
  it('hands chunk n+1 to the models before chunk n is scored, and scores in order', async () => {
    const log: string[] = [];
    const closed = { value: false };
    const float = gatedRunner(log, 'float');
    const quantized = gatedRunner(log, 'quantized');
    const done: number[] = [];
    const running = evaluatePair({ total: 12, chunks: source(log, closed), floatModel: float.runner, quantizedModel: quantized.runner, task: new ClassificationPair(2), onProgress: (p) => done.push(p.done) });
    await tick();
    // Both chunks 0 and 4 were pulled and handed over; the runner runs one at a time, so only chunk 0 started.
    expect([...log].sort()).toEqual(['float runs 0', 'quantized runs 0', 'yield 0', 'yield 4']);
    expect(done).toEqual([]);
    float.release();
    quantized.release();
    await tick();
    // Chunk 4 starts in the runners as soon as chunk 0 is out; chunk 0 is scored; chunk 8 is pulled.
    expect(log.slice(4).sort()).toEqual(['float runs 4', 'quantized runs 4', 'yield 8']);
    expect(done).toEqual([4]);
    for (let i = 0; i < 2; i++) {
      float.release();
      quantized.release();
      await tick();
    }
    const outcome = await running;
    expect(outcome.status).toBe('complete');
    expect(done).toEqual([4, 8, 12]);
    const task = outcome.result!.task as ClassificationOutcome;
    expect(Array.from(task.samples.indices)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(task.float.classification.top1Correct).toBe(12);
    expect(closed.value).toBe(true);
  });

  it('drops the chunk in flight on a cancel, and closes the source', async () => {
    const log: string[] = [];
    const closed = { value: false };
    const float = gatedRunner(log, 'float');
    const quantized = gatedRunner(log, 'quantized');
    const controller = new AbortController();
    const running = evaluatePair({
      total: 12, chunks: source(log, closed), floatModel: float.runner, quantizedModel: quantized.runner, task: new ClassificationPair(2),
      signal: controller.signal, onProgress: () => controller.abort(),
    });
    await tick();
    float.release();
    quantized.release();
    const outcome = await running;
    expect(outcome.status).toBe('cancelled');
    expect(outcome.result!.sampleCount).toBe(4); // chunk 4 was running, and is not counted
    expect(closed.value).toBe(true);
    expect(log).not.toContain('yield 8');
  });

  it('reports a failure of the second chunk after the first is scored', async () => {
    const failingOnSecondChunk = () => {
      let calls = 0;
      return inOrder(async (inputs) => {
        if (calls++ === 1) throw new Error('engine aborted');
        return { outputs: inputs.map(() => [{ data: Float32Array.of(1, 0, 0), dims: [1, 3] }]), latenciesMs: inputs.map(() => 1) };
      });
    };
    const closed = { value: false };
    const done: number[] = [];
    await expect(evaluatePair({ total: 12, chunks: source([], closed), floatModel: failingOnSecondChunk(), quantizedModel: failingOnSecondChunk(), task: new ClassificationPair(2), onProgress: (p) => done.push(p.done) })).rejects.toThrow('engine aborted');
    expect(done).toEqual([4]);
    expect(closed.value).toBe(true);
  });
});
