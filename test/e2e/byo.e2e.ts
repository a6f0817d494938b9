import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo, PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

// Bring your own: a labelled folder made of real demo digits (two classes), plus files that must
// be skipped; the demo's model files picked through the file inputs; and bad input of each kind.
const demo = loadDemo();
const modelPath = (name: string) => join(PROJECT_ROOT, 'public/demo', name);

function makeFolder(): { root: string; images: number } {
  const root = join(mkdtempSync(join(tmpdir(), 'quantlens-folder-')), 'my-digits');
  let images = 0;
  for (const label of [0, 1]) {
    mkdirSync(join(root, String(label)), { recursive: true });
    for (const sample of demo.testSet.samples.filter((s) => s.label === label).slice(0, 12)) {
      writeFileSync(join(root, sample.name), new Uint8Array(sample.bytes));
      images++;
    }
  }
  const png = new Uint8Array(demo.testSet.samples[0].bytes);
  writeFileSync(join(root, '1', 'broken.png'), png.slice(0, 40)); // a PNG header, then nothing: fails to decode at run time
  writeFileSync(join(root, '0', 'notes.txt'), 'not an image');
  writeFileSync(join(root, 'README.md'), 'not in a class folder');
  return { root, images };
}

describe('Bring your own, in real Chromium', () => {
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

  it('imports a labelled folder that survives a reload, and runs both picked models on it', async () => {
    const { page } = browser;
    const folder = makeFolder();
    await page.goto(server.url);
    await page.getByTestId('folder-input').setInputFiles(folder.root);
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 20_000 }).toBe(
      `Imported 'my-digits': ${folder.images + 1} images in 2 classes, 2 files skipped.`,
    );

    await page.reload();
    const row = page.getByTestId('dataset-row').filter({ hasText: 'my-digits' });
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe(String(folder.images + 1));

    await page.locator('#float-model').setInputFiles(modelPath(demo.manifest.floatModel));
    await page.locator('#quantized-model').setInputFiles(modelPath(demo.manifest.quantizedModel));
    await expect.poll(() => page.locator('label[for="float-model"] .ok').textContent()).toMatch(/input input \[batch,1,28,28\]/);
    await row.getByRole('radio').check();
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Done: 25 samples/);
    // The broken image is skipped and counted, not fatal.
    expect(Number(await page.getByTestId('top1-float').getAttribute('data-count'))).toBeGreaterThanOrEqual(22);
    await page.getByText('Run details').click();
    expect(await page.getByTestId('skipped').textContent()).toMatch(/1\/broken\.png: The image could not be decoded/);
    expect(browser.errors).toEqual([]);
  });

  it('says plainly when a picked file is not an ONNX model', async () => {
    const { page } = browser;
    const notOnnx = join(mkdtempSync(join(tmpdir(), 'quantlens-bad-')), 'weights.onnx');
    writeFileSync(notOnnx, 'this is a text file pretending to be a model\n');
    await page.locator('#float-model').setInputFiles(notOnnx);
    await expect.poll(() => page.getByTestId('float-model-problem').textContent()).toMatch(/'weights\.onnx': This file is not an ONNX model/);
    expect(await page.getByRole('button', { name: 'Run both models' }).isDisabled()).toBe(true);
  });

  it('refuses two models that are not a float/quantized pair, saying what differs, and stays usable', async () => {
    const { page } = browser;
    await page.locator('#float-model').setInputFiles(modelPath(demo.manifest.floatModel));
    await page.locator('#quantized-model').setInputFiles(join(PROJECT_ROOT, '../shared/fixtures/onnx-node-quant-ops/test_qlinearmatmul_2D/model.onnx'));
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('error-message').textContent(), { timeout: 30_000 }).toMatch(/not a float\/quantized pair: .*'input'/);

    // Still usable: the right pair runs afterwards without a reload.
    await page.locator('#quantized-model').setInputFiles(modelPath(demo.manifest.quantizedModel));
    await expect.poll(() => page.locator('label[for="quantized-model"] .ok').count()).toBe(1);
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Done: 25 samples/);
    expect(await page.getByTestId('error-message').count()).toBe(0);
  });

  it('rejects preprocessing that does not fit the model before running', async () => {
    const { page } = browser;
    await page.getByLabel('Color').selectOption('rgb');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'expects 1 channel' }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Run both models' }).isDisabled()).toBe(true);
    await page.getByLabel('Color').selectOption('grayscale');
    expect(await page.getByRole('button', { name: 'Run both models' }).isDisabled()).toBe(false);
  });
});
