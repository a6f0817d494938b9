/**
 * The Node side of the benchmark: session.run throughput of each model alone and of both in turn
 * (Node's in-process host runs them one after the other in one thread), and the full evaluation
 * through src/runtime/in-process.ts (the CLI path).
 */
import { evaluateInProcess } from '../../src/runtime/in-process.ts';
import { openSession } from '../../src/runtime/ort.ts';
import type { EncodedSample } from '../../src/core/data/dataset.ts';
import type { PreprocessSpec } from '../../src/core/preprocess/spec.ts';
import { spread, type Spread } from './stats.ts';

export interface NodeLimit {
  floatPerS: Spread;
  quantizedPerS: Spread;
  /** Both models on each input, one after the other (what the in-process evaluation does). */
  pairPerS: Spread;
}

function input(dims: number[]): Float32Array {
  const size = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = ((i * 7919) % 256) / 255;
  return data;
}

export async function nodeLimit(floatModel: Uint8Array, quantizedModel: Uint8Array, dims: number[], runs: number, reps: number, warmup: number): Promise<NodeLimit> {
  const options = { provider: 'wasm', numThreads: 1 } as const;
  const sessions = await Promise.all([openSession(floatModel, options), openSession(quantizedModel, options)]);
  try {
    const data = input(dims);
    const feeds = sessions.map((s) => ({ [s.inputs[0].name]: { data, dims } }));
    const time = async (which: number[], n: number) => {
      const started = performance.now();
      for (let i = 0; i < n; i++) for (const w of which) await sessions[w].run(feeds[w]);
      return (n / (performance.now() - started)) * 1000;
    };
    await time([0, 1], warmup);
    const f: number[] = [];
    const q: number[] = [];
    const p: number[] = [];
    for (let r = 0; r < reps; r++) {
      f.push(await time([0], runs));
      q.push(await time([1], runs));
      p.push(await time([0, 1], runs));
    }
    return { floatPerS: spread(f), quantizedPerS: spread(q), pairPerS: spread(p) };
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
}

/** Wall time of whole in-process evaluations (session creation included, as in the CLI), and the predictions checksums. */
export async function nodeEvaluation(floatModel: Uint8Array, quantizedModel: Uint8Array, samples: readonly EncodedSample[], spec: PreprocessSpec, reps: number): Promise<{ ms: Spread; samples: number; checksums: { float: string; quantized: string } }> {
  await evaluateInProcess({ floatModel, quantizedModel, samples: samples.slice(0, 200), spec }); // warm-up
  const ms: number[] = [];
  let checksums = { float: '', quantized: '' };
  for (let r = 0; r < reps; r++) {
    const started = performance.now();
    const outcome = await evaluateInProcess({ floatModel, quantizedModel, samples, spec });
    ms.push(performance.now() - started);
    if (!outcome.result) throw new Error('the Node evaluation produced no result');
    checksums = { float: outcome.result.task.float.predictionsChecksum, quantized: outcome.result.task.quantized.predictionsChecksum };
  }
  return { ms: spread(ms), samples: samples.length, checksums };
}
