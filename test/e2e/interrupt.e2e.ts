/**
 * Issue 10, crashes and a full disk, in real Chromium.
 *
 * Crashes: the browser is killed (SIGKILL to Chromium's whole process group: browser, storage service,
 * renderers at once; for the first import the renderers only) in the middle of an import, a run, a
 * quantization and two exports, then relaunched on the SAME profile directory. Each time: what was
 * committed just before the kill is read from a second page, what the crash left on disk is read raw
 * before the app starts, then the app starts, and the stores must hold no half-written record
 * (store-check.ts), everything stored before the operation must be byte-identical (per-store SHA-256),
 * and the app must work (no error; an interrupted run offered and resumed to the golden facts).
 * Also: the demo started during an import (its sweep of unfinished imports) must not cut the import.
 *
 * Full disk: Chromium's own quota for the origin (CDP Storage.overrideQuotaForOrigin) lowered to what is
 * used plus 24 KB, then a run (tensor cache, checkpoint, history), a quantized variant (its journal row
 * with its bytes, its history) and a .npz export (the tensor cache): each write rolls back, the user is
 * told how much space was needed and what could be deleted, nothing stored before is lost.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultFacts } from '../../src/core/eval/facts.ts';
import { DEMO_FACTS_PATH, PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, slowDown, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { demo, generatedFolder, tempDir } from './datasets-helpers.ts';
import { changedStores, storeDigests, storeProblems, storeSummary, type StoreDigests, type StoreSummary } from './store-check.ts';

const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const count = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-count'));
/** Service workers blocked: the stores under test are IndexedDB's (the precache is offline.e2e.ts's business). */
const CONTEXT = { serviceWorkers: 'block' } as const;


const evaluated = async (page: Page) => Number((await page.getByTestId('run-status').textContent())?.match(/Evaluated (\d+)/)?.[1] ?? 0);

async function expectGoldenResult(page: Page) {
  await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done: 2000 samples/);
  expect(await count(page, 'top1-float')).toBe(golden.float.top1Correct);
  expect(await count(page, 'top1-quantized')).toBe(golden.quantized.top1Correct);
  expect(await count(page, 'agreement-top1-agreement')).toBe(golden.agreement.top1Agree);
  expect(await page.getByTestId('float-checksum').textContent()).toBe(golden.float.predictionsChecksum);
  expect(await page.getByTestId('quantized-checksum').textContent()).toBe(golden.quantized.predictionsChecksum);
}

describe('A browser crash in the middle of an operation, then a relaunch on the same profile', () => {
  let server: PreviewServer;
  let browser: Browser;
  const profile = tempDir('crash-profile');
  /** The store digests before the operation under test. */
  let before: StoreDigests;
  const log: string[] = [];
  /** Generated folders (11,000 PNGs in all), removed at the end. */
  const generated: string[] = [];
  const folder = (name: string, classes: number, perClass: number) => {
    const made = generatedFolder(name, classes, perClass);
    generated.push(join(made.root, '..'));
    return made;
  };

  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser([], CONTEXT, { profileDir: profile });
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
    for (const dir of [profile, ...generated]) rmSync(dir, { recursive: true, force: true });
    console.log(`crash tests:\n  ${log.join('\n  ')}`);
  });

  /**
   * Kills the browser (or its renderers) and relaunches on the profile. Returns what was committed just
   * before the kill (read from a second page, the app's page being busy) and what the crash left on
   * disk, read raw before the app runs again.
   */
  async function crashAndRelaunch(how: 'browser' | 'renderers' = 'browser'): Promise<{ seen: StoreSummary; left: StoreSummary }> {
    const observer = await browser.context.newPage();
    await observer.goto(`${server.url}demo/demo.json`);
    const seen = await storeSummary(observer);
    if (how === 'browser') {
      await browser.crash();
      browser = await openBrowser([], CONTEXT, { profileDir: profile });
    } else {
      expect(await browser.crashRenderers()).toBeGreaterThan(0);
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => browser.errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => message.type() === 'error' && browser.errors.push(`console: ${message.text()}`));
      browser.page = page;
    }
    // On the app's origin but not the app: the stores exactly as the crash left them.
    await browser.page.goto(`${server.url}demo/demo.json`);
    const left = await storeSummary(browser.page);
    await browser.page.goto(server.url);
    await browser.page.getByRole('button', { name: 'Run the demo' }).waitFor();
    browser.errors.splice(0); // the JSON page's /favicon.ico 404, not the app's
    return { seen, left };
  }

  /** Once the app has started: no half-written record; returns the stores' digests. */
  async function expectConsistent(): Promise<StoreDigests> {
    await expect.poll(async () => storeProblems(await storeSummary(browser.page), true), { timeout: 20_000 }).toEqual([]);
    expect(await browser.page.getByTestId('error-message').count()).toBe(0);
    return storeDigests(browser.page);
  }

  it('first stores something to lose: the demo dataset, its tensor cache and a run in the history', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await expectGoldenResult(page);
    await expect.poll(() => page.getByTestId('history-row').count(), { timeout: 15_000 }).toBe(1);
    before = await expectConsistent();
    expect(before).toMatchObject({ datasets: { count: 1 }, samples: { count: 2000 }, tensorSets: { count: 1 }, tensorChunks: { count: 32 }, runs: { count: 1 }, runDocuments: { count: 1 } });
  });

  for (const how of ['renderers', 'browser'] as const) {
    it(`an import killed half-way (${how === 'browser' ? 'the whole browser' : 'the renderer'} SIGKILLed) leaves no half dataset, and nothing earlier is touched`, async () => {
      const { page } = browser;
      const big = folder(`crash-import-${how}`, 10, 400);
      await page.getByTestId('folder-input').setInputFiles(big.root);
      await expect.poll(async () => Number(/Importing… (\d+)/.exec((await page.getByTestId('import-progress').textContent().catch(() => '')) ?? '')?.[1] ?? 0), { timeout: 60_000, interval: 50 }).toBeGreaterThan(1000);
      const { seen, left } = await crashAndRelaunch(how);
      const half = left.datasets.find((d) => d.name === `crash-import-${how}`);
      // What the crash left on disk: the import's summary row, flagged incomplete, with every batch committed before the kill.
      expect(half?.complete).toBe(false);
      expect(left.samples[half!.id]).toBeGreaterThanOrEqual(seen.samples[half!.id] ?? 0);
      log.push(`import killed (${how}): ${seen.samples[half!.id] ?? 0} samples committed just before the kill, ${left.samples[half!.id] ?? 0} of ${big.count} on disk after it (incomplete row); ${storeProblems(left, false).length} invariant breaks before start-up`);
      expect(storeProblems(left, false)).toEqual([]);
      const after = await expectConsistent();
      expect(changedStores(before, after)).toEqual([]);
      expect(await browser.page.getByTestId('dataset-row').filter({ hasText: `crash-import-${how}` }).count()).toBe(0);
      expect(browser.errors).toEqual([]);
    });
  }

  it('the demo started while an import runs (its start-up sweep of unfinished imports) does not cut that import in half', async () => {
    const { page } = browser;
    const big = folder('import-during-run', 10, 300);
    await page.getByTestId('folder-input').setInputFiles(big.root);
    await expect.poll(async () => Number(/Importing… (\d+)/.exec((await page.getByTestId('import-progress').textContent().catch(() => '')) ?? '')?.[1] ?? 0), { timeout: 60_000, interval: 50 }).toBeGreaterThan(600);
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await expectGoldenResult(page);
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 60_000 }).toBe(`Imported 'import-during-run': ${big.count} images in 10 classes.`);
    const summary = await storeSummary(page);
    const row = summary.datasets.find((d) => d.name === 'import-during-run');
    log.push(`demo run during an import: the import ends with ${summary.samples[row?.id ?? ''] ?? 0} of ${row?.sampleCount} samples stored`);
    expect(storeProblems(summary, true)).toEqual([]);
    expect(summary.samples[row!.id]).toBe(big.count);
    // Leave the store as the next tests expect it: that dataset and the run's history entry go.
    await page.getByTestId('dataset-row').filter({ hasText: 'import-during-run' }).getByRole('button', { name: /^Delete/ }).click();
    await expect.poll(async () => (await storeSummary(page)).datasets.length, { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('history-row').count(), { timeout: 15_000 }).toBe(2);
    before = await expectConsistent();
  });

  it('a run killed half-way is offered after the relaunch and resumes to the golden facts; the history and cache are intact', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await slowDown(page); // from the start: a demo run takes about a second
    await page.getByTestId('run-status').filter({ hasText: /Evaluated/ }).waitFor({ timeout: 60_000 });
    await expect.poll(() => evaluated(page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(1100);
    const { seen, left } = await crashAndRelaunch();
    expect(left.interruptedRuns).toHaveLength(1);
    expect(left.runCheckpoints).toHaveLength(1);
    const done = left.runCheckpoints[0].done;
    log.push(`run killed at >= 1,100 of 2,000: checkpoint committed before the kill at ${seen.runCheckpoints[0]?.done}, on disk after it at ${done}`);
    expect(done).toBeGreaterThanOrEqual(512);
    expect(done).toBeGreaterThanOrEqual(seen.runCheckpoints[0].done); // nothing committed was lost
    expect(storeProblems(left, false)).toEqual([]);
    const after = await expectConsistent();
    expect(changedStores(before, after)).toEqual(['interruptedRuns', 'runCheckpoints']);

    const banner = browser.page.getByTestId('resume-banner');
    await banner.waitFor({ timeout: 30_000 });
    expect(Number(await banner.getAttribute('data-done'))).toBe(done);
    await browser.page.getByRole('button', { name: /^Resume the interrupted run/ }).click();
    await expectGoldenResult(browser.page);
    await expect.poll(() => browser.page.getByTestId('history-row').count(), { timeout: 15_000 }).toBe(3);
    await expect.poll(async () => (await storeSummary(browser.page)).interruptedRuns.length, { timeout: 15_000 }).toBe(0);
    before = await expectConsistent();
    expect(browser.errors).toEqual([]);
  });

  it('a quantization killed while its variant is evaluated: the variant bytes survive in the run journal, and the run resumes to the bundled INT8 model\'s golden facts', async () => {
    const { page } = browser;
    await page.getByTestId('variants-use-demo').click();
    await expect.poll(() => page.getByTestId('variants-base').textContent(), { timeout: 60_000 }).toMatch(/calibrated on 500 demo calibration digits/);
    before = await expectConsistent(); // the calibration digits are stored now
    await page.getByTestId('variants-quantize').click();
    // Slowed from the start: with cached inputs and a fresh variant the evaluation takes under a second.
    await slowDown(page);
    await expect.poll(() => page.getByTestId('variants-status').getAttribute('data-phase'), { timeout: 60_000 }).toBe('evaluating');
    await page.getByTestId('run-status').filter({ hasText: /Evaluated/ }).waitFor({ timeout: 60_000 });
    await expect.poll(() => evaluated(page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(1100);
    const { seen, left } = await crashAndRelaunch();
    expect(storeProblems(left, false)).toEqual([]);
    expect(left.runCheckpoints[0].done).toBeGreaterThanOrEqual(seen.runCheckpoints[0].done);
    const [run] = left.interruptedRuns;
    // The variant was only in the page's memory, and in the run journal: its bytes, read back after the crash.
    expect(run.models[1].name).toMatch(/^variant-1 \(INT8/);
    expect(run.models[1].blobBytes).toBe(demo.quantizedModel.byteLength);
    expect(run.models[1].sha256).toBe(sha256(demo.quantizedModel));
    log.push(`quantization killed while evaluating: variant (${run.models[1].blobBytes} B, = bundled INT8) read back from the journal, checkpoint at ${left.runCheckpoints[0].done}`);
    const after = await expectConsistent();
    expect(changedStores(before, after)).toEqual(['interruptedRuns', 'runCheckpoints']);

    const banner = browser.page.getByTestId('resume-banner');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toContain('variant-1 (INT8');
    await browser.page.getByRole('button', { name: /^Resume the interrupted run/ }).click();
    await expectGoldenResult(browser.page);
    await expect.poll(() => browser.page.getByTestId('history-row').count(), { timeout: 15_000 }).toBe(4);
    before = await expectConsistent();
    expect(browser.errors).toEqual([]);
  });

  it('a .npz export killed while it prepares (and writes the tensor cache) leaves no partial tensor set', async () => {
    const { page } = browser;
    // A float model picked: the suggested preprocessing differs from the demo's, so the export prepares and caches every sample.
    await page.locator('#float-model').setInputFiles(`${PROJECT_ROOT}public/demo/${demo.manifest.floatModel}`);
    await expect.poll(() => page.locator('label[for="float-model"] .ok').count(), { timeout: 15_000 }).toBe(1);
    await page.getByTestId('dataset-row').filter({ hasText: demo.testSet.name }).getByRole('radio').check();
    await page.getByTestId('export-npz').click();
    await page.getByText(/Preparing \d+ of 2000/).waitFor();
    await slowDown(page);
    await expect.poll(async () => Number(/Preparing (\d+)/.exec((await page.getByText(/Preparing \d+ of 2000/).textContent()) ?? '')?.[1] ?? 0), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(640);
    const { seen, left } = await crashAndRelaunch();
    const partial = left.tensorSets.filter((t) => !t.complete);
    expect(partial).toHaveLength(1);
    expect(left.tensorChunks[partial[0].id]?.chunks ?? 0).toBeGreaterThanOrEqual(seen.tensorChunks[partial[0].id]?.chunks ?? 0);
    log.push(`.npz export killed: ${seen.tensorChunks[partial[0].id]?.chunks ?? 0} chunks committed before the kill, an incomplete tensor set with ${left.tensorChunks[partial[0].id]?.chunks ?? 0} chunks on disk after it`);
    expect(storeProblems(left, false)).toEqual([]);
    const after = await expectConsistent();
    expect(changedStores(before, after)).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('a report export killed as the download starts changes nothing; the app still runs the demo', async () => {
    const { page } = browser;
    await page.getByTestId('history-row').first().getByRole('button', { name: /^Open/ }).click();
    await page.getByRole('button', { name: 'Download report (HTML)' }).waitFor();
    await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download report (HTML)' }).click()]);
    const { left } = await crashAndRelaunch();
    expect(storeProblems(left, false)).toEqual([]);
    const after = await expectConsistent();
    expect(changedStores(before, after)).toEqual([]);
    await browser.page.getByRole('button', { name: 'Run the demo' }).click();
    await expectGoldenResult(browser.page);
    expect(browser.errors).toEqual([]);
  });
});

describe('The disk fills up in the middle of a write, in real Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser([], CONTEXT);
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  /**
   * Free space left once the disk is "full": the demo run's journal row (~1 KB, its models are URLs)
   * fits; a checkpoint (~95 KB at 512 samples), a tensor chunk (200 KB), a result (~108 KB) and a
   * variant's journal row (its 60 KB model) do not.
   */
  const SLACK = 24_000;
  const MB_NEEDED = String.raw`about [\d.]+ [KM]B needed`;

  it('a run, then a quantized variant, then a .npz export on a full disk: each write rolls back, says how much it needed and what could go, and nothing earlier is lost', async () => {
    const { page, context } = browser;
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Run the demo' }).waitFor();
    const origin = new URL(server.url).origin;
    const cdp = await context.newCDPSession(page);
    const usage = async () => ((await cdp.send('Storage.getUsageAndQuota', { origin })) as { usage: number }).usage;
    /**
     * Chromium's own quota for the origin, set to what is used plus `free`. IndexedDB keeps a cached
     * "space left" and asks the quota manager again only when a write exceeds it, so a lowered quota
     * is not seen at once (why an override sent late looked ignored): a throwaway write of
     * incompressible bytes larger than the previous headroom makes it ask (and fails).
     */
    const setQuota = async (free: number, previousHeadroom: number) => {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: (await usage()) + free });
      if (previousHeadroom === 0) return; // nothing was written under another quota yet
      const refreshed = await page.evaluate(async (bytes) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open('quota-refresh', 1);
          request.onupgradeneeded = () => request.result.createObjectStore('x');
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        const data = new Uint8Array(bytes);
        for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(bytes, i + 65536)));
        const outcome = await new Promise<string>((resolve) => {
          const tx = db.transaction('x', 'readwrite');
          tx.objectStore('x').put(data, 1);
          tx.oncomplete = () => resolve('stored');
          tx.onabort = () => resolve(tx.error?.name ?? 'aborted');
        });
        db.close();
        return outcome;
      }, previousHeadroom + (1 << 20));
      expect(refreshed).toBe('QuotaExceededError');
    };
    const HEADROOM = 40 << 20;
    await setQuota(HEADROOM, 0);

    // Stored before the disk fills: the demo dataset, a run in the history, the 500 calibration digits.
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await expectGoldenResult(page);
    await expect.poll(() => page.getByTestId('history-row').count(), { timeout: 15_000 }).toBe(1);
    await page.getByTestId('variants-use-demo').click();
    await expect.poll(() => page.getByTestId('variants-base').textContent(), { timeout: 60_000 }).toMatch(/calibrated on 500 demo calibration digits/);
    // Without its tensor cache, the next run of the demo writes one (the storage panel lists sets as of load).
    await page.reload();
    await page.getByTestId('storage').locator('summary').click();
    await page.getByRole('button', { name: /^Delete cached tensors of / }).click();
    await expect.poll(async () => (await storeSummary(page)).tensorSets.length, { timeout: 15_000 }).toBe(0);
    await page.getByTestId('variants-use-demo').click();
    await expect.poll(() => page.getByTestId('variants-base').textContent(), { timeout: 60_000 }).toMatch(/calibrated on 500 demo calibration digits/);
    const before = await storeDigests(page);
    expect(storeProblems(await storeSummary(page), true)).toEqual([]);
    expect(before).toMatchObject({ datasets: { count: 2 }, samples: { count: 2500 }, runs: { count: 1 }, tensorSets: { count: 0 } });

    await setQuota(SLACK, HEADROOM);
    const text = async (testId: string) => ((await page.getByTestId(testId).count()) ? page.getByTestId(testId).textContent() : null);

    // 1. A run: its tensor cache, its checkpoint and its history entry meet the full disk; the run itself does not.
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await expectGoldenResult(page);
    await expect.poll(() => text('error-message'), { timeout: 15_000 }).toMatch(new RegExp(`^The browser's storage is full: could not save this run in the history \\(${MB_NEEDED}, .*\\)\\. Nothing stored before was lost, and the result stays on screen: download it \\(JSON\\) to keep it`));
    expect(await text('error-hint')).toMatch(/^Free at least [\d.]+ [KM]B: for example delete the dataset 'MNIST digits — test split \(2,000\)' \([\d.]+ KB\) \(the dataset list\), then try again\.$/);
    expect(await text('checkpoint-problem')).toMatch(new RegExp(`^The browser's storage is full: could not save a checkpoint of this run \\(${MB_NEEDED}.*The previous checkpoint is kept .* the run goes on\\. Free at least .*delete `));
    expect(await text('storage-problem')).toMatch(new RegExp(`^The browser's storage is full: could not cache the preprocessed tensors of 'MNIST digits — test split \\(2,000\\)' \\(about 6\\.0 MB needed.*the partial cache is removed\\. The run went on without the cache\\. Free at least 6\\.0 MB: .*1 saved run in the history`));
    expect(await page.getByTestId('history-row').count()).toBe(1);
    await expect.poll(async () => changedStores(before, await storeDigests(page)), { timeout: 15_000 }).toEqual([]);
    const run = await storeSummary(page);
    expect(run.tensorSets).toEqual([]); // the partial set and its chunks are gone
    expect(run.tensorChunks).toEqual({});
    expect(run.interruptedRuns).toEqual([]); // the journal row that fitted is removed as the run ends

    // 2. A quantized variant: evaluated and shown, but its journal row (with its bytes) and its history entry do not fit.
    await page.reload(); // a clean page: the messages below are the variant's
    await page.getByTestId('variants-use-demo').click();
    await expect.poll(() => page.getByTestId('variants-base').textContent(), { timeout: 60_000 }).toMatch(/calibrated on 500 demo calibration digits/);
    expect(await page.getByTestId('error-message').count()).toBe(0);
    await page.getByTestId('variants-quantize').click();
    const row = page.getByTestId('variant-row').first();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 120_000 }).toBe('done');
    expect(Number(await row.getAttribute('data-value'))).toBe(golden.quantized.top1Correct / 2000); // = the bundled INT8 model
    const journal = await text('checkpoint-problem');
    // What the row needed: the variant's bytes (60,772 B); the demo float model goes by its URL.
    expect(Number(/about ([\d.]+) KB needed/.exec(journal ?? '')?.[1]) * 1024).toBeGreaterThanOrEqual(demo.quantizedModel.byteLength);
    expect(Number(/about ([\d.]+) KB needed/.exec(journal ?? '')?.[1]) * 1024).toBeLessThan(demo.quantizedModel.byteLength + 8192);
    expect(journal).toMatch(new RegExp(`^The browser's storage is full: could not keep this run resumable \\(${MB_NEEDED}.*Nothing was kept of it and nothing stored before was lost; the run goes on, but cannot be resumed after a reload\\. Free at least `));
    await expect.poll(() => text('error-message'), { timeout: 15_000 }).toMatch(/could not save this run in the history/);
    expect(await page.getByTestId('variants-error').count()).toBe(0);
    await expect.poll(async () => changedStores(before, await storeDigests(page)), { timeout: 15_000 }).toEqual([]);

    // 3. A .npz export: made from the tensor cache, which cannot be written; it says so (not "not cached yet").
    await page.locator('#float-model').setInputFiles(`${PROJECT_ROOT}public/demo/${demo.manifest.floatModel}`);
    await expect.poll(() => page.locator('label[for="float-model"] .ok').count(), { timeout: 15_000 }).toBe(1);
    await page.getByTestId('dataset-row').filter({ hasText: demo.testSet.name }).getByRole('radio').check();
    await page.getByTestId('export-npz').click();
    await expect.poll(() => text('error-message'), { timeout: 60_000 }).toMatch(new RegExp(`^Could not export the preprocessed set \\(it is made from the tensor cache\\): The browser's storage is full: could not cache the preprocessed tensors of 'MNIST digits — test split \\(2,000\\)' \\(about 6\\.0 MB needed`));
    expect(await text('error-hint')).toMatch(/^Free at least 6\.0 MB: for example delete /);
    expect(await page.getByTestId('notice').count()).toBe(0);
    expect(changedStores(before, await storeDigests(page))).toEqual([]);
    const after = await storeSummary(page);
    expect(storeProblems(after, true)).toEqual([]);

    // Room again: the same run keeps its result and writes its cache.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await expectGoldenResult(page);
    await expect.poll(() => page.getByTestId('history-row').count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(async () => (await storeSummary(page)).tensorSets.filter((t) => t.complete).length, { timeout: 15_000 }).toBe(1);
    expect(storeProblems(await storeSummary(page), true)).toEqual([]);
    expect(await page.getByTestId('storage-problem').count()).toBe(0);
    expect(browser.errors.filter((e) => !/QuotaExceeded|quota/i.test(e))).toEqual([]);
  });
});
