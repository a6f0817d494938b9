import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultFacts } from '../../src/core/eval/facts.ts';
import { DEMO_FACTS_PATH, PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;
const count = async (browser: Browser, testId: string) => Number(await browser.page.getByTestId(testId).getAttribute('data-count'));

describe('Run the demo, in real Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  it('shows the numbers Node computed, exactly, with both models run in workers', async () => {
    const { page } = browser;
    await page.goto(server.url);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await page.getByTestId('results').waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId('run-status').textContent()).toMatch(/^Done: 2000 samples/);

    // The rendered counts equal the Node evaluation's (test/golden/demo-eval.json), and so do the
    // per-sample prediction checksums: the browser reproduced Node's predictions one by one.
    expect(await count(browser, 'top1-float')).toBe(golden.float.top1Correct);
    expect(await count(browser, 'top1-quantized')).toBe(golden.quantized.top1Correct);
    expect(await count(browser, 'topk-float')).toBe(golden.float.topKCorrect);
    expect(await count(browser, 'topk-quantized')).toBe(golden.quantized.topKCorrect);
    expect(await count(browser, 'agreement-top1-agreement')).toBe(golden.agreement.top1Agree);
    expect(await count(browser, 'flips-to-wrong')).toBe(golden.agreement.correctToWrong);
    expect(await count(browser, 'flips-to-correct')).toBe(golden.agreement.wrongToCorrect);
    expect(await page.getByTestId('float-checksum').textContent()).toBe(golden.float.predictionsChecksum);
    expect(await page.getByTestId('quantized-checksum').textContent()).toBe(golden.quantized.predictionsChecksum);

    // Providers: the float reference on wasm; the quantized model on the best this browser has
    // (plain headless Chromium here: no WebNN, no WebGPU adapter, so wasm too, with the reason).
    expect(await page.getByTestId('float-provider').getAttribute('data-provider')).toBe('wasm');
    expect(await page.getByTestId('quantized-provider').getAttribute('data-provider')).toBe('wasm');
    expect(await page.getByTestId('quantized-provider').textContent()).toMatch(/no accelerator found/);
    expect(await page.getByTestId('verdict').getAttribute('data-outcome')).toBe('within');

    // Inference ran in the model workers: they fetched ORT's wasm; the page itself never did.
    const workerNames = page.workers().map((w) => w.url());
    expect(workerNames.some((u) => /model\.worker/.test(u))).toBe(true);
    const wasmFetchedBy = async (target: { evaluate: typeof page.evaluate }) =>
      target.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm')));
    expect(await wasmFetchedBy(page)).toBe(false);
    const modelWorkers = page.workers().filter((w) => /model\.worker/.test(w.url()));
    expect(modelWorkers).toHaveLength(2);
    for (const worker of modelWorkers) expect(await wasmFetchedBy(worker)).toBe(true);
    expect(await page.evaluate(() => 'ort' in globalThis)).toBe(false);

    // The flipped samples are shown with their input images, read back from IndexedDB.
    const tiles = page.getByTestId('flips').getByRole('listitem');
    expect(await tiles.count()).toBe(golden.agreement.correctToWrong + golden.agreement.wrongToCorrect + golden.agreement.wrongToOtherWrong);
    await expect.poll(() => tiles.first().locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(28);

    await page.screenshot({ path: `${PROJECT_ROOT}test-results/demo-result.png`, fullPage: true });
    expect(browser.errors).toEqual([]);
  });

  it('runs the same pair again in the workers it already has (sessions kept), with the same numbers', async () => {
    const { page } = browser;
    const created: string[] = [];
    const onWorker = (worker: { url(): string }) => created.push(worker.url());
    page.on('worker', onWorker);
    // Counts the status turning to "Done" (the status already says Done from the first run).
    await page.evaluate(() => {
      const state = { done: 0, was: true };
      (globalThis as unknown as { __done: typeof state }).__done = state;
      new MutationObserver(() => {
        const done = /^Done/.test(document.querySelector('[data-testid="run-status"]')?.textContent ?? '');
        if (done && !state.was) state.done++;
        state.was = done;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await page.waitForFunction(() => (globalThis as unknown as { __done: { done: number } }).__done.done === 1, null, { timeout: 60_000 });
    page.off('worker', onWorker);
    expect(created.filter((url) => /model\.worker/.test(url))).toEqual([]); // (the preflight's data worker comes and goes)
    expect(await page.getByTestId('float-checksum').textContent()).toBe(golden.float.predictionsChecksum);
    expect(await page.getByTestId('quantized-checksum').textContent()).toBe(golden.quantized.predictionsChecksum);
    expect(await count(browser, 'top1-quantized')).toBe(golden.quantized.top1Correct);
  });

  it('states the uncertainty and follows the verdict settings', async () => {
    const { page } = browser;
    // No sample flipped correct -> wrong in the demo, so no bootstrap resample can show a loss.
    expect(golden.agreement.correctToWrong).toBe(0);
    expect(await page.getByTestId('uncertainty').textContent()).toMatch(/95% interval \[±0\.00 pt, \+0\.\d\d pt\].*McNemar's exact test p = 0\.5/s);
    await page.getByTestId('verdict-mode').selectOption('significance');
    await expect.poll(() => page.getByTestId('verdict').textContent()).toMatch(/statistically significant/);
    await page.getByTestId('verdict-mode').selectOption('points');
    await page.getByTestId('threshold').fill('0.5');
    await expect.poll(() => page.getByTestId('verdict').textContent()).toMatch(/0\.5-point budget/);
    expect(await page.getByTestId('verdict').getAttribute('data-outcome')).toBe('within');
  });

  it('stops early once the verdict is settled, on the stored demo set in a random order', async () => {
    const { page } = browser;
    await page.locator('#float-model').setInputFiles(`${PROJECT_ROOT}public/demo/mnist-cnn.float.onnx`);
    await page.locator('#quantized-model').setInputFiles(`${PROJECT_ROOT}public/demo/mnist-cnn.int8.qdq.onnx`);
    await page.getByTestId('dataset-row').first().getByRole('radio').check();
    await page.getByTestId('early-verdict-choice').check();
    const created: string[] = [];
    page.on('worker', (worker) => created.push(worker.url()));
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Done early: the verdict was settled after \d+ samples/);
    const used = Number((await page.getByTestId('early-verdict').textContent())!.match(/after (\d+) samples/)![1]);
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(golden.sampleCount);
    expect(await page.getByTestId('verdict').getAttribute('data-outcome')).toBe('within');
    // Other files (the same bytes, picked by hand): fresh workers, not the demo's sessions.
    expect(created.filter((url) => /model\.worker/.test(url))).toHaveLength(2);
  });
});
