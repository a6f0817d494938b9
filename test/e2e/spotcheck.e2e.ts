/**
 * The spot check in real Chromium: the fake camera (`--use-fake-device-for-media-stream`, the
 * permission granted by `--use-fake-ui-for-media-stream`) gives live predictions and a frame rate,
 * and is released on Stop and on leaving the view; a picked demo digit (decoded to a file here) and a
 * scripted drawing go through both models; "Why this one?" runs the one-input layer pass; a field
 * sample survives a reload and runs as its own segment; a denied camera leaves the other inputs working.
 * Writes test-results/spotcheck-e2e.json (the measured frame rate on wasm).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/core/data/decode.ts';
import { loadDemo, PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { axeViolations } from './axe.ts';

/** Chromium's fake camera: 640x480 at 20 frames/s by default; QUANTLENS_FAKE_CAMERA='fps=60' (or a y4m via --use-file-for-fake-video-capture) to measure past it. */
const FAKE_CAMERA = [`--use-fake-device-for-media-stream${process.env.QUANTLENS_FAKE_CAMERA ? `=${process.env.QUANTLENS_FAKE_CAMERA}` : ''}`, ...(process.env.QUANTLENS_FAKE_VIDEO ? [`--use-file-for-fake-video-capture=${process.env.QUANTLENS_FAKE_VIDEO}`] : [])];
const GRANT_CAMERA = '--use-fake-ui-for-media-stream';
const demo = loadDemo();
const modelPath = (name: string) => join(PROJECT_ROOT, 'public/demo', name);
/** How long the frame rate is measured, after a warm-up (V8 optimises wasm in the first seconds). */
const MEASURE_MS = 8_000;
const WARMUP_MS = 4_000;



/** The first demo test digit of this class, as a PNG file on disk. */
function demoDigitFile(label: number): string {
  const digit = [...demo.testSet.samples].sort((a, b) => a.index - b.index).find((s) => s.label === label);
  if (!digit) throw new Error(`no ${label} in the demo test set`);
  const file = join(mkdtempSync(join(tmpdir(), 'quantlens-spot-')), `digit-${label}.png`);
  writeFileSync(file, new Uint8Array(digit.bytes));
  return file;
}

async function openSpotCheck(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('spotcheck-toggle').click();
  await page.getByTestId('spotcheck-demo').click();
  await expect.poll(() => page.getByTestId('spotcheck-phase').getAttribute('data-phase'), { timeout: 30_000 }).toBe('ready');
}

const resultId = async (page: Page) => Number((await page.getByTestId('spot-result').getAttribute('data-result-id').catch(() => null)) ?? 0);
const topOf = (page: Page, role: 'float' | 'quantized') => page.getByTestId(`prediction-${role}`).getAttribute('data-top');

/** Waits for a result newer than `after`. */
async function nextResult(page: Page, after: number): Promise<number> {
  await expect.poll(() => resultId(page), { timeout: 30_000 }).toBeGreaterThan(after);
  return resultId(page);
}

/** Draws a "1": one vertical stroke down the middle of the pad, as mouse moves. */
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

/** The same "1", drawn with a finger: touch events through CDP (pointer events of type touch in the page). Returns how far the page scrolled meanwhile. */
async function drawOneByTouch(page: Page): Promise<number> {
  const pad = page.getByTestId('drawing-pad');
  await pad.scrollIntoViewIfNeeded();
  await page.waitForTimeout(500); // let the scroll into view settle
  const box = await pad.boundingBox();
  if (!box) throw new Error('no drawing pad on screen');
  const cdp = await page.context().newCDPSession(page);
  const x = box.x + box.width * 0.52;
  const at = (step: number) => [{ x: x - step * 0.4, y: box.y + box.height * (0.2 + (0.6 * step) / 12) }];
  const scrollBefore = await page.evaluate(() => window.scrollY);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  for (let step = 1; step <= 12; step++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(step) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
  return (await page.evaluate(() => window.scrollY)) - scrollBefore;
}

describe('Spot check in real Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser([...FAKE_CAMERA, GRANT_CAMERA]);
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
    mkdirSync(join(PROJECT_ROOT, 'test-results'), { recursive: true });
    writeFileSync(join(PROJECT_ROOT, 'test-results/spotcheck-e2e.json'), `${JSON.stringify(measured, null, 2)}\n`);
  });

  it('runs both models live on the fake camera, then releases it on Stop and on leaving the view', async () => {
    const { page } = browser;
    await openSpotCheck(page, server.url);
    // The camera is opened only by the button: nothing asked for it yet.
    expect(await page.getByTestId('camera-video').count()).toBe(0);
    await page.getByTestId('input-camera').check();
    expect(await page.evaluate(() => (document.querySelector('[data-testid=camera-video]') as HTMLVideoElement).srcObject)).toBeNull();
    await page.getByTestId('camera-start').click();
    await expect.poll(() => page.getByTestId('camera-status').getAttribute('data-phase'), { timeout: 15_000 }).toBe('live');
    await page.evaluate(() => ((window as unknown as { spotStream: unknown }).spotStream = (document.querySelector('[data-testid=camera-video]') as HTMLVideoElement).srcObject));
    await nextResult(page, 0);
    expect(await topOf(page, 'float')).toMatch(/^\d$/);
    expect(await topOf(page, 'quantized')).toMatch(/^\d$/);

    await page.waitForTimeout(WARMUP_MS);
    const first = { id: await resultId(page), at: Date.now() };
    await page.waitForTimeout(MEASURE_MS);
    const last = { id: await resultId(page), at: Date.now() };
    const stats = page.getByTestId('live-stats');
    const windowFps = Number(await stats.getAttribute('data-fps'));
    const overallFps = ((last.id - first.id) * 1000) / (last.at - first.at);
    expect(windowFps).toBeGreaterThan(0);
    expect(overallFps).toBeGreaterThan(0);
    expect(Number(await stats.getAttribute('data-agreement'))).toBeGreaterThanOrEqual(0);
    const frame = await page.evaluate(() => {
      const video = document.querySelector('[data-testid=camera-video]') as HTMLVideoElement;
      return { width: video.videoWidth, height: video.videoHeight };
    });
    const latency = await page.evaluate(() => ['float', 'quantized'].map((role) => document.querySelector(`[data-testid=latency-${role}]`)?.textContent));
    Object.assign(measured, { camera: { frame, windowFps, overallFps, frames: last.id - first.id, measuredMs: last.at - first.at, latency, cores: await page.evaluate(() => navigator.hardwareConcurrency) } });
    console.log(`spot check, fake camera ${frame.width}x${frame.height}, demo pair on wasm: ${overallFps.toFixed(1)} frames/s over ${last.id - first.id} frames (window ${windowFps.toFixed(1)}); ${latency.join(' / ')}`);

    await page.getByTestId('camera-stop').click();
    const released = await page.evaluate(() => {
      const stream = (window as unknown as { spotStream: MediaStream }).spotStream;
      const video = document.querySelector('[data-testid=camera-video]') as HTMLVideoElement;
      return { states: stream.getTracks().map((t) => t.readyState), active: stream.active, srcObject: video.srcObject };
    });
    expect(released.states.length).toBeGreaterThan(0);
    expect(released.states.every((s) => s === 'ended')).toBe(true);
    expect(released.active).toBe(false);
    expect(released.srcObject).toBeNull();
    // No more frames once stopped (the frame in flight may still land).
    await page.waitForTimeout(300);
    const stoppedAt = await resultId(page);
    await page.waitForTimeout(700);
    expect(await resultId(page)).toBe(stoppedAt);

    // Leaving the view (closing the spot check) releases a running camera too.
    await page.getByTestId('camera-start').click();
    await expect.poll(() => page.getByTestId('camera-status').getAttribute('data-phase'), { timeout: 15_000 }).toBe('live');
    await page.evaluate(() => ((window as unknown as { spotStream: unknown }).spotStream = (document.querySelector('[data-testid=camera-video]') as HTMLVideoElement).srcObject));
    await page.getByTestId('spotcheck-toggle').click();
    expect(await page.evaluate(() => (window as unknown as { spotStream: MediaStream }).spotStream.getTracks().every((t) => t.readyState === 'ended'))).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it('checks a picked image file: the models see the digit itself, and name it', async () => {
    const { page } = browser;
    await openSpotCheck(page, server.url);
    const digit = [...demo.testSet.samples].sort((a, b) => a.index - b.index).find((s) => s.label === 7)!;
    await page.getByTestId('input-photo').check();
    await page.getByTestId('photo-input').setInputFiles(demoDigitFile(7));
    await nextResult(page, 0);
    expect(await topOf(page, 'float')).toBe('7');
    expect(await topOf(page, 'quantized')).toBe('7');
    expect(await page.getByTestId('spot-result').getAttribute('data-agree')).toBe('true');
    const sqnr = Number(await page.getByTestId('spot-measures').getAttribute('data-sqnr'));
    expect(sqnr).toBeGreaterThan(20);
    // "What the model sees" is the 28x28 tensor drawn back: the digit's own gray levels.
    const seen = await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid=model-sees]') as HTMLCanvasElement;
      return { width: canvas.width, height: canvas.height, gray: Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data.filter((_, i) => i % 4 === 0)) };
    });
    const decoded = await decodeImage(digit.bytes, 'image/png');
    expect([seen.width, seen.height]).toEqual([28, 28]);
    const expected = Array.from({ length: 28 * 28 }, (_, i) => decoded.data[4 * i]);
    expect(seen.gray.every((g, i) => Math.abs(g - expected[i]) <= 1)).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it('checks a scripted drawing of a 1, explains it layer by layer, and keeps it (and a photo) as field samples that an evaluation segments', async () => {
    const { page } = browser;
    await openSpotCheck(page, server.url);
    // A small grayscale model opens on the drawing pad.
    expect(await page.getByTestId('input-drawing').isChecked()).toBe(true);
    await drawOne(page);
    await nextResult(page, 0);
    const drawn = { float: await topOf(page, 'float'), quantized: await topOf(page, 'quantized') };
    measured.drawing = drawn;
    expect(drawn).toEqual({ float: '1', quantized: '1' });

    await page.getByTestId('why-button').click();
    const divergence = page.getByTestId('why-divergence');
    await divergence.waitFor({ timeout: 60_000 });
    expect(await divergence.getAttribute('data-node')).toMatch(/./);
    expect(await page.getByTestId('ranked-layer').count()).toBeGreaterThan(5);
    measured.why = { topLayer: await divergence.getAttribute('data-node'), sentence: await divergence.textContent() };

    await page.getByTestId('field-label').fill('1');
    await page.getByTestId('field-add').click();
    await expect.poll(() => page.getByTestId('field-message').textContent(), { timeout: 10_000 }).toMatch(/^Added as '1' to 'Field samples \(0 … 9, 10 classes\)' \(1 samples\)/);

    // A second field sample, from a picked photo, to the same dataset.
    await page.getByTestId('input-photo').check();
    const drawnId = await resultId(page);
    await page.getByTestId('photo-input').setInputFiles(demoDigitFile(7));
    await nextResult(page, drawnId);
    await page.getByTestId('field-label').fill('7');
    await page.getByTestId('field-add').click();
    await expect.poll(() => page.getByTestId('field-message').textContent(), { timeout: 10_000 }).toMatch(/^Added as '7' to 'Field samples \(0 … 9, 10 classes\)' \(2 samples\)/);

    await page.reload();
    const row = page.getByTestId('dataset-row').filter({ hasText: 'Field samples' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('td').nth(2).textContent()).toBe('2');
    expect(await row.getAttribute('data-fingerprint')).toMatch(/^[0-9a-f]{64}$/);
    // The scratch input of the layer pass is never listed.
    expect(await page.getByTestId('dataset-row').count()).toBe(1);
    const stored = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => Object.assign(indexedDB.open('quantlens'), { onsuccess(this: IDBRequest<IDBDatabase>) { resolve(this.result); }, onerror: reject }));
      const rows = await new Promise<{ datasetId: string; label: number; mime: string; tags: Record<string, string> }[]>((resolve) => {
        const request = db.transaction('samples').objectStore('samples').getAll();
        request.onsuccess = () => resolve(request.result);
      });
      db.close();
      return rows.map(({ datasetId, label, mime, tags }) => ({ datasetId, label, mime, tags }));
    });
    expect(stored.map(({ label, mime, tags }) => ({ label, mime, tags }))).toEqual([
      { label: 1, mime: 'image/png', tags: { source: 'field', input: 'drawing' } },
      { label: 7, mime: 'image/png', tags: { source: 'field', input: 'photo' } },
    ]);
    measured.fieldSamples = stored;

    // Evaluated like any dataset; its tags are segment dimensions (a dimension with one value is left out by the table).
    await page.locator('#float-model').setInputFiles(modelPath(demo.manifest.floatModel));
    await page.locator('#quantized-model').setInputFiles(modelPath(demo.manifest.quantizedModel));
    await expect.poll(() => page.locator('label[for="float-model"] .ok').textContent()).toMatch(/\[batch,1,28,28\]/);
    await row.getByRole('radio').check();
    await page.getByRole('button', { name: 'Run both models' }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toMatch(/^Done: 2 samples/);
    await page.getByTestId('segment-dimension').selectOption('input');
    expect((await page.getByTestId('segments').locator('tbody th').allTextContents()).sort()).toEqual(['drawing', 'photo']);
    expect(browser.errors).toEqual([]);
  });

  it('fits a phone screen, is reachable from the keyboard, and has no serious axe violations', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(server.url);
      const toggle = page.getByTestId('spotcheck-toggle');
      await toggle.waitFor();
      // Keyboard only: Tab to the spot check, open it, Tab to the demo pair, use it.
      for (let presses = 0; presses < 40 && !(await toggle.evaluate((el) => el === document.activeElement)); presses++) await page.keyboard.press('Tab');
      expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      expect(await page.getByTestId('spotcheck-demo').evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('spotcheck-phase').getAttribute('data-phase'), { timeout: 30_000 }).toBe('ready');
      await drawOne(page);
      await nextResult(page, 0);
      await page.getByTestId('why-button').click();
      await page.getByTestId('why-divergence').waitFor({ timeout: 60_000 });
      expect((await axeViolations(page)).blocking).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      expect(browser.errors).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1100, height: 900 });
    }
  });

  it('says clearly when the camera is denied, and drawing with a finger still works', async () => {
    // Without the fake-ui flag (which grants the camera even over an explicit denial), headless Chromium
    // answers NotAllowedError; the denial is also set explicitly, as a user's "Block" would.
    const denied = await openBrowser(FAKE_CAMERA, { hasTouch: true });
    try {
      const { page } = denied;
      const cdp = await denied.context.newCDPSession(page);
      await cdp.send('Browser.setPermission', { permission: { name: 'camera' }, setting: 'denied', origin: new URL(server.url).origin });
      await openSpotCheck(page, server.url);
      await page.getByTestId('input-camera').check();
      await page.getByTestId('camera-start').click();
      const problem = page.getByTestId('camera-problem');
      await problem.waitFor({ timeout: 15_000 });
      expect(await problem.getAttribute('data-kind')).toBe('denied');
      expect(await problem.textContent()).toMatch(/Camera access was denied.*photo and drawing inputs below still work/);
      measured.denied = await problem.textContent();
      await page.getByTestId('input-drawing').check();
      const scrolled = await drawOneByTouch(page);
      await nextResult(page, 0);
      expect(await topOf(page, 'float')).toBe('1');
      expect(scrolled).toBe(0); // the finger drew; it did not scroll the page
      expect(denied.errors.filter((e) => !/Permission denied|NotAllowedError/i.test(e))).toEqual([]);
    } finally {
      await denied.close();
    }
  });
});
