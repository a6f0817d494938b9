/**
 * Load test (issue 10): a 50,000-image dataset and a ~200 MB float model (with its ~50 MB INT8 twin)
 * evaluated together in one run, in real Chromium, through the app's UI, with peak memory sampled.
 *
 *   npm run loadtest                      (vite build, then this; ~10 min here; NOT part of npm test / CI)
 *   LOAD_SAMPLES=2000 npm run loadtest    (a quick rehearsal)
 *
 * Generates (once; git-ignored, under load-results/): the models (make-models.ts) and the PNG folder
 * (dataset.ts). Then: vite preview of dist/ (test/e2e/harness.ts), a fresh Chromium profile with a
 * debugging port, the folder imported through the folder picker, both models picked through the
 * "Bring your own" file inputs, the run started with "Run both models" and followed to "Done".
 *
 * Sampled every SAMPLE_MS: the page's JS heap and each worker's JS heap (a second, raw DevTools
 * connection auto-attached to the page and its workers; Runtime.getHeapUsage), and from /proc the
 * RSS/PSS of every Chromium process (the page's renderer holds the page, all its workers and their
 * WebAssembly memories). VmHWM gives each process's exact peak RSS. Page crashes are listened for.
 * Writes load-results/load.json (every sample) and prints a table.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../test/helpers/demo.ts';
import { CHROMIUM, freePort, openBrowser, startPreview, type Browser, type PreviewServer } from '../../test/e2e/harness.ts';
import { Cdp, type HeapUsage } from './cdp.ts';
import { chromiumProcesses, findBrowserPid, processMemory, type ProcessMemory } from './proc.ts';
import { makeLoadDataset } from './dataset.ts';
import { makeLoadModels } from './make-models.ts';

const N = Number(process.env.LOAD_SAMPLES ?? 50_000);
const SAMPLE_MS = Number(process.env.LOAD_SAMPLE_MS ?? 250);
const OUT = join(PROJECT_ROOT, 'load-results');
const MODELS = join(OUT, 'models');
const MB = 2 ** 20;

type Phase = 'start' | 'import' | 'pick-float' | 'pick-quantized' | 'setup-preflight' | 'run-loading' | 'run-evaluating' | 'after-done' | 'after-gc';

/** The last tick's values and each live worker's heap and backing stores, at one moment. */
interface Snapshot {
  tick: Tick | null;
  workers: Record<string, { heap: number; backing: number }>;
}

/** Timestamps the page records (performance.now()); the status texts are set by RunStatus.svelte. */
const OBSERVER = `
  (() => {
    const marks = (globalThis.__load = { running: null, done: null, failed: null, lastStatus: '' });
    const look = () => {
      const status = document.querySelector('[data-testid="run-status"]');
      const text = status ? status.textContent || '' : '';
      if (/^Loading/.test(marks.lastStatus) && !/^Loading/.test(text) && marks.running === null) marks.running = performance.now();
      if (/^Done/.test(text) && marks.done === null) marks.done = performance.now();
      if (/^The run stopped/.test(text) && marks.failed === null) marks.failed = performance.now();
      marks.lastStatus = text;
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
  })();
`;

interface Marks {
  running: number | null;
  done: number | null;
  failed: number | null;
  lastStatus: string;
}

interface Tick {
  t: number;
  phase: Phase;
  pageHeap: number | null;
  /** Latest JS heap and array-buffer backing stores per live worker (label → bytes). */
  workers: Record<string, { heap: number; backing: number }>;
  workerHeapSum: number;
  /** Array-buffer backing stores (outside the JS heap: typed arrays; not wasm memories, measured) of the page and workers. */
  pageBacking: number | null;
  workerBackingSum: number;
  /** The largest renderer (the page's: it holds the page, its workers and their wasm memories). */
  rendererRss: number;
  rendererPss: number | null;
  chromiumRss: number;
  chromiumPss: number;
}

interface Peak {
  value: number;
  t: number;
  phase: Phase;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number | null | undefined) => (bytes == null ? '–' : `${(bytes / MB).toFixed(1)} MB`);
const sec = (ms: number | null | undefined) => (ms == null ? '–' : `${(ms / 1000).toFixed(1)} s`);

class Sampler {
  readonly ticks: Tick[] = [];
  readonly peaks: Record<string, Peak> = {};
  readonly phasePeaks: Partial<Record<Phase, Record<string, number>>> = {};
  /** Peak JS heap of each worker (label: name#n, in attach order), with when it started and ended. */
  readonly workerPeaks = new Map<string, { peak: number; peakPhase: Phase; peakBacking: number; attachedAt: number; detachedAt: number | null; url: string }>();
  /** Every Chromium process seen: type, peak sampled RSS and PSS, VmHWM (exact peak RSS). */
  readonly processes = new Map<number, ProcessMemory & { peakRss: number; peakPss: number }>();
  phase: Phase = 'start';
  readonly #heaps = new Map<string, HeapUsage & { at: number }>();
  readonly #pending = new Set<string>();
  readonly #labels = new Map<string, string>();
  readonly #counts = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #tick = 0;
  readonly start = Date.now();
  heapErrors = 0;

  constructor(readonly cdp: Cdp, readonly browserPid: number) {}

  label(sessionId: string): string {
    let label = this.#labels.get(sessionId);
    if (!label) {
      const target = this.cdp.targets.get(sessionId);
      const name = target?.info.title || target?.info.url.split('/').pop() || target?.info.type || 'target';
      const n = (this.#counts.get(name) ?? 0) + 1;
      this.#counts.set(name, n);
      label = `${name}#${n}`;
      this.#labels.set(sessionId, label);
    }
    return label;
  }

  begin(): void {
    this.#timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #peak(name: string, value: number | null, t: number): void {
    if (value === null) return;
    const current = this.peaks[name];
    if (!current || value > current.value) this.peaks[name] = { value, t, phase: this.phase };
    const phase = (this.phasePeaks[this.phase] ??= {});
    phase[name] = Math.max(phase[name] ?? 0, value);
  }

  snapshot(): Snapshot {
    const workers: Snapshot['workers'] = {};
    for (const target of this.cdp.live(['worker'])) {
      const heap = this.#heaps.get(target.sessionId);
      if (heap) workers[this.label(target.sessionId)] = { heap: heap.usedSize, backing: heap.backingStorageSize ?? 0 };
    }
    return { tick: this.ticks.at(-1) ?? null, workers };
  }

  sample(): void {
    const t = Date.now() - this.start;
    // JS heaps: ask each live page/worker, never more than one question in flight per target.
    const live = this.cdp.live(['page', 'worker']);
    for (const target of live) {
      if (this.#pending.has(target.sessionId)) continue;
      this.#pending.add(target.sessionId);
      this.cdp.heapUsage(target.sessionId).then(
        (usage) => this.#heaps.set(target.sessionId, { ...usage, at: Date.now() }),
        () => this.heapErrors++,
      ).finally(() => this.#pending.delete(target.sessionId));
    }
    const page = live.find((target) => target.info.type === 'page' && !target.info.url.startsWith('about:'));
    const pageHeap = page ? this.#heaps.get(page.sessionId)?.usedSize ?? null : null;
    const pageBacking = page ? this.#heaps.get(page.sessionId)?.backingStorageSize ?? null : null;
    const workers: Tick['workers'] = {};
    let workerBackingSum = 0;
    for (const target of live.filter((x) => x.info.type === 'worker')) {
      const heap = this.#heaps.get(target.sessionId);
      if (heap === undefined) continue;
      const label = this.label(target.sessionId);
      workers[label] = { heap: heap.usedSize, backing: heap.backingStorageSize ?? 0 };
      workerBackingSum += heap.backingStorageSize ?? 0;
      const record = this.workerPeaks.get(label) ?? { peak: 0, peakPhase: this.phase, peakBacking: 0, attachedAt: target.attachedAt - this.start, detachedAt: null, url: target.info.url };
      if (heap.usedSize > record.peak) Object.assign(record, { peak: heap.usedSize, peakPhase: this.phase });
      record.peakBacking = Math.max(record.peakBacking, heap.backingStorageSize ?? 0);
      this.workerPeaks.set(label, record);
    }
    for (const target of this.cdp.targets.values()) {
      const label = this.#labels.get(target.sessionId);
      const record = label ? this.workerPeaks.get(label) : undefined;
      if (record && target.detachedAt !== null) record.detachedAt = target.detachedAt - this.start;
    }
    const workerHeapSum = Object.values(workers).reduce((a, b) => a + b.heap, 0);
    // Processes: RSS every tick, PSS (smaps_rollup, slower) every other tick.
    const withPss = this.#tick++ % 2 === 0;
    const processes = chromiumProcesses(this.browserPid).map((pid) => processMemory(pid, withPss)).filter((p): p is ProcessMemory => p !== null);
    let renderer: ProcessMemory | null = null;
    for (const p of processes) {
      const known = this.processes.get(p.pid);
      this.processes.set(p.pid, { ...p, peakRss: Math.max(known?.peakRss ?? 0, p.rssKb), peakPss: Math.max(known?.peakPss ?? 0, p.pssKb ?? 0), pssKb: p.pssKb ?? known?.pssKb ?? null });
      if (p.type === 'renderer' && (!renderer || p.rssKb > renderer.rssKb)) renderer = p;
    }
    const tick: Tick = {
      t,
      phase: this.phase,
      pageHeap,
      workers,
      workerHeapSum,
      pageBacking,
      workerBackingSum,
      rendererRss: (renderer?.rssKb ?? 0) * 1024,
      rendererPss: renderer?.pssKb != null ? renderer.pssKb * 1024 : null,
      chromiumRss: processes.reduce((n, p) => n + p.rssKb, 0) * 1024,
      chromiumPss: withPss ? processes.reduce((n, p) => n + (p.pssKb ?? 0), 0) * 1024 : 0,
    };
    this.ticks.push(tick);
    this.#peak('pageHeap', pageHeap, t);
    this.#peak('workerHeapSum', workerHeapSum, t);
    this.#peak('allHeaps', (pageHeap ?? 0) + workerHeapSum, t);
    this.#peak('pageBacking', pageBacking, t);
    this.#peak('workerBackingSum', workerBackingSum, t);
    this.#peak('rendererRss', tick.rendererRss, t);
    this.#peak('rendererPss', tick.rendererPss, t);
    this.#peak('chromiumRss', tick.chromiumRss, t);
    if (withPss) this.#peak('chromiumPss', tick.chromiumPss, t);
  }
}

class PageDied extends Error {}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(join(PROJECT_ROOT, 'dist/index.html'))) throw new Error('dist/ is missing: run `npx vite build` first (npm run loadtest does).');
  const floatPath = join(MODELS, 'load-table.float.onnx');
  const quantizedPath = join(MODELS, 'load-table.int8.qdq.onnx');
  let started = Date.now();
  if (!existsSync(floatPath) || !existsSync(quantizedPath)) {
    console.log('Generating the models (load-results/models)…');
    await makeLoadModels(MODELS);
  }
  const modelsMs = Date.now() - started;
  started = Date.now();
  console.log(`Generating / reusing ${N} PNGs (load-results/dataset)…`);
  const dataset = makeLoadDataset(N);
  const datasetMs = Date.now() - started;
  const datasetName = `load-${N}`;
  const sizes = { float: statSync(floatPath).size, quantized: statSync(quantizedPath).size };
  console.log(`models ${mb(sizes.float)} + ${mb(sizes.quantized)}; dataset ${dataset.count} PNGs (${dataset.reused ? 'reused' : `written in ${sec(datasetMs)}`})`);

  const port = await freePort();
  let server: PreviewServer | null = null;
  let browser: Browser | null = null;
  let cdp: Cdp | null = null;
  let sampler: Sampler | null = null;
  const times: Record<string, number | null> = {};
  const outcome: Record<string, unknown> = {};
  let crashed: { t: number; phase: Phase } | null = null;
  let failure: string | null = null;
  let afterGc: { before: Snapshot; after: Snapshot } | null = null;
  const environment = {
    chromium: execFileSync(CHROMIUM, ['--version']).toString().trim(),
    node: process.version,
    cpus: cpus().length,
    totalMemory: totalmem(),
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [] as number[],
  };
  try {
    server = await startPreview();
    browser = await openBrowser([`--remote-debugging-port=${port}`]);
    const { page, context } = browser;
    await context.addInitScript(OBSERVER);
    const browserPid = findBrowserPid(port);
    if (browserPid === null) throw new Error(`no Chromium process with --remote-debugging-port=${port}`);
    cdp = await Cdp.connect(port);
    sampler = new Sampler(cdp, browserPid);
    const s = sampler;
    page.on('crash', () => {
      crashed = { t: Date.now() - s.start, phase: s.phase };
      console.log(`PAGE CRASHED during ${s.phase}`);
    });
    sampler.begin();
    await page.goto(server.url);
    await page.getByTestId('folder-input').waitFor({ state: 'attached' });

    /** Polls until `done` gives a value; fails fast on a crash or an error banner. */
    const until = async <T>(what: string, done: () => Promise<T | null>, timeoutMs: number): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      let lastLog = Date.now();
      while (Date.now() < deadline) {
        if (crashed) throw new PageDied(`the page crashed while waiting for ${what}`);
        const value = await done().catch((error: unknown) => {
          if (crashed) throw new PageDied(`the page crashed while waiting for ${what}`);
          throw error;
        });
        if (value !== null) return value;
        const banner = await page.getByTestId('error-message').textContent({ timeout: 1_000 }).catch(() => null);
        if (banner) throw new Error(`the app showed an error while waiting for ${what}: ${banner}`);
        if (Date.now() - lastLog > 15_000) {
          lastLog = Date.now();
          const last = s.ticks.at(-1);
          console.log(`  … ${what}: ${((Date.now() - s.start) / 1000).toFixed(0)} s, renderer RSS ${mb(last?.rendererRss)}, page heap ${mb(last?.pageHeap)}, workers ${mb(last?.workerHeapSum)}`);
        }
        await sleep(250);
      }
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    };

    // 1. Import the folder through the folder picker.
    sampler.phase = 'import';
    console.log(`Importing ${dataset.count} images…`);
    let t0 = Date.now();
    await page.getByTestId('folder-input').setInputFiles(dataset.root);
    const notice = await until('the import', async () => {
      const text = await page.getByTestId('notice').textContent({ timeout: 1_000 }).catch(() => null);
      return text && text.startsWith(`Imported '${datasetName}'`) ? text : null;
    }, 40 * 60_000);
    times.importMs = Date.now() - t0;
    outcome.importNotice = notice;
    console.log(`  ${notice} (${sec(times.importMs)})`);

    // 2. Pick both models through the "Bring your own" inputs (each is read and checked in a worker).
    const pick = async (role: 'float' | 'quantized', path: string) => {
      sampler!.phase = role === 'float' ? 'pick-float' : 'pick-quantized';
      const start = Date.now();
      await page.locator(`#${role}-model`).setInputFiles(path);
      const text = await until(`the ${role} model check`, async () => {
        if (await page.getByTestId(`${role}-model-problem`).count()) throw new Error(String(await page.getByTestId(`${role}-model-problem`).textContent()));
        const ok = page.locator(`label[for="${role}-model"] .ok`);
        return (await ok.count()) ? await ok.textContent() : null;
      }, 10 * 60_000);
      times[`pick${role === 'float' ? 'Float' : 'Quantized'}Ms`] = Date.now() - start;
      console.log(`  ${role} model picked in ${sec(Date.now() - start)}: ${text?.trim()}`);
    };
    await pick('float', floatPath);
    await pick('quantized', quantizedPath);
    await page.getByTestId('dataset-row').filter({ hasText: datasetName }).getByRole('radio').check();

    // 3. The setup panel's preflight of the pair (both graphs read in the analysis worker) settles.
    sampler.phase = 'setup-preflight';
    t0 = Date.now();
    await until('the setup preflight', async () => {
      const preflight = page.getByTestId('setup-preflight').getByTestId('preflight');
      if ((await preflight.getAttribute('aria-busy', { timeout: 1_000 })) !== 'false') return null;
      return (await preflight.getByTestId('preflight-ok').count()) + (await preflight.getByTestId('preflight-warnings').count()) + (await preflight.getByTestId('preflight-error').count()) > 0 ? true : null;
    }, 10 * 60_000).catch((error: unknown) => {
      if (error instanceof PageDied) throw error;
      console.log(`  (setup preflight: ${(error as Error).message}; going on)`);
    });
    times.setupPreflightMs = Date.now() - t0;
    outcome.setupPreflight = (await page.getByTestId('setup-preflight').textContent().catch(() => ''))?.replace(/\s+/g, ' ').trim().slice(0, 400);

    // 4. Run both models to Done.
    sampler.phase = 'run-loading';
    console.log('Running both models…');
    const clicked = await page.evaluate(() => performance.now());
    t0 = Date.now();
    await page.getByRole('button', { name: 'Run both models' }).click();
    let marks: Marks | null = null;
    await until('the run', async () => {
      marks = await page.evaluate(() => (globalThis as unknown as { __load: Marks }).__load);
      if (marks.running !== null && s.phase === 'run-loading') s.phase = 'run-evaluating';
      if (marks.failed !== null) throw new Error(`the run failed: ${await page.getByTestId('error-message').textContent().catch(() => '?')}`);
      return marks.done !== null ? true : null;
    }, 60 * 60_000);
    const m = marks as unknown as Marks;
    times.clickToModelsLoadedMs = m.running === null ? null : m.running - clicked;
    times.evaluationMs = m.running === null || m.done === null ? null : m.done - m.running;
    times.clickToDoneMs = m.done === null ? null : m.done - clicked;
    sampler.phase = 'after-done';

    // 5. The outcome as shown.
    const count = async (id: string) => Number(await page.getByTestId(id).getAttribute('data-count', { timeout: 5_000 }).catch(() => NaN));
    outcome.runStatus = await page.getByTestId('run-status').textContent();
    outcome.samples = Number(/Done: (\d+) samples/.exec(String(outcome.runStatus))?.[1] ?? NaN);
    outcome.verdict = (await page.getByTestId('verdict').textContent({ timeout: 10_000 }).catch(() => null))?.replace(/\s+/g, ' ').trim();
    outcome.verdictOutcome = await page.getByTestId('verdict').getAttribute('data-outcome').catch(() => null);
    outcome.top1Float = await count('top1-float');
    outcome.top1Quantized = await count('top1-quantized');
    outcome.top1Agreement = await count('agreement-top1-agreement');
    outcome.inputsMeasure = await page.evaluate(() => {
      const e = performance.getEntriesByName('quantlens:inputs').at(-1) as PerformanceMeasure | undefined;
      return e ? { ms: e.duration, detail: e.detail as unknown } : null;
    });
    // What happens right after Done (the history save, the diagnosis panel's preflight) is measured too.
    await sleep(15_000);
    outcome.errors = browser.errors;
    // Then a full GC in the page and every worker: what stays is held, not garbage waiting for a GC.
    sampler.phase = 'after-gc';
    const before = sampler.snapshot();
    await Promise.all(cdp.live(['page', 'worker']).map((target) => cdp!.collectGarbage(target.sessionId).catch(() => undefined)));
    await sleep(3 * SAMPLE_MS + 1_000);
    afterGc = { before, after: sampler.snapshot() };
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    console.log(`FAILED: ${failure}`);
  } finally {
    sampler?.sample();
    sampler?.stop();
    environment.loadAverageAtEnd = loadavg();
    // Exact peaks of each renderer (VmHWM), read before the browser closes.
    if (sampler) for (const [pid, r] of sampler.processes) {
      const now = processMemory(pid, false);
      if (now) r.hwmKb = now.hwmKb;
    }
    cdp?.close();
    await browser?.close().catch(() => undefined);
    server?.stop();
  }

  const s = sampler;
  const processes = s ? [...s.processes.values()].sort((a, b) => b.peakRss - a.peakRss) : [];
  // The page's renderer: the renderer that grew largest (the others are Chromium's spare/WebUI ones, ~100 MB).
  const pageRenderer = processes.find((p) => p.type === 'renderer') ?? null;
  const result = {
    when: new Date().toISOString(),
    config: { samples: N, sampleMs: SAMPLE_MS, models: { float: { path: floatPath, bytes: sizes.float }, quantized: { path: quantizedPath, bytes: sizes.quantized } }, dataset: { root: dataset.root, count: dataset.count } },
    environment,
    generation: { modelsMs, datasetMs, datasetReused: dataset.reused },
    survived: crashed === null && failure === null,
    afterGc,
    peakTick: s ? s.ticks.reduce<Tick | null>((a, b) => (a && a.rendererRss >= b.rendererRss ? a : b), null) : null,
    crashed,
    failure,
    outcome,
    times,
    peaks: s?.peaks ?? {},
    phasePeaks: s?.phasePeaks ?? {},
    // VmHWM lags here (the kernel updates the high-water mark lazily; it read below sampled VmRSS values), so the
    // peak RSS is the larger of the two.
    pageRenderer: pageRenderer && { pid: pageRenderer.pid, peakRssSampled: pageRenderer.peakRss * 1024, vmHwm: pageRenderer.hwmKb * 1024, peakRss: Math.max(pageRenderer.peakRss, pageRenderer.hwmKb) * 1024, peakPssSampled: pageRenderer.peakPss * 1024 },
    processes: processes.map((p) => ({ pid: p.pid, type: p.type, peakRssSampled: p.peakRss * 1024, vmHwm: p.hwmKb * 1024, peakRss: Math.max(p.peakRss, p.hwmKb) * 1024, peakPssSampled: p.peakPss * 1024 })),
    workers: s ? Object.fromEntries(s.workerPeaks) : {},
    heapSampleErrors: s?.heapErrors ?? 0,
    ticks: s?.ticks ?? [],
  };
  writeFileSync(join(OUT, 'load.json'), JSON.stringify(result, null, 1));
  printTable(result);
  if (!result.survived) process.exitCode = 1;
}

function printTable(r: {
  config: { samples: number; models: { float: { bytes: number }; quantized: { bytes: number } } };
  survived: boolean; crashed: { phase: Phase } | null; failure: string | null;
  outcome: Record<string, unknown>; times: Record<string, number | null>;
  peaks: Record<string, Peak>; phasePeaks: Partial<Record<Phase, Record<string, number>>>;
  pageRenderer: { peakRss: number; vmHwm: number; peakRssSampled: number } | null;
  peakTick: Tick | null;
  workers: Record<string, { peak: number; peakPhase: Phase; peakBacking: number }>;
  processes: { type: string; pid: number; peakRss: number; peakPssSampled: number }[];
  afterGc: { before: Snapshot; after: Snapshot } | null;
}): void {
  const rows: [string, string][] = [
    ['samples asked / shown done', `${r.config.samples} / ${String(r.outcome.samples ?? '–')}`],
    ['models', `float ${mb(r.config.models.float.bytes)}, quantized ${mb(r.config.models.quantized.bytes)}`],
    ['page survived', r.survived ? 'yes' : `NO (${r.crashed ? `crashed during ${r.crashed.phase}` : r.failure})`],
    ['verdict', String(r.outcome.verdict ?? '–')],
    ['top-1 float / quantized / agreement', `${String(r.outcome.top1Float)} / ${String(r.outcome.top1Quantized)} / ${String(r.outcome.top1Agreement)}`],
    ['import (folder picked → notice)', sec(r.times.importMs)],
    ['float model picked → checked', sec(r.times.pickFloatMs)],
    ['quantized model picked → checked', sec(r.times.pickQuantizedMs)],
    ['setup preflight settled', sec(r.times.setupPreflightMs)],
    ['run: click → models loaded', sec(r.times.clickToModelsLoadedMs)],
    ['run: evaluation (loaded → Done)', sec(r.times.evaluationMs)],
    ['run: click → Done', sec(r.times.clickToDoneMs)],
    ['peak page JS heap', mb(r.peaks.pageHeap?.value)],
    ['peak sum of worker JS heaps', mb(r.peaks.workerHeapSum?.value)],
    ['peak page + workers JS heaps', mb(r.peaks.allHeaps?.value)],
    ['peak array-buffer backing: page / workers (sum)', `${mb(r.peaks.pageBacking?.value)} / ${mb(r.peaks.workerBackingSum?.value)}`],
    ['peak renderer RSS (page + all its workers)', `${mb(r.pageRenderer?.peakRss)} (sampled ${mb(r.pageRenderer?.peakRssSampled)}, VmHWM ${mb(r.pageRenderer?.vmHwm)})`],
    ['peak renderer PSS (sampled)', mb(r.peaks.rendererPss?.value)],
    ['peak all Chromium RSS / PSS (sampled)', `${mb(r.peaks.chromiumRss?.value)} / ${mb(r.peaks.chromiumPss?.value)}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('\n| what | value |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`);
  console.log('\n| phase | page heap | workers heap (sum) | renderer RSS | renderer PSS |\n|---|---|---|---|---|');
  for (const [phase, p] of Object.entries(r.phasePeaks)) console.log(`| ${phase} | ${mb(p.pageHeap)} | ${mb(p.workerHeapSum)} | ${mb(p.rendererRss)} | ${mb(p.rendererPss)} |`);
  console.log('\n| worker | peak JS heap | during | peak backing stores |\n|---|---|---|---|');
  for (const [label, w] of Object.entries(r.workers)) console.log(`| ${label} | ${mb(w.peak)} | ${w.peakPhase} | ${mb(w.peakBacking)} |`);
  if (r.afterGc) {
    const { before, after } = r.afterGc;
    console.log('\n| 15 s after Done | before a forced GC | after |\n|---|---|---|');
    console.log(`| renderer RSS / PSS | ${mb(before.tick?.rendererRss)} / ${mb(before.tick?.rendererPss)} | ${mb(after.tick?.rendererRss)} / ${mb(after.tick?.rendererPss)} |`);
    console.log(`| page JS heap / backing stores | ${mb(before.tick?.pageHeap)} / ${mb(before.tick?.pageBacking)} | ${mb(after.tick?.pageHeap)} / ${mb(after.tick?.pageBacking)} |`);
    for (const label of Object.keys(before.workers)) {
      const b = before.workers[label];
      const a = after.workers[label];
      console.log(`| ${label} JS heap / backing stores | ${mb(b.heap)} / ${mb(b.backing)} | ${mb(a?.heap)} / ${mb(a?.backing)} |`);
    }
    // What no JS measure sees: WebAssembly memories (ORT's heaps; they never shrink) and Blink/V8 native memory.
    const t = after.tick;
    if (t) {
      const js = (t.pageHeap ?? 0) + (t.pageBacking ?? 0) + Object.values(after.workers).reduce((n, w) => n + w.heap + w.backing, 0);
      console.log(`| renderer RSS not in any JS heap or backing store (wasm memories + native) | | ${mb(t.rendererRss - js)} |`);
    }
  }
  const peak = r.peakTick;
  if (peak) {
    console.log(`\nAt the renderer's RSS peak (${(peak.t / 1000).toFixed(1)} s, ${peak.phase}): RSS ${mb(peak.rendererRss)}; page JS heap ${mb(peak.pageHeap)}, backing stores ${mb(peak.pageBacking)}`);
    console.log('| worker | JS heap | backing stores |\n|---|---|---|');
    for (const [label, w] of Object.entries(peak.workers)) console.log(`| ${label} | ${mb(w.heap)} | ${mb(w.backing)} |`);
  }
  console.log('\n| Chromium process | pid | peak RSS | peak PSS (sampled) |\n|---|---|---|---|');
  for (const p of r.processes) console.log(`| ${p.type} | ${p.pid} | ${mb(p.peakRss)} | ${mb(p.peakPssSampled)} |`);
}

await main();
