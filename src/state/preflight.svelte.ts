/**
 * The preflight of a picked pair, before any run: both graphs read in the analysis worker, the
 * twin check, how each node is quantized, and the input-range check against a few samples of the
 * dataset preprocessed with the current spec. A newer check supersedes an older one.
 */
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { checkMemory, TOO_LARGE_HINT } from '../core/providers/memory.ts';
import { readDeviceMemory } from '../workers/device-limits.ts';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { AnalysisWorker, type PreflightResult } from '../workers/analysis-client.ts';

/** Samples preprocessed for the input-range check. */
export const PREFLIGHT_SAMPLES = 16;

export interface PreflightInput {
  floatModel: Blob;
  quantizedModel: Blob;
  dataset: DatasetSummary | null;
  spec: PreprocessSpec | null;
}

export class Preflight {
  result = $state.raw<PreflightResult | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  busy = $state(false);
  /** Memory cautions for this pair on this device (core/providers/memory.ts); reasons to stop come as `error`. */
  memoryWarnings = $state.raw<string[]>([]);
  #generation = 0;
  /** One worker per check, ended when it answers: it received both models whole (see check). */
  #workers: AnalysisWorker[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** Checks after `delayMs` without a newer request (form edits re-check once, not per keystroke). */
  checkSoon(input: PreflightInput, delayMs = 300): void {
    this.#cancelTimer();
    this.#timer = setTimeout(() => void this.check(input), delayMs);
  }

  /** Checks the pair; resolves when done or superseded (never throws). */
  async check(input: PreflightInput): Promise<void> {
    this.#cancelTimer();
    const generation = ++this.#generation;
    this.busy = true;
    this.error = null;
    // The worker gets both files whole and parses them. Ending it after the check frees those copies at once; an idle
    // worker kept them until its next GC (issue 10's load test: 239 MB per check for a 200 MB + 50 MB pair, still there during the run).
    const worker = new AnalysisWorker();
    this.#workers.push(worker);
    try {
      // From the files' sizes, before reading them: a pair the device cannot hold is said, not attempted.
      const memory = checkMemory([{ label: 'The float model', bytes: input.floatModel.size }, { label: 'The quantized model', bytes: input.quantizedModel.size }], readDeviceMemory());
      if (memory.problems.length > 0) throw new QuantLensError('model-too-large', memory.problems.join(' '), TOO_LARGE_HINT);
      if (generation === this.#generation) this.memoryWarnings = memory.warnings;
      const [floatBytes, quantizedBytes] = await Promise.all([input.floatModel.arrayBuffer(), input.quantizedModel.arrayBuffer()]);
      const source = input.dataset && input.spec ? { datasetId: input.dataset.id, spec: $state.snapshot(input.spec), count: PREFLIGHT_SAMPLES } : null;
      const result = await worker.preflight(new Uint8Array(floatBytes), new Uint8Array(quantizedBytes), source);
      if (generation === this.#generation) this.result = result;
    } catch (error) {
      if (generation === this.#generation) {
        this.result = null;
        this.memoryWarnings = [];
        this.error = toErrorInfo(error);
      }
    } finally {
      worker.terminate();
      this.#workers = this.#workers.filter((w) => w !== worker);
      if (generation === this.#generation) this.busy = false;
    }
  }

  /** Forgets the last report (no pair picked any more). */
  clear(): void {
    this.#cancelTimer();
    this.#generation++;
    Object.assign(this, { result: null, error: null, busy: false, memoryWarnings: [] });
  }

  #cancelTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  dispose(): void {
    this.clear();
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
  }
}
