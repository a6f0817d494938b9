/**
 * "Why it degraded" in real Chromium beyond the demo's QDQ pair: the demo float model against its generated
 * QOperator (QLinearConv + com.microsoft QGemm), FP16 and mixed-precision twins (tools/demo/make-format-pairs.ts,
 * test/fixtures/formats), each run on the demo test set and diagnosed: the preflight names the format, the
 * layer ranking lists the matched layers (and what was not matched, with why), the output differences render.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo, PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

const demo = loadDemo();
const SAMPLES = 16;
const PAIRS = [
  { file: 'mnist-cnn.int8.qoperator.onnx', format: 'QOPERATOR' },
  { file: 'mnist-cnn.fp16.onnx', format: 'FP16' },
  { file: 'mnist-cnn.mixed.onnx', format: 'MIXED' },
] as const;
const COMPUTE_LAYERS = ['/conv1/Conv', '/conv2/Conv', '/fc1/Gemm', '/fc2/Gemm'];

describe('Why it degraded, for QOperator, FP16 and mixed-precision twins', () => {
  let server: PreviewServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(server.url);
    // The demo run stores the demo test set, which each pair below is run on.
    await page.getByTestId('quantized-provider-choice').selectOption('wasm');
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await page.getByTestId('results').waitFor({ timeout: 120_000 });
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  for (const { file, format } of PAIRS) {
    it(`diagnoses the demo float model against its ${format} twin`, async () => {
      const { page } = browser;
      await page.locator('#float-model').setInputFiles(join(PROJECT_ROOT, 'public/demo', demo.manifest.floatModel));
      await page.locator('#quantized-model').setInputFiles(join(PROJECT_ROOT, 'test/fixtures/formats', file));
      await page.getByTestId('dataset-row').first().getByRole('radio').check();
      await page.getByRole('button', { name: 'Run both models' }).click();
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done: \d+ samples/);

      // The preflight of this run names the quantized model's format.
      const facts = page.getByTestId('diagnosis').getByTestId('preflight-facts');
      await expect.poll(() => facts.locator('tr', { hasText: 'Format' }).locator('td').nth(1).textContent(), { timeout: 30_000 }).toBe(format);

      if (format === 'MIXED') {
        // The layer the generator kept in float is named as such.
        expect(await page.getByTestId('diagnosis').getByTestId('preflight').textContent()).toMatch(/Still computed in float in the quantized model: [^.]*\/conv2\/Conv \(Conv\)/);
      }

      await page.getByTestId('diagnose-count').fill(String(SAMPLES));
      await page.getByRole('button', { name: `Diagnose (${SAMPLES} samples)` }).click();
      const status = page.getByTestId('diagnosis-status');
      await expect.poll(async () => (await page.getByTestId('diagnosis-error').count()) ? await page.getByTestId('diagnosis-error').textContent() : await status.textContent(), { timeout: 120_000 })
        .toBe(`Done: ${SAMPLES} samples analysed`);

      const showAll = page.getByRole('button', { name: /Show all \d+ layers/ });
      if (await showAll.count()) await showAll.click();
      const rows = page.getByTestId('ranked-layer');
      const nodes = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-node')));
      for (const layer of COMPUTE_LAYERS) expect(nodes).toContain(layer);
      const unmatched = page.getByTestId('unmatched').getByRole('listitem');
      const notCompared = await unmatched.allTextContents();
      for (const line of notCompared) expect(line).toMatch(/^(float|quantized) '.+': .+/);
      console.log(`${format}: ranking ${nodes.join(', ')}; not compared: ${notCompared.length ? notCompared.join(' | ') : 'none'}`);

      const sqnr = await page.getByTestId('output-diffs').locator('tr[data-measure="sqnrDb"] td').first().textContent();
      console.log(`${format}: logits SQNR ${sqnr}`);
      expect(sqnr).toMatch(/^\d+(\.\d)? dB$/);
      expect(Number.parseFloat(sqnr ?? '')).toBeGreaterThan(20);
      expect(await page.getByTestId('worst-samples').getByRole('listitem').count()).toBeGreaterThan(0);
      await page.getByTestId('diagnosis').screenshot({ path: `${PROJECT_ROOT}test-results/diagnosis-${format.toLowerCase()}.png` });
      expect(browser.errors).toEqual([]);
    });
  }
});
