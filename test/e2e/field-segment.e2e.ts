/**
 * Field samples as their own segment, in real Chromium: two inputs kept from the spot check (a
 * scripted drawing of a 1 and a picked demo 7, as spotcheck.e2e.ts does), then the demo test set run
 * with "Also evaluate the field samples" ticked: the segments table offers `source` with test (2000)
 * and field (2), the flipped-samples gallery still shows images, and the JSON/CSV exports carry the
 * offset indices, the parts and a combined fingerprint.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/core/data/fingerprint.ts';
import { parseResultDocument, sampleOrigin } from '../../src/core/report/index.ts';
import { loadDemo, PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

const demo = loadDemo();
const modelPath = (name: string) => join(PROJECT_ROOT, 'public/demo', name);

function demoDigitFile(label: number): string {
  const digit = [...demo.testSet.samples].sort((a, b) => a.index - b.index).find((s) => s.label === label);
  if (!digit) throw new Error(`no ${label} in the demo test set`);
  const file = join(mkdtempSync(join(tmpdir(), 'quantlens-field-')), `digit-${label}.png`);
  writeFileSync(file, new Uint8Array(digit.bytes));
  return file;
}

const resultId = async (page: Page) => Number((await page.getByTestId('spot-result').getAttribute('data-result-id').catch(() => null)) ?? 0);
async function nextResult(page: Page, after: number): Promise<number> {
  await expect.poll(() => resultId(page), { timeout: 30_000 }).toBeGreaterThan(after);
  return resultId(page);
}

/** A "1": one vertical stroke down the middle of the drawing pad. */
async function drawOne(page: Page): Promise<void> {
  const pad = page.getByTestId('drawing-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  if (!box) throw new Error('no drawing pad on screen');
  const x = box.x + box.width * 0.52;
  await page.mouse.move(x, box.y + box.height * 0.2);
  await page.mouse.down();
  for (let step = 1; step <= 12; step++) await page.mouse.move(x - step * 0.4, box.y + box.height * (0.2 + (0.6 * step) / 12));
  await page.mouse.up();
}

describe('Field samples as their own segment, in real Chromium', () => {
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

  it('evaluates the demo test set and the field samples together, segmented by source', async () => {
    const { page } = browser;
    // The demo's test set, stored by running the demo once.
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done: 2000 samples/);

    // Two field samples from the spot check.
    await page.goto(server.url);
    await page.getByTestId('spotcheck-toggle').click();
    await page.getByTestId('spotcheck-demo').click();
    await expect.poll(() => page.getByTestId('spotcheck-phase').getAttribute('data-phase'), { timeout: 30_000 }).toBe('ready');
    await drawOne(page);
    const drawnId = await nextResult(page, 0);
    await page.getByTestId('field-label').fill('1');
    await page.getByTestId('field-add').click();
    await expect.poll(() => page.getByTestId('field-message').textContent(), { timeout: 10_000 }).toMatch(/\(1 samples\)/);
    await page.getByTestId('input-photo').check();
    await page.getByTestId('photo-input').setInputFiles(demoDigitFile(7));
    await nextResult(page, drawnId);
    await page.getByTestId('field-label').fill('7');
    await page.getByTestId('field-add').click();
    await expect.poll(() => page.getByTestId('field-message').textContent(), { timeout: 10_000 }).toMatch(/\(2 samples\)/);

    await page.reload();
    const rows = page.getByTestId('dataset-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    const fieldRow = rows.filter({ hasText: 'Field samples' });
    const testRow = rows.filter({ hasNotText: 'Field samples' });
    const fingerprints = { test: await testRow.getAttribute('data-fingerprint'), field: await fieldRow.getAttribute('data-fingerprint') };
    await page.locator('#float-model').setInputFiles(modelPath(demo.manifest.floatModel));
    await page.locator('#quantized-model').setInputFiles(modelPath(demo.manifest.quantizedModel));
    await expect.poll(() => page.locator('label[for="float-model"] .ok').textContent()).toMatch(/\[batch,1,28,28\]/);

    // Offered only next to a dataset with the same classes, not for the field samples themselves.
    const option = page.getByTestId('include-field-samples');
    await fieldRow.getByRole('radio').check();
    expect(await option.count()).toBe(0);
    await testRow.getByRole('radio').check();
    await option.waitFor();
    await option.check();
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done: 2002 samples/);

    await page.getByTestId('segment-dimension').selectOption('source');
    const segmentRows = page.getByTestId('segments').locator('tbody tr');
    const bySource = Object.fromEntries(await segmentRows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.textContent, Number(tr.querySelector('td')?.textContent)])));
    expect(bySource).toEqual({ test: 2000, field: 2 });

    // The gallery reads its images back (from the test set: the demo's flips are there).
    const tiles = page.getByTestId('flips').getByRole('listitem');
    await expect.poll(() => tiles.first().locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(28);

    const save = async (name: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
      return readFileSync((await download.path())!, 'utf8');
    };
    const doc = parseResultDocument(await save('Download result (JSON)'));
    expect(doc.sampleCount).toBe(2002);
    expect(doc.dataset.sampleCount).toBe(2002);
    expect(doc.dataset.parts?.map((p) => [p.source, p.sampleCount, p.indexOffset, p.fingerprint])).toEqual([
      ['test', 2000, 0, fingerprints.test],
      ['field', 2, 2000, fingerprints.field],
    ]);
    expect(doc.dataset.fingerprint).toBe(await sha256Hex(new TextEncoder().encode(canonicalJson({ combined: [fingerprints.test, fingerprints.field] }))));
    const samples = doc.classification!.samples;
    expect(new Set(samples.index).size).toBe(2002);
    const fieldAt = [samples.index.indexOf(2000), samples.index.indexOf(2001)];
    expect(fieldAt.map((i) => samples.label[i])).toEqual([1, 7]);
    const csv = (await save('Per-sample CSV')).trim().split('\r\n');
    expect(csv).toHaveLength(2003);
    expect(csv.filter((line) => /^200[01],/.test(line)).map((line) => line.split(',')[2])).toEqual(['1', '7']);

    // What the gallery reads for run indices 2000 and 2001 (sampleOrigin) are the stored field samples, labels 1 and 7.
    const origins = [2000, 2001].map((index) => sampleOrigin(doc.dataset, index));
    expect(origins.map((o) => o.index)).toEqual([0, 1]);
    const labels = await page.evaluate(async (keys) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => Object.assign(indexedDB.open('quantlens'), { onsuccess(this: IDBRequest<IDBDatabase>) { resolve(this.result); }, onerror: reject }));
      const store = db.transaction('samples').objectStore('samples');
      const rows = await Promise.all(keys.map((key) => new Promise<{ label: number; mime: string } | undefined>((resolve) => {
        const request = store.get(key);
        request.onsuccess = () => resolve(request.result as { label: number; mime: string } | undefined);
      })));
      db.close();
      return rows.map((row) => row && [row.label, row.mime]);
    }, origins.map((o) => [o.datasetId, o.index]));
    expect(labels).toEqual([[1, 'image/png'], [7, 'image/png']]);
    expect(browser.errors).toEqual([]);
  });
});
