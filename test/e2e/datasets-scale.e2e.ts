import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { demo, generatedFolder } from './datasets-helpers.ts';

// Scale: a generated folder of N 28×28 PNGs imports and evaluates in streaming batches. CI runs
// N = 2,000; `QUANTLENS_SCALE=50000 npx vitest run -c vitest.e2e.config.ts test/e2e/datasets-scale.e2e.ts`
// reproduces the 50,000 measurement in NOTES.md. The page's peak JS heap is sampled through CDP.
const N = Number(process.env.QUANTLENS_SCALE ?? 2000);

describe(`A ${N}-image dataset in real Chromium`, () => {
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

  it('imports and evaluates streaming, with the page heap bounded', async () => {
    const { page, context } = browser;
    const folder = generatedFolder(`scale-${N}`, 10, N / 10, 28);
    await page.goto(server.url);
    const cdp = await context.newCDPSession(page);
    let peak = 0;
    const sample = async () => {
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      peak = Math.max(peak, usedSize);
    };
    const sampler = setInterval(() => void sample().catch(() => undefined), 100);
    try {
      const importStart = Date.now();
      await page.getByTestId('folder-input').setInputFiles(folder.root);
      await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 900_000, interval: 500 }).toBe(`Imported 'scale-${N}': ${N} images in 10 classes.`);
      const importMs = Date.now() - importStart;
      const importPeak = peak;
      await page.locator('#float-model').setInputFiles(join(PROJECT_ROOT, 'public/demo', demo.manifest.floatModel));
      await page.locator('#quantized-model').setInputFiles(join(PROJECT_ROOT, 'public/demo', demo.manifest.quantizedModel));
      await expect.poll(() => page.locator('label[for="quantized-model"] .ok').count()).toBe(1);
      await page.getByTestId('dataset-row').filter({ hasText: `scale-${N}` }).getByRole('radio').check();
      const runStart = Date.now();
      await page.getByRole('button', { name: 'Run both models' }).click();
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 900_000, interval: 500 }).toMatch(new RegExp(`^Done: ${N} samples`));
      console.log(`scale ${N}: import ${(importMs / 1000).toFixed(1)} s (page heap peak ${(importPeak / 2 ** 20).toFixed(1)} MB), evaluation ${((Date.now() - runStart) / 1000).toFixed(1)} s, page heap peak overall ${(peak / 2 ** 20).toFixed(1)} MB`);
      // The page never holds the dataset: its heap stays far below the dataset's size (~N × 0.8 KB encoded, N × 3 KB as tensors).
      expect(peak).toBeLessThan(200 * 2 ** 20);
    } finally {
      clearInterval(sampler);
    }
  });
});
