/** Progress of a long run, with an ETA from the observed rate. */
export interface Progress {
  done: number;
  total: number;
  elapsedMs: number;
  /** null until there is a rate to extrapolate from. */
  etaMs: number | null;
  /** Samples per second so far. */
  rate: number;
}

export class ProgressClock {
  readonly #start: number;
  #done: number;

  /** `resumed`: what a run interrupted earlier had done, and in how long (a resumed run continues both). */
  constructor(
    readonly total: number,
    readonly now: () => number,
    resumed: { done: number; elapsedMs: number } = { done: 0, elapsedMs: 0 },
  ) {
    this.#start = now() - resumed.elapsedMs;
    this.#done = resumed.done;
  }

  /** Samples done so far. */
  get done(): number {
    return this.#done;
  }

  elapsedMs(): number {
    return this.now() - this.#start;
  }

  /** Records `count` more samples done and returns the new progress. */
  advance(count: number): Progress {
    this.#done += count;
    const elapsedMs = this.elapsedMs();
    const rate = elapsedMs > 0 ? (this.#done * 1000) / elapsedMs : 0;
    const remaining = Math.max(0, this.total - this.#done);
    const etaMs = this.#done > 0 && rate > 0 ? (remaining / rate) * 1000 : null;
    return { done: this.#done, total: this.total, elapsedMs, etaMs, rate };
  }
}

/** "1 min 05 s", "12 s", "< 1 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return '< 1 s';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}
