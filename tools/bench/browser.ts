/**
 * The Chromium side: the session.run limit on the bench page (two workers, no pipeline), and the
 * app itself (vite preview of dist/) driven through test/e2e/harness.ts.
 */
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from '../../test/e2e/harness.ts';
import { spread, type Spread } from './stats.ts';

export interface BrowserLimit {
  floatPerS: Spread;
  quantizedPerS: Spread;
  /** Both models at once, each in its worker, on the same inputs count: runs / wall time of the slower. */
  pairPerS: Spread;
}

interface BenchApi {
  open(models: { url: string; dims: number[] }[]): Promise<unknown>;
  run(which: number[], runs: number): Promise<{ wallMs: number }>;
}
declare const bench: BenchApi;

export interface LimitPage {
  /** `runs` batch-1 inferences in each of the given workers at once: runs / wall time of the slowest. */
  rate(which: number[], runs: number): Promise<number>;
  /** Its Chromium profile (for ThreadMeter). */
  profile: string;
  close(): Promise<void>;
}

/** The limit page with its model workers open and warmed up; stays open for repeated measurements. */
export async function openLimitPage(benchUrl: string, models: { url: string; dims: number[] }[], warmup: number): Promise<LimitPage> {
  const browser = await openBrowser();
  try {
    const { page } = browser;
    await page.goto(`${benchUrl}bench/index.html`);
    await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true);
    await page.evaluate((m) => bench.open(m), models);
    await page.evaluate((n) => bench.run([0, 1], n), warmup);
  } catch (error) {
    await browser.close();
    throw error;
  }
  return {
    profile: browser.profile,
    async rate(which, runs) {
      const { wallMs } = await browser.page.evaluate(([w, n]) => bench.run(w as number[], n as number), [which, runs] as const);
      return (runs / wallMs) * 1000;
    },
    async close() {
      const errors = browser.errors.filter((e) => !/Failed to load resource/.test(e)); // favicon
      await browser.close();
      if (errors.length) throw new Error(`bench page errors: ${errors.join('; ')}`);
    },
  };
}

export async function browserLimit(benchUrl: string, models: { url: string; dims: number[] }[], runs: number, reps: number, warmup: number): Promise<BrowserLimit> {
  const limit = await openLimitPage(benchUrl, models, warmup);
  let closed = false;
  try {
    const f: number[] = [];
    const q: number[] = [];
    const p: number[] = [];
    for (let r = 0; r < reps; r++) {
      f.push(await limit.rate([0], runs));
      q.push(await limit.rate([1], runs));
      p.push(await limit.rate([0, 1], runs));
    }
    closed = true;
    await limit.close();
    return { floatPerS: spread(f), quantizedPerS: spread(q), pairPerS: spread(p) };
  } finally {
    if (!closed) await limit.close().catch(() => undefined);
  }
}

/** Timestamps (performance.now(), from navigation) the page records for us. */
const OBSERVER = `
  (() => {
    const marks = (globalThis.__bench = { done: [], running: [], verdict: null });
    const look = () => {
      const status = document.querySelector('[data-testid="run-status"]');
      const text = status ? status.textContent || '' : '';
      if (/^Done/.test(text) && marks.lastStatus !== text) marks.done.push({ at: performance.now(), text });
      if (/^Loading/.test(marks.lastStatus || '') && !/^Loading/.test(text)) marks.running.push(performance.now());
      marks.lastStatus = text;
      if (marks.verdict === null && document.querySelector('[data-testid="verdict"]')) marks.verdict = performance.now();
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
  })();
`;

interface Marks {
  /** When the status left "Loading both models…" (models loaded, evaluation loop starting). */
  running: number[];
  done: { at: number; text: string }[];
  verdict: number | null;
  lastStatus?: string;
}

/** A browser whose pages timestamp the run status (OBSERVER); `profile` keeps one profile across launches. */
export async function openObserved(profile?: string): Promise<Browser> {
  const browser = await openBrowser([], {}, profile === undefined ? {} : { profileDir: profile });
  await browser.context.addInitScript(OBSERVER);
  return browser;
}

const open = () => openObserved();

const marks = (page: Page) => page.evaluate(() => (globalThis as unknown as { __bench: Marks }).__bench);

export interface EvalRun {
  /** Click → "Done" status, ms (worker start, session creation, inputs, both models, metrics, UI). */
  clickToDoneMs: number;
  /** Models loaded → "Done": the evaluation loop (inputs, both models, metrics, UI), ms. */
  loopMs: number | null;
  /** The pipeline's own `quantlens:inputs` measure: from the first chunk asked for to the last delivered. */
  inputsMeasureMs: number | null;
  /** Its detail's waitMs: how long the evaluation loop waited for prepared chunks. */
  inputsWaitMs: number | null;
  source: string | null;
  status: string;
}

/** One click on "Run the demo" (or another run button) until its Done status. */
export async function runOnce(page: Page, button = 'Run the demo'): Promise<EvalRun> {
  const before = (await marks(page)).done.length;
  const runningBefore = (await marks(page)).running.length;
  await page.evaluate(() => performance.clearMeasures('quantlens:inputs'));
  const clicked = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForFunction((n) => (globalThis as unknown as { __bench: Marks }).__bench.done.length > n, before, { timeout: 600_000, polling: 50 });
  const m = await marks(page);
  const measure = await page.evaluate(() => {
    const e = performance.getEntriesByName('quantlens:inputs').at(-1) as PerformanceMeasure | undefined;
    const detail = e?.detail as { source?: string; waitMs?: number } | null | undefined;
    return e ? { ms: e.duration, source: detail?.source ?? null, waitMs: detail?.waitMs ?? null } : null;
  });
  const loopStart = m.running.length > runningBefore ? m.running[m.running.length - 1] : null;
  return { clickToDoneMs: m.done[before].at - clicked, loopMs: loopStart === null ? null : m.done[before].at - loopStart, inputsMeasureMs: measure?.ms ?? null, inputsWaitMs: measure?.waitMs ?? null, source: measure?.source ?? null, status: m.done[before].text };
}

/** Deletes the tensor sets the storage panel lists (all, or those of one dataset); false when none was listed. */
export async function deleteCachedTensors(page: Page, datasetName?: string): Promise<boolean> {
  const storage = page.getByTestId('storage');
  if (!(await storage.evaluate((d: HTMLDetailsElement) => d.open).catch(() => false))) await storage.locator('summary').click().catch(() => undefined);
  const buttons = page.getByRole('button', datasetName === undefined ? { name: /^Delete cached tensors of/ } : { name: `Delete cached tensors of ${datasetName}`, exact: true });
  try {
    await buttons.first().waitFor({ timeout: 5_000 });
  } catch {
    return false;
  }
  // One click per set, then wait for its row to go: deleting a large set (10,000 × 48 KB) takes seconds,
  // and a second click meanwhile lands on a row that the panel's refresh then removes.
  for (let count = await buttons.count(); count > 0; count = await buttons.count()) {
    await buttons.first().click();
    const deadline = Date.now() + 120_000;
    while ((await buttons.count()) >= count) {
      if (Date.now() > deadline) throw new Error(`the tensor set of ${datasetName ?? 'a dataset'} was not deleted within 120 s`);
      await page.waitForTimeout(200);
    }
  }
  return true;
}

export interface AppResults {
  first: EvalRun[];
  cached: EvalRun[];
  warmupSource: string | null;
  cacheDeletedBetweenRuns: boolean;
  bundle: { files: { path: string; bytes: number; gzip: number }[]; bytes: number; gzip: number };
  errors: string[];
}

/** Demo evaluations in one profile: a warm-up run, then (delete cache → first run → cached run) × reps. */
export async function appEvaluations(appUrl: string, distDir: string, reps: number): Promise<AppResults> {
  const browser = await open();
  try {
    const { page } = browser;
    await page.goto(appUrl, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Run the demo' }).waitFor();
    const bundle = await initialJavaScript(page, distDir);
    const warmup = await runOnce(page);
    const first: EvalRun[] = [];
    const cached: EvalRun[] = [];
    let deleted = true;
    for (let r = 0; r < reps; r++) {
      // The storage panel lists tensor sets as of the page's load: reload, then delete them.
      await page.goto(appUrl, { waitUntil: 'networkidle' });
      deleted = (await deleteCachedTensors(page)) && deleted;
      first.push(await runOnce(page));
      cached.push(await runOnce(page));
    }
    return { first, cached, warmupSource: warmup.source, cacheDeletedBetweenRuns: deleted, bundle, errors: browser.errors };
  } finally {
    await browser.close();
  }
}

/** JavaScript the page loaded (resource timing + the document's own scripts), gzipped from dist/. */
async function initialJavaScript(page: Page, distDir: string): Promise<AppResults['bundle']> {
  const urls = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((n) => /\.m?js(\?|$)/.test(n)),
  );
  const files = [...new Set(urls.map((u) => new URL(u).pathname))].map((path) => {
    const file = join(distDir, path);
    const body = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    return { path, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
  return { files, bytes: files.reduce((n, f) => n + f.bytes, 0), gzip: files.reduce((n, f) => n + f.gzip, 0) };
}

/** Navigation → demo verdict with `?demo`: cold in a fresh profile, then warm on a second visit. */
export async function timeToFirstResult(appUrl: string, reps: number): Promise<{ coldMs: Spread; warmMs: Spread }> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let r = 0; r < reps; r++) {
    const browser = await open();
    try {
      const { page } = browser;
      const visit = async () => {
        await page.goto(`${appUrl}?demo`);
        await page.waitForFunction(() => (globalThis as unknown as { __bench: Marks }).__bench.verdict !== null, null, { timeout: 180_000, polling: 50 });
        return (await marks(page)).verdict!;
      };
      cold.push(await visit());
      await page.waitForTimeout(1_000); // let the service worker finish precaching
      warm.push(await visit());
    } finally {
      await browser.close();
    }
  }
  return { coldMs: spread(cold), warmMs: spread(warm) };
}
