/**
 * Provider vs quantization: the same model's outputs on a reference provider (wasm) and on the
 * target provider, compared sample by sample (top-1 agreement, output SQNR). When the same model
 * already differs between providers, part of a float-vs-quantized gap seen on the target belongs
 * to the provider, not to quantization (onnxruntime #23394, #26525; transformers.js #1051).
 */
import { DiffAccumulator, type DiffSummary } from './accumulator.ts';

/** How one model's outputs on two providers compare. */
export interface ProviderComparison {
  referenceProvider: string;
  targetProvider: string;
  sampleCount: number;
  top1Agree: number;
  /** top1Agree / sampleCount (NaN without samples). */
  top1Agreement: number;
  /** Reference output as x, target output as y. */
  output: DiffSummary;
  verdict: 'identical' | 'negligible' | 'provider-gap';
  /** One sentence for the user. */
  sentence: string;
}

// Above this output SQNR (with every top-1 equal) provider differences are float rounding noise.
const NEGLIGIBLE_SQNR_DB = 60;

/** Streams output pairs (reference provider, target provider) of the same model. */
export class ProviderAgreementAccumulator {
  readonly #output = new DiffAccumulator();
  #top1Agree = 0;

  constructor(readonly referenceProvider: string, readonly targetProvider: string) {}

  /** Adds one sample's scores from both providers. */
  add(reference: ArrayLike<number>, target: ArrayLike<number>): void {
    this.#output.add(reference, target);
    if (argmax(reference) === argmax(target)) this.#top1Agree++;
  }

  /** The comparison so far, with the sentence that says whose gap it is. */
  result(quantizationSqnrDb?: number): ProviderComparison {
    const output = this.#output.summary();
    const sampleCount = output.sampleCount;
    const base = {
      referenceProvider: this.referenceProvider,
      targetProvider: this.targetProvider,
      sampleCount,
      top1Agree: this.#top1Agree,
      top1Agreement: sampleCount === 0 ? NaN : this.#top1Agree / sampleCount,
      output,
    };
    return { ...base, ...judge(base, quantizationSqnrDb) };
  }
}

/**
 * Says in one sentence whether a gap is the provider's. `quantizationSqnrDb` is the float-vs-quantized
 * output SQNR on the reference provider, when known: a provider noise larger than that dominates.
 */
function judge(
  c: Omit<ProviderComparison, 'verdict' | 'sentence'>, quantizationSqnrDb: number | undefined,
): Pick<ProviderComparison, 'verdict' | 'sentence'> {
  const { targetProvider: target, referenceProvider: reference, sampleCount: n } = c;
  const sqnr = c.output.pooled.sqnrDb;
  if (n === 0) return { verdict: 'negligible', sentence: `No samples were compared between ${target} and ${reference} yet.` };
  const flips = n - c.top1Agree;
  if (flips === 0 && sqnr === Infinity) {
    return { verdict: 'identical', sentence: `${target} gives exactly the same outputs as ${reference} on all ${n} samples, so any gap you see is quantization, not the provider.` };
  }
  const sqnrText = `${sqnr.toFixed(1)} dB`;
  const dominates = quantizationSqnrDb !== undefined && sqnr <= quantizationSqnrDb;
  if (flips === 0 && sqnr >= NEGLIGIBLE_SQNR_DB && !dominates) {
    return { verdict: 'negligible', sentence: `${target} differs from ${reference} only by rounding noise (output SQNR ${sqnrText}, every top-1 equal on ${n} samples), so the gap is quantization, not the provider.` };
  }
  const flipText = flips === 0 ? 'no top-1 changes' : `${flips} of ${n} top-1 predictions changed`;
  const comparison = quantizationSqnrDb === undefined
    ? ''
    : dominates
      ? `, noisier than quantization itself (${quantizationSqnrDb.toFixed(1)} dB)`
      : `, against ${quantizationSqnrDb.toFixed(1)} dB from quantization`;
  return {
    verdict: 'provider-gap',
    sentence: `The same model already differs between ${target} and ${reference} (${flipText}, output SQNR ${sqnrText}${comparison}), so part of the gap on ${target} is the provider's, not quantization's.`,
  };
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
