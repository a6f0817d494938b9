import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpzArrays } from '../../src/core/data/formats/npz.ts';
import { PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { demo, tempDir, writeTree } from './datasets-helpers.ts';

const modelPath = (name: string) => join(PROJECT_ROOT, 'public/demo', name);
const imageFixture = (name: string) => join(PROJECT_ROOT, 'test/fixtures/images', name);
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const PER_CLASS = 15;

/** The same demo digits under `folderOf(label)/`: a folder per class. */
function digitFolder(name: string, folderOf: (label: number) => string): string {
  const entries: Record<string, Uint8Array> = {};
  for (let label = 0; label < 10; label++) {
    demo.testSet.samples.filter((s) => s.label === label).slice(0, PER_CLASS)
      .forEach((s, i) => (entries[`${folderOf(label)}/${i}.png`] = new Uint8Array(s.bytes)));
  }
  return writeTree(join(tempDir('mapping'), name), entries);
}

describe('Label mapping and EXIF orientation in real Chromium', () => {
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

  const imported = (text: RegExp) => expect.poll(() => browser.page.getByTestId('notice').textContent(), { timeout: 30_000 }).toMatch(text);
  const useDataset = (name: string) => browser.page.getByTestId('dataset-row').filter({ hasText: name }).getByRole('radio').check();
  async function runAndCount(): Promise<{ float: number; quantized: number; of: string }> {
    const { page } = browser;
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^Done: ${10 * PER_CLASS} samples`));
    const count = async (role: string) => Number(await page.getByTestId(`top1-${role}`).getAttribute('data-count'));
    return { float: await count('float'), quantized: await count('quantized'), of: (await page.getByTestId('top1-float').textContent()) ?? '' };
  }

  it('maps word-named folders to the outputs of the model\'s labels file, takes a fix, and scores as the numbered folders do', async () => {
    const { page } = browser;
    // The reference: folders 0..9, numbers = output indices. The test set: words, sorted alphabetically
    // ("eight", "five", ...), and one the labels file does not use ("nought" for "zero").
    const numbered = digitFolder('digits-numbered', (label) => String(label));
    const worded = digitFolder('digits-worded', (label) => (label === 0 ? 'nought' : WORDS[label]));
    const labelsFile = join(tempDir('labels'), 'mnist-labels.txt');
    writeFileSync(labelsFile, `${WORDS.join('\n')}\n`);

    await page.goto(server.url);
    await page.getByTestId('folder-input').setInputFiles(numbered);
    await imported(/Imported 'digits-numbered'/);
    await page.getByTestId('folder-input').setInputFiles(worded);
    await imported(/Imported 'digits-worded'/);
    await page.locator('#float-model').setInputFiles(modelPath(demo.manifest.floatModel));
    await page.locator('#quantized-model').setInputFiles(modelPath(demo.manifest.quantizedModel));
    await expect.poll(() => page.locator('label[for="float-model"] .ok').count()).toBe(1);

    await useDataset('digits-numbered');
    const mapping = page.getByTestId('label-mapping');
    await expect.poll(() => mapping.getAttribute('data-method')).toBe('index');
    expect(await page.getByTestId('label-mapping-summary').textContent()).toMatch(/^10 of 10 classes mapped to the model's 10 outputs, by index/);
    const reference = await runAndCount();
    expect(reference.float).toBeGreaterThan(140);

    // Words with no names from the model (the demo model has no metadata): by index, i.e. wrong.
    await useDataset('digits-worded');
    await expect.poll(async () => (await page.getByTestId('label-mapping-row').first().getAttribute('data-class'))).toBe('eight');
    expect(await mapping.getAttribute('data-method')).toBe('index');
    expect(await mapping.textContent()).toMatch(/carries no class names/);
    const byIndex = await runAndCount();
    expect(byIndex.float).toBeLessThan(reference.float / 2); // "eight" scored as 0, "five" as 1, ...

    // The model's labels file: by name; "nought" has no output and is flagged.
    await page.getByTestId('model-labels-input').setInputFiles(labelsFile);
    await expect.poll(() => mapping.getAttribute('data-method')).toBe('name');
    expect(await page.getByTestId('label-mapping-summary').textContent()).toMatch(/^9 of 10 classes mapped .*labels file 'mnist-labels\.txt'/);
    expect(await page.getByTestId('label-mapping-unmapped').textContent()).toMatch(/Not scored \(no output\): nought\./);
    expect(await page.locator('[data-testid="label-mapping-row"][data-class="nought"]').getAttribute('data-output')).toBe('-1');

    // The fix: nought → output 0 ("0: zero").
    await page.getByLabel('Model output for nought').selectOption({ label: '0: zero' });
    await expect.poll(() => mapping.getAttribute('data-method')).toBe('edited');
    expect(await page.getByTestId('label-mapping-unmapped').count()).toBe(0);
    const rows = await page.getByTestId('label-mapping-row').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-class'), tr.getAttribute('data-output')]));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(WORDS.map((word, i) => [i === 0 ? 'nought' : word, String(i)])));

    const mapped = await runAndCount();
    expect(mapped).toEqual(reference);
    console.log(`label mapping, top-1 of ${10 * PER_CLASS}: numbered folders ${reference.float} float / ${reference.quantized} INT8; words by index ${byIndex.float} / ${byIndex.quantized}; words mapped ${mapped.float} / ${mapped.quantized}`);
    // The result names classes by output, with the model's names.
    await expect.poll(() => page.getByTestId('results').textContent()).toMatch(/seven/);
    expect(browser.errors).toEqual([]);
  });

  it('honours EXIF orientation 6: the bright stored top-left corner arrives top-right in the tensor', async () => {
    const { page } = browser;
    const root = writeTree(join(tempDir('exif'), 'exif-photos'), {
      'upright/a.jpg': new Uint8Array(readFileSync(imageFixture('exif-orientation-1.jpg'))),
      'rotated/a.jpg': new Uint8Array(readFileSync(imageFixture('exif-orientation-6.jpg'))),
    });
    await page.getByTestId('folder-input').setInputFiles(root);
    await imported(/Imported 'exif-photos': 2 images in 2 classes/);
    await useDataset('exif-photos');
    // The float model's suggested spec: 28x28 grayscale 0..1, shorter side to 28 (the 40x40 JPEGs shrink, antialiased).
    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-npz').click();
    const file = join(tempDir('exif-npz'), 'exif.npz');
    await (await downloading).saveAs(file);
    const arrays = await readNpzArrays(new Blob([readFileSync(file)]), 'exif.npz');
    expect(arrays.x.dims).toEqual([2, 1, 28, 28]);
    const x = arrays.x.data as Float32Array;
    const labels = Array.from(arrays.y.data as BigInt64Array, Number); // classes sorted: rotated = 0, upright = 1
    /** Mean of the 6x6 patch at (row, column) of sample i. */
    const patch = (i: number, top: number, left: number) => {
      let sum = 0;
      for (let y = top; y < top + 6; y++) for (let c = left; c < left + 6; c++) sum += x[i * 784 + y * 28 + c];
      return sum / 36;
    };
    const upright = labels.indexOf(1);
    const rotated = labels.indexOf(0);
    expect(patch(upright, 0, 0)).toBeGreaterThan(0.85);
    expect(patch(upright, 0, 22)).toBeLessThan(0.2);
    expect(patch(rotated, 0, 22)).toBeGreaterThan(0.85);
    expect(patch(rotated, 0, 0)).toBeLessThan(0.2);
    for (const i of [upright, rotated]) expect(patch(i, 22, 0) + patch(i, 22, 22)).toBeLessThan(0.4);
    // The preprocessing form says which resampler shrinks, and switches it.
    const description = page.getByText(/^28×28, shorter side to 28 then center crop/);
    expect(await description.textContent()).toMatch(/\(bilinear, antialiased\)/);
    await page.getByTestId('antialias-choice').uncheck();
    await expect.poll(() => description.textContent()).toMatch(/\(bilinear, no antialiasing\)/);
    expect(browser.errors).toEqual([]);
  });
});
