/**
 * One all-zero sample through a freshly opened session, before the evaluation starts: a model whose
 * layers do not accept the preprocessed shape, or whose tensors outgrow the engine's memory at this
 * size, then fails at load with a message naming the cause, not on the first real sample.
 */
import { QuantLensError } from '../core/errors.ts';
import { explainEngineError } from '../core/providers/engine-errors.ts';
import { providerById } from '../core/providers/table.ts';
import type { ModelSession, TensorIn } from './ort.ts';

const ZEROS: Record<string, (n: number) => TensorIn['data']> = {
  float32: (n) => new Float32Array(n),
  uint8: (n) => new Uint8Array(n),
  int8: (n) => new Int8Array(n),
};

/** Runs `dims`-shaped zeros once; throws an explained QuantLensError if the engine cannot. */
export async function runOnce(session: ModelSession, dims: readonly number[]): Promise<void> {
  const input = session.inputs[0];
  const zeros = input ? ZEROS[input.dtype] : undefined;
  // Other input types are refused by the preprocessing check, extra inputs by the input check, each with its own message.
  if (session.inputs.length !== 1 || !zeros) return;
  try {
    await session.run({ [input.name]: { data: zeros(dims.reduce((n, d) => n * d, 1)), dims } });
  } catch (error) {
    if (error instanceof QuantLensError) throw error;
    const text = error instanceof Error ? error.message : String(error);
    const explained = explainEngineError(text, { provider: providerById(session.provider.actual).label, stage: 'run', inputDims: dims });
    throw new QuantLensError(explained.code, explained.message, explained.hint, { cause: error });
  }
}
