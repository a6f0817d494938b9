/**
 * The quantize → evaluate → fix loop in real Chromium: the demo float model quantized in the
 * browser (calibrated in the quantize worker on the demo's 500 calibration digits), evaluated on
 * the 2,000 test digits; a deliberately damaged layer found by the diagnosis and kept in float; the
 * accuracy-aware mode; a variant downloaded as .onnx.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelInfo } from '../../src/core/onnx/info.ts';
import { loadDemo } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

const demo = loadDemo();
/** The bundled INT8 model's top-1 on the 2,000 test digits (README), and the tolerance this test allows. */
const BUNDLED_INT8_TOP1 = 0.988;
const TOLERANCE = 0.003; // 0.3 points: 6 digits of 2,000
const FLOAT_TOP1 = 0.987;
const DAMAGED = { node: '/conv2/Conv', factor: 64 };

describe('Variants: quantize in the browser, keep sensitive layers in float, compare', () => {
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

  const rows = () => browser.page.getByTestId('variant-row');
  /** Waits for variant #n to be evaluated and returns its top-1 and Δ (points). */
  async function finished(n: number): Promise<{ top1: number; delta: number; name: string }> {
    const row = rows().nth(n - 1);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 120_000 }).toBe('done');
    return { top1: Number(await row.getAttribute('data-value')), delta: Number(await row.getAttribute('data-delta')), name: (await row.locator('td').first().textContent()) ?? '' };
  }
  async function quantize(n: number) {
    await browser.page.getByTestId('variants-quantize').click();
    return finished(n);
  }

  it('quantizes the demo float model with the demo calibration set: the bundled INT8 model, byte for byte', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await page.getByTestId('variants-use-demo').click();
    await expect.poll(() => page.getByTestId('variants-base').textContent(), { timeout: 60_000 }).toMatch(/calibrated on 500 demo calibration digits/);

    const minMax = await quantize(1);
    expect(Math.abs(minMax.top1 - BUNDLED_INT8_TOP1)).toBeLessThanOrEqual(TOLERANCE);
    expect(await page.getByTestId('variants-status').textContent()).toMatch(/Calibrated: 500 samples, 8 tensors/);
    // The variant is the run on screen, like any quantized model: same verdict UI, kept in the history.
    expect(await page.getByTestId('verdict').getAttribute('data-outcome')).toBe('within');

    const [download] = await Promise.all([page.waitForEvent('download'), rows().first().getByTestId('variant-download').click()]);
    const bytes = new Uint8Array(readFileSync(await download.path()));
    expect(download.suggestedFilename()).toMatch(/\.onnx$/);
    expect(readModelInfo(bytes).format).toBe('qdq');
    // Same calibration digits, same MinMax ranges, same quantizer: the very file tools/demo/quantize-demo.ts wrote.
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(demo.quantizedModel))).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('measures the other methods and schemes (each within a point of the float model)', async () => {
    const { page } = browser;
    const settings: { label: string; set: () => Promise<unknown> }[] = [
      { label: 'per-tensor', set: () => page.getByTestId('variant-per-channel').selectOption('false') },
      { label: 'Percentile', set: async () => { await page.getByTestId('variant-per-channel').selectOption('true'); await page.getByTestId('variant-method').selectOption('percentile'); } },
      { label: 'Entropy', set: () => page.getByTestId('variant-method').selectOption('entropy') },
      { label: 'MSE', set: () => page.getByTestId('variant-method').selectOption('mse') },
      { label: 'W8A16', set: async () => { await page.getByTestId('variant-method').selectOption('minmax'); await page.getByTestId('variant-activations').selectOption('int16'); } },
      { label: 'FP16', set: () => page.getByTestId('variant-precision').selectOption('fp16') },
    ];
    const measured: string[] = [];
    for (const [i, setting] of settings.entries()) {
      await setting.set();
      const variant = await quantize(i + 2);
      expect(variant.name, setting.label).toContain(setting.label);
      expect(variant.top1).toBeGreaterThanOrEqual(FLOAT_TOP1 - 0.01);
      measured.push(`${variant.name}: ${(variant.top1 * 100).toFixed(2)}% (Δ ${variant.delta.toFixed(2)} pt)`);
    }
    console.log(`demo variants in Chromium:\n  ${measured.join('\n  ')}`);
    await page.getByTestId('variant-precision').selectOption('int8');
    await page.getByTestId('variant-activations').selectOption('uint8');
  });

  it('a deliberately damaged layer costs accuracy; the diagnosis names it; keeping it in float restores the accuracy', async () => {
    const { page } = browser;
    const before = await rows().count();
    await page.getByText('Damage test').click();
    await page.getByTestId('variant-damage-node').fill(DAMAGED.node);
    await page.getByTestId('variant-damage-node').press('Tab');
    await page.getByTestId('variant-damage-factor').fill(String(DAMAGED.factor));
    await page.getByTestId('variant-damage-factor').press('Tab');
    const damaged = await quantize(before + 1);
    expect(damaged.name).toContain(`damaged: ${DAMAGED.node} ×${DAMAGED.factor}`);
    expect(damaged.delta).toBeLessThan(-1.5);
    expect(await page.getByTestId('verdict').getAttribute('data-outcome')).toBe('exceeds');

    await page.getByRole('button', { name: /^Diagnose \(\d+ samples\)$/ }).click();
    await expect.poll(() => page.getByTestId('diagnosis-status').textContent(), { timeout: 120_000 }).toMatch(/^Done: \d+ samples analysed/);
    const top = page.getByTestId('ranked-layer').first();
    expect(await top.getAttribute('data-node')).toBe(DAMAGED.node);
    await top.getByTestId('keep-float').click();
    const fixed = await finished(before + 2);
    expect(fixed.name).toContain(`kept in float: ${DAMAGED.node}`);
    expect(fixed.name).toContain('damaged'); // the damage is still in the recipe: only the layer kept in float escapes it
    expect(Math.abs(fixed.top1 - FLOAT_TOP1)).toBeLessThanOrEqual(TOLERANCE);
    expect(await page.getByTestId('verdict').getAttribute('data-outcome')).toBe('within');
    console.log(`damaged ${DAMAGED.node} ×${DAMAGED.factor}: ${(damaged.top1 * 100).toFixed(2)}% (Δ ${damaged.delta.toFixed(2)} pt); kept in float: ${(fixed.top1 * 100).toFixed(2)}% (Δ ${fixed.delta.toFixed(2)} pt)`);
  });

  it('accuracy-aware mode: from the damaged full INT8, returns the damaged layer to float and stops within the threshold', async () => {
    const { page } = browser;
    await page.getByTestId('aware-budget').fill('3');
    await page.getByTestId('aware-start').click();
    await expect.poll(() => page.getByTestId('aware-steps').getAttribute('data-outcome'), { timeout: 170_000 }).toBe('within');
    const steps = page.getByTestId('aware-step');
    expect(await steps.evaluateAll((items) => items.map((li) => li.getAttribute('data-node')))).toEqual(['', DAMAGED.node]);
    console.log(`accuracy-aware: ${(await steps.allTextContents()).join(' → ')}`);
    expect(browser.errors).toEqual([]);
  });
});
