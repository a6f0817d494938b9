/**
 * The generated convnet pair evaluated IN THE APP on the generated shapes datasets (make-shapes.ts),
 * driven through the real UI as test/e2e/byo.e2e.ts and datasets*.e2e.ts do: the zip through the
 * Import control, both .onnx files through the model pickers, the preprocessing the app suggests
 * for a [batch,3,64,64] input (64x64 RGB 0..1, ImageNet mean/std, NCHW float32), "Run both models".
 * One Chromium profile for everything (its IndexedDB keeps the imported sets), relaunched between
 * phases so each memory measurement starts from a fresh renderer:
 * 1. import each dataset in its own launch (time, memory);
 * 2. timing: warm-up on the small set (decoded, then cached), then per repetition: reload, delete the
 *    large set's cached tensors, first evaluation (decoded), second (tensor cache). Nothing is asked
 *    of the browser while it runs; Node reads each thread's CPU time from /proc (ThreadMeter). The
 *    pair limit is measured again right before and right after each repetition on the limit page
 *    (kept open, idle meanwhile): on a shared machine the load moves within minutes, so each
 *    repetition gets a ratio to its own limit;
 * 3. memory: one launch per (set, decoded | cache) evaluation, sampled by MemorySampler.
 */
import type { Page } from 'playwright-core';
import { openObserved, runOnce, deleteCachedTensors, type EvalRun, type LimitPage } from './browser.ts';
import { MemorySampler, ThreadMeter, type MemoryReport, type ThreadReport } from './memory.ts';
import type { ShapesDataset } from './make-shapes.ts';
import type { Browser } from '../../test/e2e/harness.ts';

export interface ConvnetAppConfig {
  appUrl: string;
  /** The Chromium profile folder to use (created by the caller; kept until the caller removes it). */
  profile: string;
  small: ShapesDataset;
  large: ShapesDataset;
  floatModel: string;
  quantizedModel: string;
  reps: number;
  /** Runs on the small set before timing (1: decoded; 2: decoded, then cached). */
  warmupRuns: number;
  /** Which evaluations are sampled for memory, on each set (one launch each). */
  memoryModes: ('decoded' | 'cache')[];
  sampleMs: number;
  /** The pair limit page (convnet pair), open: measured around each timed repetition. */
  limit: LimitPage;
  /** Pair runs per limit measurement around each repetition. */
  limitRuns: number;
  log: (line: string) => void;
}

export interface ConvnetRun extends EvalRun {
  /** Median per-inference latency the results page shows (ms), float and quantized. */
  medianMs: { float: number | null; quantized: number | null };
  /** CPU time of the renderer's threads from click to Done. */
  threads: ThreadReport;
}

/** The pair limit (samples/s) measured right before the first evaluation and right after the cached one. */
export interface LocalLimit {
  before: number;
  after: number;
  /** CPU seconds on a core per sample, all the limit page's renderer threads (both measurements). */
  cpuMsPerSample: number;
}

export interface MemoryRun {
  dataset: string;
  samples: number;
  mode: 'decoded' | 'cache';
  run: ConvnetRun;
  memory: MemoryReport;
}

export interface ImportRun {
  dataset: string;
  samples: number;
  zipBytes: number;
  ms: number;
  memory: MemoryReport;
}

export interface ConvnetAppResults {
  imports: ImportRun[];
  warmup: ConvnetRun[];
  first: ConvnetRun[];
  cached: ConvnetRun[];
  /** Per repetition, around first + cached. */
  localLimit: LocalLimit[];
  memory: MemoryRun[];
  /** What the app recorded for the large set (Run details): to compare with the Node path. */
  facts: { datasetFingerprint: string | null; preprocessFingerprint: string | null; floatChecksum: string | null; quantizedChecksum: string | null };
  errors: string[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function launch(cfg: ConvnetAppConfig): Promise<Browser> {
  const browser = await openObserved(cfg.profile);
  await browser.page.goto(cfg.appUrl, { waitUntil: 'networkidle' });
  // The service worker precaches ~44 MB on the first visit: let that finish before anything is measured.
  await browser.page.evaluate(() => Promise.race([navigator.serviceWorker?.ready, new Promise((resolve) => setTimeout(resolve, 30_000))]));
  return browser;
}

async function importDataset(browser: Browser, cfg: ConvnetAppConfig, dataset: ShapesDataset): Promise<ImportRun> {
  const { page, context, profile } = browser;
  const sampler = await MemorySampler.start(context, page, profile, cfg.sampleMs);
  const started = performance.now();
  await page.getByTestId('import-input').setInputFiles(dataset.zip);
  const expected = `Imported '${dataset.name}': ${dataset.count} images in 10 classes.`;
  await page.waitForFunction((text) => document.querySelector('[data-testid="notice"]')?.textContent === text, expected, { timeout: 900_000, polling: 100 });
  const ms = performance.now() - started;
  return { dataset: dataset.name, samples: dataset.count, zipBytes: dataset.bytes, ms, memory: await sampler.stop() };
}

/** Both models picked, the dataset chosen, "Run both models" enabled. */
async function setUp(page: Page, cfg: ConvnetAppConfig, dataset: ShapesDataset): Promise<void> {
  await page.locator('#float-model').setInputFiles(cfg.floatModel);
  await page.locator('#quantized-model').setInputFiles(cfg.quantizedModel);
  await page.locator('label[for="float-model"] .ok').waitFor({ timeout: 60_000 });
  await page.locator('label[for="quantized-model"] .ok').waitFor({ timeout: 60_000 });
  await page.locator(`[data-testid="dataset-row"][data-name="${dataset.name}"]`).getByRole('radio').check();
  const run = page.getByRole('button', { name: 'Run both models', exact: true });
  await page.waitForFunction(() => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Run both models');
    return button !== undefined && !button.disabled;
  }, null, { timeout: 60_000 });
  await run.waitFor();
}

async function evaluate(page: Page, profile: string): Promise<ConvnetRun> {
  const meter = new ThreadMeter(profile).start();
  const run = await runOnce(page, 'Run both models');
  const threads = meter.stop();
  const median = async (role: string) => {
    const text = (await page.getByTestId(`${role}-median`).textContent().catch(() => null)) ?? '';
    const m = /([\d.]+)\s*(ms|µs)/.exec(text);
    return m ? Number(m[1]) / (m[2] === 'µs' ? 1000 : 1) : null;
  };
  return { ...run, medianMs: { float: await median('float'), quantized: await median('quantized') }, threads };
}

const cpu = (t: { runS: number; waitS: number }) => `${t.runS.toFixed(1)}+${t.waitS.toFixed(1)}`;
const describe = (run: ConvnetRun) =>
  `${run.source}: click→Done ${seconds(run.clickToDoneMs)}, loop ${run.loopMs === null ? '?' : seconds(run.loopMs)}, waited for inputs ${run.inputsWaitMs === null ? '?' : seconds(run.inputsWaitMs)}; ` +
  `CPU s run+queued: main ${run.threads.main ? cpu(run.threads.main) : '?'}, workers ${run.threads.workers.slice(0, 4).map(cpu).join(', ')}, other processes ${run.threads.otherProcessesS.toFixed(1)}; load ${run.threads.load.map((l) => l.toFixed(1)).join('→')}`;

export async function convnetAppEvaluations(cfg: ConvnetAppConfig): Promise<ConvnetAppResults> {
  const errors: string[] = [];
  const imports: ImportRun[] = [];
  for (const dataset of [cfg.small, cfg.large]) {
    const browser = await launch(cfg);
    try {
      imports.push(await importDataset(browser, cfg, dataset));
      cfg.log(`  imported ${dataset.name} in ${seconds(imports[imports.length - 1].ms)}`);
    } finally {
      errors.push(...browser.errors);
      await browser.close();
    }
  }

  const warmup: ConvnetRun[] = [];
  const first: ConvnetRun[] = [];
  const cached: ConvnetRun[] = [];
  const localLimit: LocalLimit[] = [];
  let facts: ConvnetAppResults['facts'];
  {
    const browser = await launch(cfg);
    const { page, profile } = browser;
    try {
      await setUp(page, cfg, cfg.small);
      for (let i = 0; i < cfg.warmupRuns; i++) warmup.push(await evaluate(page, profile));
      cfg.log(`  warm-up on ${cfg.small.name}: ${warmup.map(describe).join('; ')}`);
      for (let r = 0; r < cfg.reps; r++) {
        // The storage panel lists tensor sets as of the page's load: reload, then delete the large set's.
        await page.goto(cfg.appUrl, { waitUntil: 'networkidle' });
        if (r > 0) await deleteCachedTensors(page, cfg.large.name);
        await setUp(page, cfg, cfg.large);
        const meterBefore = new ThreadMeter(cfg.limit.profile).start();
        const before = await cfg.limit.rate([0, 1], cfg.limitRuns);
        const cpuBefore = meterBefore.stop().totalRunS;
        first.push(await evaluate(page, profile));
        cached.push(await evaluate(page, profile));
        const meterAfter = new ThreadMeter(cfg.limit.profile).start();
        const after = await cfg.limit.rate([0, 1], cfg.limitRuns);
        const cpuAfter = meterAfter.stop().totalRunS;
        localLimit.push({ before, after, cpuMsPerSample: ((cpuBefore + cpuAfter) / (2 * cfg.limitRuns)) * 1000 });
        cfg.log(`  ${cfg.large.name} rep ${r + 1}: pair limit ${localLimit[r].before.toFixed(0)}/s before, ${localLimit[r].after.toFixed(0)}/s after, ${localLimit[r].cpuMsPerSample.toFixed(2)} CPU ms per sample`);
        cfg.log(`    first  ${describe(first[r])}`);
        cfg.log(`    cached ${describe(cached[r])}`);
      }
      await page.getByText('Run details').click();
      const text = (id: string) => page.getByTestId(id).textContent({ timeout: 5_000 }).catch(() => null);
      facts = { datasetFingerprint: await text('dataset-fingerprint'), preprocessFingerprint: await text('preprocess-fingerprint'), floatChecksum: await text('float-checksum'), quantizedChecksum: await text('quantized-checksum') };
    } finally {
      errors.push(...browser.errors);
      await browser.close();
    }
  }

  const memory: MemoryRun[] = [];
  for (const dataset of [cfg.small, cfg.large]) {
    for (const mode of cfg.memoryModes) {
      const browser = await launch(cfg);
      const { page, context, profile } = browser;
      try {
        // Every set has its cached tensors by now (warm-up, timing): a decoded run deletes them first.
        if (mode === 'decoded' && !(await deleteCachedTensors(page, dataset.name))) cfg.log(`  (no cached tensors of ${dataset.name} to delete)`);
        await setUp(page, cfg, dataset);
        await page.waitForTimeout(1_000); // the setup panel's preflight settles
        const sampler = await MemorySampler.start(context, page, profile, cfg.sampleMs);
        const run = await evaluate(page, profile);
        memory.push({ dataset: dataset.name, samples: dataset.count, mode, run, memory: await sampler.stop() });
        cfg.log(`  memory, ${dataset.name} ${describe(run)}: renderer PSS peak ${(memory[memory.length - 1].memory.renderer.pss.peak / 2 ** 20).toFixed(0)} MB`);
      } finally {
        errors.push(...browser.errors);
        await browser.close();
      }
    }
  }
  return { imports, warmup, first, cached, localLimit, memory, facts, errors };
}
