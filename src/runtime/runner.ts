import type { ModelRunner } from '../core/eval/evaluate.ts';
import type { ModelSession } from './ort.ts';

/** A session as the core's ModelRunner: one inference per input (batch 1), each timed around the engine's run. */
export function sessionRunner(session: ModelSession, dims: readonly number[]): ModelRunner {
  const inputName = session.inputs[0].name;
  const outputName = session.outputs[0].name;
  return {
    async runChunk(inputs) {
      const scores: Float32Array[] = [];
      const latenciesMs: number[] = [];
      for (const data of inputs) {
        const started = performance.now();
        const outputs = await session.run({ [inputName]: { data, dims } });
        latenciesMs.push(performance.now() - started);
        scores.push(outputs[outputName].data);
      }
      return { scores, latenciesMs };
    },
  };
}
