/**
 * Memory of the app while it runs, sampled every `intervalMs` from outside the page (issue 9, item 4):
 * - the page's V8 heap (CDP Runtime.getHeapUsage on the page: `usedSize` = JS objects,
 *   `backingStorageSize` = ArrayBuffer/typed-array and external-string backing stores);
 * - each dedicated worker's V8 heap, the same two numbers (the page's CDP session auto-attaches
 *   to its workers in non-flattened mode and asks each through Target.sendMessageToTarget: Playwright's
 *   CDPSession cannot address a flattened child session). WebAssembly memories are NOT in either
 *   number (checked: a 64 MB WebAssembly.Memory in a worker leaves backingStorageSize unchanged,
 *   a 64 MB ArrayBuffer adds 64 MB), so ORT's wasm heap shows only in the process figures;
 * - the Chromium renderer processes of this browser profile (/proc/PID/smaps_rollup: Pss and Rss;
 *   the page and its dedicated workers, wasm memory included, live in one renderer) and the peak
 *   resident size the kernel recorded (VmHWM in /proc/PID/status, reset through clear_refs when
 *   sampling starts, so it covers what 200 ms sampling could miss).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

export interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize: number;
}

interface Sample {
  /** ms since sampling started */
  t: number;
  page: HeapUsage | null;
  workers: { kind: string; usage: HeapUsage }[];
  renderers: { pid: number; pss: number; rss: number }[];
}

export interface MemoryReport {
  intervalMs: number;
  samples: number;
  durationMs: number;
  /** Bytes. First sample (before the measured action) and peak over the samples. */
  page: { heap: Span; arrayBuffers: Span; total: Span };
  /** Sum over the dedicated workers alive at each sample (JS heap + ArrayBuffers), and the peak per kind of worker. */
  workers: { total: Span; heap: Span; arrayBuffers: Span; perKind: Record<string, number>; seen: string[] };
  /** The largest renderer of the profile (the page's) and all its renderers together; bytes. */
  renderer: { pss: Span; rss: Span; pssAll: Span; peakRssKernel: number | null; pids: number[] };
}

export interface Span {
  before: number;
  peak: number;
}

const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;

type ProcessKind = 'renderer' | 'other' | null;

/** Processes of the Chromium that runs with this profile (exact --user-data-dir): its renderers, or all the others (browser, zygotes, GPU, utilities: storage, network). */
function profilePids(profile: string, known: Map<number, ProcessKind>, kind: 'renderer' | 'other'): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let found = known.get(pid);
    if (found === undefined) {
      try {
        // Zygote-forked children rewrite their title: one space-separated string, not NUL-separated args.
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
        found = !args.includes(`--user-data-dir=${profile}`) ? null : args.includes('--type=renderer') && !args.includes('--top-chrome-webui') ? 'renderer' : 'other';
      } catch {
        found = null;
      }
      known.set(pid, found);
    }
    if (found === kind) pids.push(pid);
  }
  return pids;
}

/** Renderer processes of the Chromium that runs with this profile (the top-chrome WebUI renderer left out). */
export function rendererPids(profile: string, known: Map<number, ProcessKind>): number[] {
  return profilePids(profile, known, 'renderer');
}

const TICKS_PER_S = 100; // getconf CLK_TCK on Linux x86-64

/** utime + stime of a whole process (its ended threads included), seconds; null when gone. */
function processCpuS(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return null;
  }
}

function readProcess(pid: number): { pss: number; rss: number } | null {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return { pss: kb(rollup, 'Pss'), rss: kb(rollup, 'Rss') };
  } catch {
    return null; // gone
  }
}

const workerKind = (url: string) => url.replace(/^.*\//, '').replace(/-[\w-]{6,}\.js$/, '').replace(/\.js$/, '');

export class MemorySampler {
  readonly #samples: Sample[] = [];
  readonly #workers = new Map<string, string>(); // sessionId → kind
  readonly #pending = new Map<number, (value: HeapUsage | null) => void>();
  readonly #known = new Map<number, ProcessKind>();
  readonly #seen = new Set<string>();
  #id = 0;
  #running = true;
  #loop: Promise<void> = Promise.resolve();
  #started = 0;
  #pids: number[] = [];

  private constructor(
    private readonly cdp: CDPSession,
    private readonly profile: string,
    private readonly intervalMs: number,
  ) {}

  /** Starts sampling this page (and the workers it starts from now on) and the profile's renderers. */
  static async start(context: BrowserContext, page: Page, profile: string, intervalMs = 200): Promise<MemorySampler> {
    const cdp = await context.newCDPSession(page);
    const sampler = new MemorySampler(cdp, profile, intervalMs);
    cdp.on('Target.attachedToTarget', (event) => {
      if (event.targetInfo.type !== 'worker') return;
      const kind = workerKind(event.targetInfo.url);
      sampler.#workers.set(event.sessionId, kind);
      sampler.#seen.add(kind);
    });
    cdp.on('Target.detachedFromTarget', (event) => event.sessionId && sampler.#workers.delete(event.sessionId));
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message) as { id?: number; result?: HeapUsage };
      if (message.id === undefined) return;
      sampler.#pending.get(message.id)?.(message.result ?? null);
      sampler.#pending.delete(message.id);
    });
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    sampler.#pids = rendererPids(profile, sampler.#known);
    for (const pid of sampler.#pids) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
      } catch {
        /* not permitted: VmHWM then covers the process's whole life */
      }
    }
    sampler.#started = performance.now();
    await sampler.#sample(); // "before"
    sampler.#loop = sampler.#run();
    return sampler;
  }

  #workerHeap(sessionId: string): Promise<HeapUsage | null> {
    const id = ++this.#id;
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.#pending.delete(id), resolve(null)), 2_000);
      this.#pending.set(id, (value) => (clearTimeout(timer), resolve(value)));
      this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(null);
      });
    });
  }

  async #sample(): Promise<void> {
    const t = performance.now() - this.#started;
    const workerSessions = [...this.#workers];
    const [page, ...workerHeaps] = await Promise.all([
      this.cdp.send('Runtime.getHeapUsage').then((u) => u as HeapUsage, () => null),
      ...workerSessions.map(([sessionId]) => this.#workerHeap(sessionId)),
    ]);
    this.#pids = rendererPids(this.profile, this.#known);
    const renderers = this.#pids.flatMap((pid) => {
      const m = readProcess(pid);
      return m ? [{ pid, ...m }] : [];
    });
    const workers = workerSessions.flatMap(([, kind], i) => (workerHeaps[i] ? [{ kind, usage: workerHeaps[i]! }] : []));
    this.#samples.push({ t, page, workers, renderers });
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const started = performance.now();
      await this.#sample();
      const wait = this.intervalMs - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** One more sample, then the peaks. */
  async stop(): Promise<MemoryReport> {
    this.#running = false;
    await this.#loop;
    await this.#sample();
    let peakRssKernel: number | null = null;
    for (const pid of new Set(this.#samples.flatMap((s) => s.renderers.map((r) => r.pid)))) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        peakRssKernel = Math.max(peakRssKernel ?? 0, kb(status, 'VmHWM'));
      } catch {
        /* gone */
      }
    }
    await this.cdp.detach().catch(() => undefined);
    const samples = this.#samples;
    const span = (f: (s: Sample) => number): Span => ({ before: f(samples[0]), peak: Math.max(...samples.map(f)) });
    const sumWorkers = (s: Sample, f: (u: HeapUsage) => number) => s.workers.reduce((n, w) => n + f(w.usage), 0);
    const perKind: Record<string, number> = {};
    for (const s of samples) {
      const byKind: Record<string, number> = {};
      for (const w of s.workers) byKind[w.kind] = (byKind[w.kind] ?? 0) + w.usage.usedSize + w.usage.backingStorageSize;
      for (const [kind, bytes] of Object.entries(byKind)) perKind[kind] = Math.max(perKind[kind] ?? 0, bytes);
    }
    const largest = (s: Sample, field: 'pss' | 'rss') => {
      const top = [...s.renderers].sort((a, b) => b.pss - a.pss)[0];
      return top ? top[field] : 0;
    };
    return {
      intervalMs: this.intervalMs,
      samples: samples.length,
      durationMs: samples[samples.length - 1].t,
      page: {
        heap: span((s) => s.page?.usedSize ?? 0),
        arrayBuffers: span((s) => s.page?.backingStorageSize ?? 0),
        total: span((s) => (s.page ? s.page.usedSize + s.page.backingStorageSize : 0)),
      },
      workers: {
        total: span((s) => sumWorkers(s, (u) => u.usedSize + u.backingStorageSize)),
        heap: span((s) => sumWorkers(s, (u) => u.usedSize)),
        arrayBuffers: span((s) => sumWorkers(s, (u) => u.backingStorageSize)),
        perKind,
        seen: [...this.#seen],
      },
      renderer: {
        pss: span((s) => largest(s, 'pss')),
        rss: span((s) => largest(s, 'rss')),
        pssAll: span((s) => s.renderers.reduce((n, r) => n + r.pss, 0)),
        peakRssKernel,
        pids: [...new Set(samples.flatMap((s) => s.renderers.map((r) => r.pid)))],
      },
    };
  }
}

export interface ThreadTime {
  pid: number;
  tid: number;
  /** 'main' (the renderer's main thread: the page), 'DedicatedWorker' (one per worker), or the kernel's thread name. */
  name: string;
  /** Seconds on a core during the measurement. */
  runS: number;
  /** Seconds runnable but waiting for a core (other threads or other users' processes had it). */
  waitS: number;
}

export interface ThreadReport {
  wallS: number;
  /** Seconds on a core, every thread of the profile's renderers together. */
  totalRunS: number;
  /** The page's main thread of the busiest renderer. */
  main: ThreadTime | null;
  /** Dedicated worker threads, busiest first. */
  workers: ThreadTime[];
  /** Every other thread of the profile's renderers, summed. */
  others: { runS: number; waitS: number };
  /** CPU seconds (utime+stime, 10 ms ticks) of the profile's other processes: browser, GPU, utilities (IndexedDB lives in the storage service). */
  otherProcessesS: number;
  /** /proc/loadavg's 1-minute load at the start and the end (2 cores here: above 2, others want the cores too). */
  load: [number, number];
}

const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/**
 * CPU time per thread of the profile's renderers (/proc/PID/task/TID/schedstat: ns on a core, ns
 * waiting in the run queue), read every `intervalMs` from Node so that threads that end before
 * `stop()` (each run's workers) are counted up to their last reading. Nothing runs in the browser.
 */
export class ThreadMeter {
  readonly #first = new Map<number, { run: number; wait: number }>();
  readonly #last = new Map<number, { pid: number; name: string; run: number; wait: number }>();
  readonly #known = new Map<number, ProcessKind>();
  readonly #processes = new Map<number, { first: number; last: number }>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #started = 0;
  #load = 0;

  constructor(private readonly profile: string, private readonly intervalMs = 200) {}

  #read(initial: boolean): void {
    for (const pid of profilePids(this.profile, this.#known, 'other')) {
      const cpu = processCpuS(pid);
      if (cpu === null) continue;
      const seen = this.#processes.get(pid);
      this.#processes.set(pid, { first: seen?.first ?? (initial ? cpu : 0), last: cpu });
    }
    for (const pid of rendererPids(this.profile, this.#known)) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const entry of tids) {
        const tid = Number(entry);
        try {
          const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
          if (initial) this.#first.set(tid, { run, wait });
          const name = tid === pid ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
          this.#last.set(tid, { pid, name, run, wait });
        } catch {
          /* the thread ended */
        }
      }
    }
  }

  start(): this {
    this.#started = performance.now();
    this.#load = loadAverage();
    this.#read(true);
    this.#timer = setInterval(() => this.#read(false), this.intervalMs);
    return this;
  }

  stop(): ThreadReport {
    if (this.#timer) clearInterval(this.#timer);
    this.#read(false);
    const threads: ThreadTime[] = [...this.#last].map(([tid, t]) => {
      const first = this.#first.get(tid) ?? { run: 0, wait: 0 }; // born during the measurement
      return { pid: t.pid, tid, name: t.name, runS: (t.run - first.run) / 1e9, waitS: (t.wait - first.wait) / 1e9 };
    });
    const busy = (a: ThreadTime, b: ThreadTime) => b.runS - a.runS;
    const mains = threads.filter((t) => t.name === 'main').sort(busy);
    const workers = threads.filter((t) => t.name.startsWith('DedicatedWorker') && t.runS > 0.01).sort(busy);
    const others = threads.filter((t) => t !== mains[0] && !workers.includes(t));
    return {
      wallS: (performance.now() - this.#started) / 1000,
      totalRunS: threads.reduce((n, t) => n + t.runS, 0),
      main: mains[0] ?? null,
      workers,
      others: { runS: others.reduce((n, t) => n + t.runS, 0), waitS: others.reduce((n, t) => n + t.waitS, 0) },
      otherProcessesS: [...this.#processes.values()].reduce((n, p) => n + p.last - p.first, 0),
      load: [this.#load, loadAverage()],
    };
  }
}
