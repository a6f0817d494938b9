import { describe, expect, it } from 'vitest';
import { evaluatePair, type ModelRunner, type PreparedChunk } from '../../../../src/core/eval/evaluate.ts';
import { ClassificationPair } from '../../../../src/core/tasks/index.ts';
import { ProgressClock, formatDuration } from '../../../../src/core/eval/progress.ts';
import { predictionsChecksum } from '../../../../src/core/eval/checksum.ts';

// The loop's bookkeeping with runners whose answers are known: scores put all weight on the
// class the runner "predicts", so every count below follows by hand.
function runner(predict: (input: Float32Array) => number, seen: Float32Array[] = []): ModelRunner {
  return {
    async runChunk(inputs) {
      seen.push(...(inputs as Float32Array[]));
      return {
        outputs: inputs.map((x) => [{ data: Float32Array.from({ length: 3 }, (_, c) => (c === predict(x as Float32Array) ? 1 : 0)), dims: [1, 3] }]),
        latenciesMs: inputs.map(() => 2),
      };
    },
  };
}

async function* chunks(labels: number[], size: number): AsyncGenerator<PreparedChunk> {
  for (let from = 0; from < labels.length; from += size) {
    yield {
      samples: labels.slice(from, from + size).map((label, i) => ({ index: from + i, label, input: Float32Array.of(label, from + i) })),
      failures: from === 0 ? [{ index: -1, name: 'bad.png', reason: 'broken' }] : [],
    };
  }
}

describe('evaluatePair', () => {
  const labels = [0, 1, 2, 0, 1, 2, 0, 1];
  it('counts accuracy, agreement and flips, and gives each model its own input buffers', async () => {
    const floatSeen: Float32Array[] = [];
    const quantSeen: Float32Array[] = [];
    // float is always right; quantized is wrong on samples 1 and 4 (predicts 0 there).
    const outcome = await evaluatePair({
      total: labels.length + 1,
      chunks: chunks(labels, 3),
      floatModel: runner((x) => x[0], floatSeen),
      quantizedModel: runner((x) => ([1, 4].includes(x[1]) ? 0 : x[0]), quantSeen),
      task: new ClassificationPair(2),
    });
    const r = outcome.result!;
    expect(outcome.status).toBe('complete');
    expect(r.sampleCount).toBe(8);
    expect(r.skipped).toHaveLength(1);
    expect(r.task.float.classification.top1Correct).toBe(8);
    expect(r.task.quantized.classification.top1Correct).toBe(6);
    expect(r.task.metrics[0].delta.absolutePoints).toBeCloseTo(-25, 12);
    expect(r.task.agreementDetail).toMatchObject({ top1Agree: 6, correctToWrong: 2, wrongToCorrect: 0 });
    expect(r.latency.float.medianMs).toBe(2);
    expect(floatSeen.every((buffer, i) => buffer !== quantSeen[i])).toBe(true);
  });

  it('cancel is an outcome, with the samples done so far', async () => {
    const controller = new AbortController();
    const outcome = await evaluatePair({
      total: 8,
      chunks: chunks(labels, 2),
      floatModel: runner((x) => x[0]),
      quantizedModel: runner((x) => x[0]),
      task: new ClassificationPair(),
      signal: controller.signal,
      onProgress: (p) => p.done >= 4 && controller.abort(),
    });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.result!.sampleCount).toBe(4);
  });
});

describe('progress and checksum', () => {
  it('extrapolates the ETA from the observed rate', () => {
    let t = 0;
    const clock = new ProgressClock(100, () => t);
    t = 2000;
    const p = clock.advance(25);
    expect(p).toMatchObject({ done: 25, total: 100, rate: 12.5, etaMs: 6000 });
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(400)).toBe('< 1 s');
  });
  it('checksums predictions: FNV-1a of the little-endian int32 bytes', () => {
    // FNV-1a 32 of the empty input is the offset basis.
    expect(predictionsChecksum(new Int32Array(0))).toBe('811c9dc5');
    expect(predictionsChecksum(Int32Array.of(1, 2))).not.toBe(predictionsChecksum(Int32Array.of(2, 1)));
  });
});
