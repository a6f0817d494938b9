import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/demo.ts';
import { demo, tempDir } from './datasets-helpers.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

// Every user-controlled string renders as text: dataset, class and file names, model file names and
// manifest fields made of markup that would run script if it were parsed as HTML. Linux allows
// everything but '/' in a file name, so the names below are real folder and file names.

const hostile = (n: number) => `<img src=x onerror=alert(${n})>`;
const DATASET = hostile(0);
const CLASSES = [hostile(1), `"'><svg onload=alert(2)>`];
const FILE = `${hostile(3)}.png`;
const BROKEN = `<b onmouseover=alert(4)>broken.png`;
const FLOAT_MODEL = `${hostile(5)}.onnx`;
const QUANTIZED_MODEL = `<iframe srcdoc=x onload=alert(6)>.onnx`;
const MANIFEST_LABEL = '<script>alert(7)</script>';
const TAG = { name: '<i onclick=alert(8)>', value: '<marquee onstart=alert(9)>' };

const digits = (label: number, count: number) => demo.testSet.samples.filter((s) => s.label === label).slice(0, count);

/** Class folders with hostile names, each holding digits (one with a hostile name) and a broken PNG. */
function classFolders(): string {
  const root = join(tempDir('escaping'), DATASET);
  CLASSES.forEach((name, label) => {
    mkdirSync(join(root, name), { recursive: true });
    digits(label, 6).forEach((s, i) => writeFileSync(join(root, name, i === 0 ? FILE : `${i}.png`), new Uint8Array(s.bytes)));
  });
  writeFileSync(join(root, CLASSES[1], BROKEN), new Uint8Array(demo.testSet.samples[0].bytes).slice(0, 40));
  return root;
}

/** A folder with a CSV manifest: hostile label, tag column name and tag value. */
function manifestFolder(): string {
  const root = join(tempDir('escaping-manifest'), 'manifest digits');
  mkdirSync(root, { recursive: true });
  const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
  // Any column besides file and label is a tag named by its header.
  const lines = [`file,label,${quote(TAG.name)}`];
  for (const label of [0, 1]) {
    digits(label, 8).forEach((s, i) => {
      const file = `${label}-${i}.png`;
      writeFileSync(join(root, file), new Uint8Array(s.bytes));
      lines.push([file, quote(label === 0 ? MANIFEST_LABEL : 'plain'), quote(i % 2 ? TAG.value : 'day')].join(','));
    });
  }
  writeFileSync(join(root, 'manifest.csv'), `${lines.join('\n')}\n`);
  return root;
}

/** Nothing the strings spell out became an element or an attribute. */
async function expectNoMarkup(page: Page) {
  expect(await page.locator('img[src="x"], svg[onload], iframe, marquee, b[onmouseover], i[onclick], script:not([src]):not([type])').count()).toBe(0);
  expect(await page.evaluate(() => [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length)).toBe(0);
}

describe('User strings render as text, in the app and in its report', () => {
  let server: PreviewServer;
  let browser: Browser;
  const dialogs: string[] = [];
  const models = tempDir('escaping-models');
  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser();
    // Any alert() that ran, in the app or in the opened report, is recorded (and dismissed).
    const watch = (page: Page) => page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    watch(browser.page);
    browser.context.on('page', watch);
    copyFileSync(join(PROJECT_ROOT, 'public/demo', demo.manifest.floatModel), join(models, FLOAT_MODEL));
    copyFileSync(join(PROJECT_ROOT, 'public/demo', demo.manifest.quantizedModel), join(models, QUANTIZED_MODEL));
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  async function run(page: Page, datasetName: string, samples: number) {
    await page.locator('#float-model').setInputFiles(join(models, FLOAT_MODEL));
    await page.locator('#quantized-model').setInputFiles(join(models, QUANTIZED_MODEL));
    await expect.poll(() => page.locator('label[for="float-model"] .ok').textContent()).toMatch(/input/);
    await page.getByTestId('dataset-row').filter({ hasText: datasetName }).getByRole('radio').check();
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^Done: ${samples} samples`));
  }

  it('class folders, file names and model names: shown literally, never parsed', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await page.getByTestId('folder-input').setInputFiles(classFolders());
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 30_000 }).toBe(`Imported '${DATASET}': 13 images in 2 classes.`);
    await run(page, DATASET, 13); // 12 evaluated + the broken one, skipped

    const results = page.getByTestId('results');
    for (const name of CLASSES) expect(await results.getByText(name, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('providers').textContent()).toContain(FLOAT_MODEL);
    expect(await page.getByTestId('providers').textContent()).toContain(QUANTIZED_MODEL);
    await page.getByText('Run details').click();
    expect(await page.getByTestId('skipped').textContent()).toContain(`${CLASSES[1]}/${BROKEN}`);
    expect(await page.getByTestId('dataset-row').filter({ hasText: DATASET }).count()).toBe(1);
    // The per-class chart draws the class names (shortened to 21 characters + …) as SVG text.
    expect(await page.getByTestId('per-class-chart').locator('svg').textContent()).toContain(`${CLASSES[0].slice(0, 21)}…`);
    await expectNoMarkup(page);

    // The exported report: escaped in the file, and literal text (no dialog) once opened.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download report (HTML)' }).click()]);
    const html = readFileSync((await download.path())!, 'utf8');
    for (const raw of [DATASET, ...CLASSES, FLOAT_MODEL, QUANTIZED_MODEL, BROKEN]) expect(html).not.toContain(raw);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Speed-up of the quantized model');
    expect(html).toMatch(/<figure><svg[^>]*>[\s\S]*?<\/svg><figcaption>Per-class accuracy \(recall\): quantized minus float/); // the chart travels with the report
    const report = await browser.context.newPage();
    await report.setContent(html);
    for (const text of [CLASSES[0], QUANTIZED_MODEL]) expect(await report.getByText(text).count()).toBeGreaterThan(0);
    await expectNoMarkup(report);
    await report.close();
    expect(dialogs).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('manifest labels, tag names and tag values: shown literally, never parsed', async () => {
    const { page } = browser;
    await page.getByTestId('folder-input').setInputFiles(manifestFolder());
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 30_000 }).toMatch(/^Imported 'manifest digits': 16 images in 2 classes/);
    await run(page, 'manifest digits', 16);
    const results = page.getByTestId('results');
    expect(await results.getByText(MANIFEST_LABEL, { exact: true }).count()).toBeGreaterThan(0);
    expect(await results.textContent()).toContain(TAG.name);
    await page.getByTestId('segment-dimension').selectOption(TAG.name);
    expect(await page.getByTestId('segments').getByText(TAG.value, { exact: true }).count()).toBe(1);
    await expectNoMarkup(page);
    expect(dialogs).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
