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

export async function browserLimit(benchUrl: string, models: { url: string; dims: number[] }[], runs: number, reps: number, warmup: number): Promise<BrowserLimit> {
  const browser = await openBrowser();
  try {
    const { page } = browser;
    await page.goto(`${benchUrl}bench/index.html`);
    await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true);
    await page.evaluate((m) => bench.open(m), models);
    await page.evaluate((n) => bench.run([0, 1], n), warmup);
    const rate = async (which: number[]) => {
      const { wallMs } = await page.evaluate(([w, n]) => bench.run(w as number[], n as number), [which, runs] as const);
      return (runs / wallMs) * 1000;
    };
    const f: number[] = [];
    const q: number[] = [];
    const p: number[] = [];
    for (let r = 0; r < reps; r++) {
      f.push(await rate([0]));
      q.push(await rate([1]));
      p.push(await rate([0, 1]));
    }
    const errors = browser.errors.filter((e) => !/Failed to load resource/.test(e)); // favicon
    if (errors.length) throw new Error(`bench page errors: ${errors.join('; ')}`);
    return { floatPerS: spread(f), quantizedPerS: spread(q), pairPerS: spread(p) };
  } finally {
    await browser.close();
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

async function open(): Promise<Browser> {
  const browser = await openBrowser();
  await browser.context.addInitScript(OBSERVER);
  return browser;
}

const marks = (page: Page) => page.evaluate(() => (globalThis as unknown as { __bench: Marks }).__bench);

export interface EvalRun {
  /** Click → "Done" status, ms (worker start, session creation, inputs, both models, metrics, UI). */
  clickToDoneMs: number;
  /** Models loaded → "Done": the evaluation loop (inputs, both models, metrics, UI), ms. */
  loopMs: number | null;
  /** The pipeline's own `quantlens:inputs` measure: from the first chunk asked for to the last delivered. */
  inputsMeasureMs: number | null;
  source: string | null;
  status: string;
}

/** One click on "Run the demo" until its Done status. */
async function runDemoOnce(page: Page): Promise<EvalRun> {
  const before = (await marks(page)).done.length;
  const runningBefore = (await marks(page)).running.length;
  await page.evaluate(() => performance.clearMeasures('quantlens:inputs'));
  const clicked = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Run the demo' }).click();
  await page.waitForFunction((n) => (globalThis as unknown as { __bench: Marks }).__bench.done.length > n, before, { timeout: 180_000, polling: 50 });
  const m = await marks(page);
  const measure = await page.evaluate(() => {
    const e = performance.getEntriesByName('quantlens:inputs').at(-1) as PerformanceMeasure | undefined;
    return e ? { ms: e.duration, source: (e.detail as { source?: string } | null)?.source ?? null } : null;
  });
  const loopStart = m.running.length > runningBefore ? m.running[m.running.length - 1] : null;
  return { clickToDoneMs: m.done[before].at - clicked, loopMs: loopStart === null ? null : m.done[before].at - loopStart, inputsMeasureMs: measure?.ms ?? null, source: measure?.source ?? null, status: m.done[before].text };
}

async function deleteCachedTensors(page: Page): Promise<boolean> {
  const storage = page.getByTestId('storage');
  if (!(await storage.evaluate((d: HTMLDetailsElement) => d.open).catch(() => false))) await storage.locator('summary').click().catch(() => undefined);
  const buttons = page.getByRole('button', { name: /^Delete cached tensors of/ });
  try {
    await buttons.first().waitFor({ timeout: 5_000 });
  } catch {
    return false;
  }
  while ((await buttons.count()) > 0) {
    await buttons.first().click();
    await page.waitForTimeout(200);
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
    const warmup = await runDemoOnce(page);
    const first: EvalRun[] = [];
    const cached: EvalRun[] = [];
    let deleted = true;
    for (let r = 0; r < reps; r++) {
      // The storage panel lists tensor sets as of the page's load: reload, then delete them.
      await page.goto(appUrl, { waitUntil: 'networkidle' });
      deleted = (await deleteCachedTensors(page)) && deleted;
      first.push(await runDemoOnce(page));
      cached.push(await runDemoOnce(page));
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
