import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { demoDigits, tempDir, writeTree } from './datasets-helpers.ts';

/**
 * The app makes no network request the user did not ask for: every request of the page, its
 * workers (data and model workers, ORT's wasm) and the service worker, recorded on the browser
 * context through a full demo run, a folder import, the JSON and HTML exports and a reload into the
 * history, is same-origin. blob: and data: URLs are local (no network) and allowed.
 */
interface Recorded {
  url: string;
  method: string;
  type: string;
  /** Playwright gives dedicated workers' requests the page's frame, so only the service worker is told apart. */
  from: 'page or worker' | 'service worker';
}

describe('Network requests, in real Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  const recorded: Recorded[] = [];
  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser();
    browser.context.on('request', (request) => recorded.push({ url: request.url(), method: request.method(), type: request.resourceType(), from: request.serviceWorker() ? 'service worker' : 'page or worker' }));
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  it('only ever asks its own origin: demo run, folder import, exports, history reload', async () => {
    const { page } = browser;
    const origin = new URL(server.url).origin;

    // A full demo run (both models in their workers).
    await page.goto(`${server.url}?demo`);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done/);

    // Exports: result JSON and the HTML report (downloads of blob: URLs).
    const save = async (name: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
      return readFileSync((await download.path())!, 'utf8');
    };
    const json = await save('Download result (JSON)');
    expect(await save('Download report (HTML)')).toContain('QuantLens report');

    // A folder import.
    const folder = writeTree(join(tempDir('requests'), 'request-digits'), demoDigits([0, 1], 3));
    await page.getByTestId('folder-input').setInputFiles(folder);
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 30_000 }).toBe("Imported 'request-digits': 6 images in 2 classes.");

    // A reload into the history, and the exported JSON opened again.
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(1);
    await page.getByTestId('result-import').setInputFiles({ name: 'result.json', mimeType: 'application/json', buffer: Buffer.from(json) });
    await page.getByTestId('results-source').waitFor();

    const network = recorded.filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
    const foreign = network.filter((r) => new URL(r.url).origin !== origin);
    expect(foreign).toEqual([]);
    // The recorder saw the whole app, workers included: the demo files, and ORT's wasm, which only the model workers fetch
    // (src/runtime/ort.ts is imported by the workers alone), besides the service worker's precache.
    const paths = network.map((r) => new URL(r.url).pathname);
    expect(paths).toEqual(expect.arrayContaining(['/demo/demo.json']));
    expect(paths.some((p) => p.endsWith('.onnx'))).toBe(true);
    expect(network.some((r) => r.from === 'page or worker' && r.url.endsWith('.wasm'))).toBe(true);
    expect(network.some((r) => r.from === 'service worker')).toBe(true);
    expect(browser.errors).toEqual([]); // CSP violations would show here as console errors
    // Control: the recorder is not blind to a foreign request (made after the checks above).
    const before = recorded.length;
    await page.evaluate(() => fetch('http://quantlens-control.invalid/x').catch(() => null));
    await expect.poll(() => recorded.slice(before).some((r) => r.url.startsWith('http://quantlens-control.invalid/'))).toBe(true);
    const app = recorded.slice(0, before);
    console.log(`requests: ${app.length} recorded (${network.length} network, all ${origin}; ${app.length - network.length} blob:/data:), by ${JSON.stringify(Object.fromEntries(['page or worker', 'service worker'].map((f) => [f, app.filter((r) => r.from === f).length])))}`);
  });
});
