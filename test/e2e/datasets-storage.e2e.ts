import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFingerprint, sampleHash } from '../../src/core/data/fingerprint.ts';
import { PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { demo, demoDigits, generatedFolder, rawDatasets, rawStoreCounts, tempDir, writeTree } from './datasets-helpers.ts';

/** Stored rows are consistent: every dataset complete, and the samples are exactly theirs. */
async function expectConsistent(page: Page) {
  const rows = await rawDatasets(page);
  expect(rows.filter((r) => !r.complete)).toEqual([]);
  expect((await rawStoreCounts(page)).samples).toBe(rows.reduce((n, r) => n + r.sampleCount, 0));
  return rows;
}

// Storage that does not lose data: a v2 database upgraded with its rows, the split, an import
// interrupted by a reload, and an import that runs out of quota. One Chromium profile throughout.
describe('Dataset storage in real Chromium', () => {
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

  /** Stored rows are consistent: every dataset complete, and the samples are exactly theirs. */

  // Every schema the app has shipped: 1 (datasets, samples), 2 (+ runs), 3 and 4 (resume.e2e.ts upgrades 3).
  it.each([1, 2])('upgrades a version-%i database: its dataset (and run) are kept, and the dataset gets its fingerprint', async (from) => {
    const { page } = browser;
    // On the app's origin, but not the app: create the v2 schema and rows with raw IndexedDB calls.
    await page.goto(`${server.url}demo/demo.json`);
    const samples = demo.testSet.samples.slice(0, 3);
    await page.evaluate(async ({ input, from }) => {
      // Start from nothing (the case before left a current database in this profile).
      await new Promise((resolve, reject) => Object.assign(indexedDB.deleteDatabase('quantlens'), { onsuccess: resolve, onerror: reject }));
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('quantlens', from);
        request.onupgradeneeded = () => {
          const d = request.result;
          d.createObjectStore('datasets', { keyPath: 'id' });
          d.createObjectStore('samples', { keyPath: ['datasetId', 'index'] }).createIndex('byDataset', 'datasetId');
          if (from < 2) return;
          d.createObjectStore('runs', { keyPath: 'id' });
          d.createObjectStore('runDocuments', { keyPath: 'id' });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction(from < 2 ? ['datasets', 'samples'] : ['datasets', 'samples', 'runs'], 'readwrite');
      tx.objectStore('datasets').put({ id: 'v2-digits', name: 'v2 digits', source: 'folder', createdAt: 1, sampleCount: input.length, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], sizeBytes: 1, skipped: [], schemaVersion: from, complete: true });
      input.forEach((s, index) => tx.objectStore('samples').put({ datasetId: 'v2-digits', index, name: s.name, label: s.label, mime: 'image/png', bytes: new Uint8Array(s.bytes).buffer }));
      if (from >= 2) tx.objectStore('runs').put({ id: 'run-v2', createdAt: '2024-01-01T00:00:00.000Z', status: 'complete', floatModel: 'f.onnx', quantizedModel: 'q.onnx', dataset: 'v2 digits', sampleCount: 3, top1: { float: 1, quantized: 1, delta: 0, relative: 0 }, providers: { float: 'WebAssembly', quantized: 'WebAssembly' } });
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    }, { input: samples.map((s) => ({ name: s.name, label: s.label, bytes: Array.from(new Uint8Array(s.bytes)) })), from });

    await page.goto(server.url);
    const row = page.getByTestId('dataset-row').filter({ hasText: 'v2 digits' });
    const expected = await datasetFingerprint(await Promise.all(samples.map(async (s) => ({ sha256: await sampleHash(s), label: s.label }))), demo.testSet.classNames);
    await expect.poll(() => row.getAttribute('data-fingerprint'), { timeout: 30_000 }).toBe(expected);
    const version = await page.evaluate(() => indexedDB.databases().then((list) => list.find((d) => d.name === 'quantlens')?.version));
    expect(version).toBe(4);
    const counts = await rawStoreCounts(page);
    expect(counts).toMatchObject({ datasets: 1, samples: 3, runs: from < 2 ? 0 : 1, catalogs: 1, tensorSets: 0 });
  });

  it('splits a dataset by seed, stratified and disjoint by content, and evaluates the test part', async () => {
    const { page } = browser;
    const digits = demoDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 8);
    const first = Object.keys(digits)[0];
    const root = writeTree(join(tempDir('split'), 'split-digits'), { ...digits, [first.replace('.png', '-copy.png')]: digits[first] });
    await page.getByTestId('folder-input').setInputFiles(root);
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 30_000 }).toBe("Imported 'split-digits': 81 images in 10 classes.");
    await page.getByTestId('split-percent').fill('25');
    await page.getByTestId('split-seed').fill('7');
    await page.getByTestId('split-button').click();
    // 8 distinct images per class → round(0.25 × 8) = 2 per class for calibration; the copy follows its original.
    await expect.poll(() => page.getByTestId('notice').textContent()).toMatch(/^Split 'split-digits' \(seed 7\): (61 test, 20 calibration|60 test, 21 calibration) samples; 1 groups of identical images, each kept on one side\.$/);
    const testCount = Number(/(\d+) test/.exec((await page.getByTestId('notice').textContent()) ?? '')![1]);

    await page.locator('#float-model').setInputFiles(join(PROJECT_ROOT, 'public/demo', demo.manifest.floatModel));
    await page.locator('#quantized-model').setInputFiles(join(PROJECT_ROOT, 'public/demo', demo.manifest.quantizedModel));
    await expect.poll(() => page.locator('label[for="quantized-model"] .ok').count()).toBe(1);
    await page.getByTestId('dataset-row').filter({ hasText: 'split-digits' }).getByRole('radio').check();
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^Done: ${testCount} samples`));
  });

  it('an import interrupted by a reload leaves no half dataset, and earlier datasets are intact', async () => {
    const { page } = browser;
    const before = await expectConsistent(page);
    const big = generatedFolder('big-import', 10, 1500);
    await page.getByTestId('folder-input').setInputFiles(big.root);
    // Wait until some batches are stored, then reload in the middle of the import.
    await expect.poll(async () => Number(/Importing… (\d+)/.exec((await page.getByTestId('import-progress').textContent().catch(() => '')) ?? '')?.[1] ?? 0), { timeout: 60_000, interval: 50 }).toBeGreaterThan(1000);
    const during = await rawDatasets(page);
    expect(during.some((r) => r.name === 'big-import' && !r.complete)).toBe(true);
    await page.reload();
    await page.getByTestId('datasets').waitFor();
    await expect.poll(async () => (await rawDatasets(page)).length).toBe(before.length);
    const after = await expectConsistent(page);
    expect(after.map((r) => [r.id, r.sampleCount, r.fingerprint])).toEqual(expect.arrayContaining(before.map((r) => [r.id, r.sampleCount, r.fingerprint])));
    expect(await page.getByTestId('dataset-row').filter({ hasText: 'big-import' }).count()).toBe(0);
  });

});

describe('Dataset storage when the quota runs out, in real Chromium', () => {
  let server: PreviewServer;
  beforeAll(async () => {
    server = await startPreview();
  });
  afterAll(() => server?.stop());

  it('an import that runs out of storage says how much is needed and loses nothing stored before', async () => {
    const browser = await openBrowser(); // its own profile: a quota left over must not touch the other tests
    const { page, context } = browser;
    await page.goto(server.url);
    await page.getByText('No dataset stored').waitFor();
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    const cdp = await context.newCDPSession(page);
    // A real QuotaExceededError: Chromium's own quota for this origin, set to what is used plus 2 MB
    // (set before this origin stores anything: Chromium applied a later override inconsistently here).
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: usage + (2 << 20) });
    const small = writeTree(join(tempDir('q'), 'kept-digits'), demoDigits([0, 1], 3));
    await page.getByTestId('folder-input').setInputFiles(small);
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 30_000 }).toBe("Imported 'kept-digits': 6 images in 2 classes.");
    const before = await expectConsistent(page);
    const big = generatedFolder('too-big', 4, 300, 64); // 1,200 incompressible 64×64 PNGs ≈ 5 MB
    await page.getByTestId('folder-input').setInputFiles(big.root);
    await expect.poll(() => page.locator('[data-testid="error-message"], [data-testid="notice"]').allTextContents().then((t) => t.join(' | ')), { timeout: 60_000 }).toMatch(/storage is full: could not save the dataset 'too-big' \(about [\d.]+ MB needed, [\d.]+ MB free of [\d.]+ MB\)\. Nothing stored before was lost/);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin });
    const after = await expectConsistent(page);
    expect(after.map((r) => [r.id, r.fingerprint]).sort()).toEqual(before.map((r) => [r.id, r.fingerprint]).sort());
    expect(await page.getByTestId('dataset-row').count()).toBe(before.length);
    await browser.close();
  });
});
