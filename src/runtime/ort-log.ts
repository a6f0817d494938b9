/**
 * onnxruntime-web's wasm module writes its C++ log to `console.error`, bound once when the module
 * starts. A tap installed on the worker's console before that start sees every ORT line: the
 * session-creation log is the source of op coverage (core/providers/coverage.ts). ORT's verbose and
 * info lines, and the warnings of a verbose session's creation, exist only because we ask for them,
 * so they never reach the console; its errors, and everything that is not ORT's, pass through.
 */
const ORT_LINE = /\[([VIWEF]):onnxruntime:/;

type ConsoleMethod = (...args: unknown[]) => void;
export interface ConsoleLike {
  log: ConsoleMethod;
  error: ConsoleMethod;
}

export class OrtLogTap {
  #collected: string[] | null = null;

  /** Wraps `target.log` and `target.error`; call it before the ORT module starts. */
  constructor(target: ConsoleLike) {
    for (const method of ['log', 'error'] as const) {
      const original = target[method].bind(target);
      target[method] = (...args: unknown[]) => {
        const text = args.map(String).join(' ');
        const severity = ORT_LINE.exec(text)?.[1];
        if (severity) this.#collected?.push(text);
        const askedFor = severity === 'V' || severity === 'I' || (severity === 'W' && this.#collected !== null);
        if (!askedFor) original(...args);
      };
    }
  }

  /** Runs `work` and returns the ORT lines logged meanwhile (one model per worker: never two at once). */
  async collect<T>(work: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
    const lines: string[] = [];
    this.#collected = lines;
    try {
      return { value: await work(), lines };
    } finally {
      this.#collected = null;
    }
  }
}
