import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultFacts } from '../../src/core/eval/facts.ts';
import { DEMO_FACTS_PATH } from '../helpers/demo.ts';
import { rawStoreCounts } from './datasets-helpers.ts';
import { openBrowser, slowDown, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { axeViolations } from './axe.ts';

// A run interrupted by a reload or a closed tab resumes from its last checkpoint in IndexedDB, skips
// the samples done, and ends with the demo's exact facts (test/golden/demo-eval.json). The demo runs
// in ~1 s, too fast to interrupt: the test slows this page down by keeping its main thread busy
// (the evaluation loop runs there), and the reload ends that.

const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;
const count = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-count'));



/** Starts the demo slowed down and returns once it has evaluated at least `samples`. */
async function startDemoAndWait(page: Page, samples: number) {
  await page.getByRole('button', { name: 'Run the demo' }).click();
  await slowDown(page); // from the start: a demo run takes about a second
  await page.getByTestId('run-status').filter({ hasText: /Evaluated/ }).waitFor({ timeout: 60_000 });
  await expect.poll(async () => Number((await page.getByTestId('run-status').textContent())?.match(/Evaluated (\d+)/)?.[1] ?? 0), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(samples);
}

describe('Resuming an interrupted run, in real Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser([], { bypassCSP: true }); // axe-core is injected as a script tag
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  it('upgrades a version-3 database to 4 (its rows kept, the two run stores added)', async () => {
    const { page } = browser;
    await page.goto(`${server.url}demo/demo.json`);
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('quantlens', 3);
        request.onupgradeneeded = () => {
          const d = request.result;
          d.createObjectStore('datasets', { keyPath: 'id' });
          d.createObjectStore('samples', { keyPath: ['datasetId', 'index'] }).createIndex('byDataset', 'datasetId');
          d.createObjectStore('runs', { keyPath: 'id' });
          d.createObjectStore('runDocuments', { keyPath: 'id' });
          d.createObjectStore('catalogs', { keyPath: 'datasetId' });
          d.createObjectStore('tensorSets', { keyPath: 'id' }).createIndex('byDataset', 'datasetId');
          d.createObjectStore('tensorChunks', { keyPath: ['setId', 'chunk'] });
          d.createObjectStore('downloads', { keyPath: 'url' });
          d.createObjectStore('downloadParts', { keyPath: ['url', 'offset'] });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction(['runs', 'downloads'], 'readwrite');
      tx.objectStore('runs').put({ id: 'run-v3', createdAt: '2024-01-01T00:00:00.000Z', status: 'complete', floatModel: 'f.onnx', quantizedModel: 'q.onnx', dataset: 'digits', sampleCount: 3, primary: { name: 'Top-1 accuracy', unit: 'proportion', float: 1, quantized: 1, absolutePoints: 0 }, providers: { float: 'WebAssembly', quantized: 'WebAssembly' } });
      tx.objectStore('downloads').put({ url: 'https://example.org/x.zip', name: 'x.zip', size: null, validator: null, received: 0, complete: false, mime: '', createdAt: 1 });
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    });
    browser.errors.splice(0); // the JSON page's /favicon.ico 404, not the app's
    await page.goto(server.url);
    await page.getByTestId('history').getByText('f.onnx').first().waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => indexedDB.databases().then((list) => list.find((d) => d.name === 'quantlens')?.version))).toBe(4);
    expect(await rawStoreCounts(page)).toMatchObject({ runs: 1, downloads: 1, interruptedRuns: 0, runCheckpoints: 0 });
    expect(await page.getByTestId('resume-banner').count()).toBe(0);
  });

  it('resumes the demo after a reload, skips what was done, and reproduces the golden facts', async () => {
    const { page } = browser;
    await startDemoAndWait(page, 1100);
    await page.reload();

    const banner = page.getByTestId('resume-banner');
    await banner.waitFor({ timeout: 30_000 });
    const done = Number(await banner.getAttribute('data-done'));
    expect(done).toBeGreaterThanOrEqual(512);
    expect(done).toBeLessThan(2000);
    expect(done % 64).toBe(0); // checkpoints fall on chunk boundaries
    const button = page.getByRole('button', { name: `Resume the interrupted run (${done.toLocaleString('en-US')} of 2,000 done)` });
    expect(await button.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('mnist-cnn.int8.qdq.onnx');
    expect((await axeViolations(page, ['[data-testid="resume-banner"]'])).all).toEqual([]);

    // Every status the resumed run shows, recorded as it happens: the first count is past the checkpoint.
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { statuses: seen });
      new MutationObserver(() => seen.push(document.querySelector('[data-testid="run-status"]')?.textContent ?? '')).observe(document.body, { subtree: true, characterData: true, childList: true });
    });
    await button.click();
    await page.getByTestId('results').waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Done: 2000 samples/);
    const counts = (await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses)).flatMap((s) => s.match(/^Evaluated (\d+)/)?.[1] ?? []).map(Number);
    expect(counts.length).toBeGreaterThan(0);
    expect(Math.min(...counts)).toBeGreaterThan(done);

    expect(await count(page, 'top1-float')).toBe(golden.float.top1Correct);
    expect(await count(page, 'top1-quantized')).toBe(golden.quantized.top1Correct);
    expect(await count(page, 'topk-float')).toBe(golden.float.topKCorrect);
    expect(await count(page, 'topk-quantized')).toBe(golden.quantized.topKCorrect);
    expect(await count(page, 'agreement-top1-agreement')).toBe(golden.agreement.top1Agree);
    expect(await count(page, 'flips-to-wrong')).toBe(golden.agreement.correctToWrong);
    expect(await count(page, 'flips-to-correct')).toBe(golden.agreement.wrongToCorrect);
    expect(await page.getByTestId('float-checksum').textContent()).toBe(golden.float.predictionsChecksum);
    expect(await page.getByTestId('quantized-checksum').textContent()).toBe(golden.quantized.predictionsChecksum);
    // The result page's new parts (per-class chart, speed-up row) on a phone and a projector.
    for (const size of [{ width: 390, height: 844 }, { width: 1920, height: 1080 }]) {
      await page.setViewportSize(size);
      await page.getByTestId('per-class-chart').locator('svg').waitFor();
      expect((await axeViolations(page, ['[data-testid="per-class-chart"]', '[data-testid="providers"]'])).all).toEqual([]);
    }
    expect(await page.getByTestId('speedup-median').textContent()).toMatch(/^\d+\.\d\d× (faster|\(slower\)|\(same\))$/);

    // Finished: nothing left to resume, and the banner stays away after another reload.
    await expect.poll(async () => (await rawStoreCounts(page)).interruptedRuns).toBe(0);
    expect((await rawStoreCounts(page)).runCheckpoints).toBe(0);
    await page.reload();
    await page.getByRole('button', { name: 'Run the demo' }).waitFor();
    expect(await page.getByTestId('resume-banner').count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('offers a run whose tab was closed in a new tab, and Discard forgets it', async () => {
    const { context } = browser;
    const first = await context.newPage();
    await first.goto(server.url);
    await startDemoAndWait(first, 600);
    await first.close();

    const second = await context.newPage();
    await second.goto(server.url);
    const banner = second.getByTestId('resume-banner');
    await banner.waitFor({ timeout: 30_000 });
    expect(Number(await banner.getAttribute('data-done'))).toBeGreaterThanOrEqual(512);
    expect((await rawStoreCounts(second)).interruptedRuns).toBe(1);
    await second.getByRole('button', { name: 'Discard' }).click();
    await banner.waitFor({ state: 'detached' });
    expect(await rawStoreCounts(second)).toMatchObject({ interruptedRuns: 0, runCheckpoints: 0 });
    await second.reload();
    await second.getByRole('button', { name: 'Run the demo' }).waitFor();
    expect(await second.getByTestId('resume-banner').count()).toBe(0);
    await second.close();
  });
});
