/**
 * A second, raw DevTools connection to the browser Playwright launched (Chromium started with
 * --remote-debugging-port): Playwright's CDPSession cannot address the flat child sessions of
 * workers, this can. Auto-attaches (flatten) to every page and, through each page, to its dedicated
 * workers (and their nested workers), never pausing them, so each JS heap can be sampled with
 * Runtime.getHeapUsage. Needs a global WebSocket (Node >= 22, or Node 20 with --experimental-websocket).
 */

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
  title?: string;
}

export interface AttachedTarget {
  sessionId: string;
  info: TargetInfo;
  attachedAt: number;
  detachedAt: number | null;
}

export interface HeapUsage {
  usedSize: number;
  totalSize: number;
  /** Chromium ≥ 126: array buffer backing stores and external strings (wasm memories are not here). */
  backingStorageSize?: number;
  embedderHeapUsedSize?: number;
}

type Listener = (params: Record<string, unknown>, sessionId?: string) => void;

export class Cdp {
  readonly #ws: WebSocket;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Listener[]>();
  /** Every target attached so far, by session. */
  readonly targets = new Map<string, AttachedTarget>();
  closed = false;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message.result);
      } else if (message.method) {
        for (const listener of this.#listeners.get(message.method) ?? []) listener(message.params ?? {}, message.sessionId);
      }
    });
    ws.addEventListener('close', () => {
      this.closed = true;
      for (const pending of this.#pending.values()) pending.reject(new Error('CDP connection closed'));
      this.#pending.clear();
    });
  }

  /** Connects to the browser endpoint of a Chromium listening on `port`. */
  static async connect(port: number): Promise<Cdp> {
    const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
    if (typeof WebSocket === 'undefined') throw new Error('No global WebSocket: run Node 22+, or Node 20 with --experimental-websocket (npm run loadtest does).');
    const ws = new WebSocket(version.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`cannot open ${version.webSocketDebuggerUrl}`)), { once: true });
    });
    const cdp = new Cdp(ws);
    cdp.#trackTargets();
    return cdp;
  }

  on(method: string, listener: Listener): void {
    this.#listeners.set(method, [...(this.#listeners.get(method) ?? []), listener]);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}, sessionId?: string, timeoutMs = 10_000): Promise<T> {
    if (this.closed) return Promise.reject(new Error('CDP connection closed'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Auto-attach at the browser, then again inside each page and worker (flat sessions, never paused). */
  #trackTargets(): void {
    const autoAttach = { autoAttach: true, waitForDebuggerOnStart: false, flatten: true };
    this.on('Target.attachedToTarget', (params) => {
      const sessionId = params.sessionId as string;
      const info = params.targetInfo as TargetInfo;
      this.targets.set(sessionId, { sessionId, info, attachedAt: Date.now(), detachedAt: null });
      if (info.type === 'page' || info.type === 'iframe' || info.type === 'worker') {
        void this.send('Target.setAutoAttach', autoAttach, sessionId).catch(() => undefined);
      }
      // A target attached while paused (another client asked for it) would stay paused: resume it.
      if (params.waitingForDebugger) void this.send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => undefined);
    });
    this.on('Target.detachedFromTarget', (params) => {
      const target = this.targets.get(params.sessionId as string);
      if (target) target.detachedAt = Date.now();
    });
    this.on('Target.targetInfoChanged', (params) => {
      const info = params.targetInfo as TargetInfo;
      for (const target of this.targets.values()) if (target.info.targetId === info.targetId) target.info = info;
    });
    // Discovery makes Chromium report URL changes (targetInfoChanged): the page is attached at about:blank.
    void this.send('Target.setDiscoverTargets', { discover: true }).catch(() => undefined);
    void this.send('Target.setAutoAttach', autoAttach).catch(() => undefined);
  }

  /** Attached targets still alive, of the given types. */
  live(types: readonly string[]): AttachedTarget[] {
    return [...this.targets.values()].filter((t) => t.detachedAt === null && types.includes(t.info.type));
  }

  heapUsage(sessionId: string, timeoutMs = 5_000): Promise<HeapUsage> {
    return this.send<HeapUsage>('Runtime.getHeapUsage', {}, sessionId, timeoutMs);
  }

  // Not here: the sizes of a worker's WebAssembly memories. Runtime.queryObjects(WebAssembly.Memory.prototype)
  // inside a model worker crashed the whole renderer (Chromium 156, tried once), so the load test infers them.

  /** A full garbage collection in that page or worker (what is left is reachable, not garbage). */
  collectGarbage(sessionId: string, timeoutMs = 30_000): Promise<unknown> {
    return this.send('HeapProfiler.collectGarbage', {}, sessionId, timeoutMs);
  }

  close(): void {
    this.#ws.close();
  }
}
