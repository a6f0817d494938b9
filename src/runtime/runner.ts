import { inOrder, type ModelRunner, type OutputTensor } from '../core/eval/evaluate.ts';
import { QuantLensError } from '../core/errors.ts';
import { providerById } from '../core/providers/table.ts';
import type { ModelSession } from './ort.ts';

/**
 * A session as the core's ModelRunner: one inference per input (batch 1), each timed around the
 * engine's run; overlapping chunks queue (the worker gets the next chunk while it runs this one). A run that throws, or a device lost under the session (WebGPU device, WebNN
 * context), stops the run with a 'session-failed' error naming the provider.
 */
export function sessionRunner(session: ModelSession, dims: readonly number[]): ModelRunner {
  const inputName = session.inputs[0].name;
  const outputNames = session.outputs.map((o) => o.name);
  const label = providerById(session.provider.actual).label;
  // Settles only if the device is lost: then every run in flight, or to come, fails at once.
  const lost = session.lost?.then((reason): never => {
    throw runFailed(label, reason);
  });
  lost?.catch(() => undefined); // observed through the race below
  return inOrder(async (inputs) => {
    const outputs: OutputTensor[][] = [];
    const latenciesMs: number[] = [];
    for (const data of inputs) {
      const started = performance.now();
      const running = session.run({ [inputName]: { data, dims } }).catch((error: unknown) => {
        throw error instanceof QuantLensError ? error : runFailed(label, error instanceof Error ? error.message : String(error), error);
      });
      const named = await (lost ? Promise.race([running, lost]) : running);
      latenciesMs.push(performance.now() - started);
      outputs.push(outputNames.map((name) => named[name]));
    }
    return { outputs, latenciesMs };
  });
}

function runFailed(label: string, detail: string, cause?: unknown): QuantLensError {
  return new QuantLensError(
    'session-failed',
    `The model stopped running on ${label}: ${detail}.`,
    'Pick another execution provider for this model (WebAssembly always works) and run again; no reload needed.',
    { cause },
  );
}
