/**
 * The service worker (src/sw.ts, registered by src/pwa.ts), in real Chromium:
 * - after one visit the app loads and runs the demo with the network off and the server gone;
 * - on a static host that sends no COOP/COEP, the page becomes cross-origin isolated after the worker
 *   takes over (one reload), and never reload-loops when it cannot;
 * - a new version waits while a run is in progress and is applied on the next reload.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ResultFacts } from '../../src/core/eval/facts.ts';
import { DEMO_FACTS_PATH, PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, startStaticServer, type Browser, type PreviewServer, type StaticServer } from './harness.ts';

const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** The URLs the built service worker precaches (the manifest vite-plugin-pwa injected into dist/sw.js). */
function precachedUrls(): string[] {
  const sw = readFileSync(`${PROJECT_ROOT}dist/sw.js`, 'utf8');
  return [...new Set([...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]))];
}

/** Resolves once a service worker is active (so precaching finished) and controls the page. */
async function waitForControl(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
}

async function expectDemoResult(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done: 2000 samples/);
  expect(await page.getByTestId('verdict').getAttribute('data-outcome')).toBe('within');
  expect(Number(await page.getByTestId('top1-float').getAttribute('data-count'))).toBe(golden.float.top1Correct);
  expect(Number(await page.getByTestId('top1-quantized').getAttribute('data-count'))).toBe(golden.quantized.top1Correct);
}

/** Counts main-frame navigations (loads and reloads). */
function countLoads(page: Page): { readonly count: number } {
  const counter = { count: 0 };
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) counter.count += 1;
  });
  return counter;
}

describe('Offline after one visit', () => {
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

  it('precaches the shell, the workers, both ORT wasm files and the demo', () => {
    const urls = precachedUrls();
    const wasm = readdirSync(`${PROJECT_ROOT}dist/assets`).filter((name) => name.endsWith('.wasm'));
    expect(wasm).toHaveLength(2);
    for (const name of wasm) expect(urls).toContain(`assets/${name}`);
    for (const name of ['index.html', 'manifest.webmanifest', 'demo/demo.json', 'demo/mnist-cnn.float.onnx', 'demo/mnist-cnn.int8.qdq.onnx', 'demo/mnist-test.pack.json']) expect(urls).toContain(name);
    expect(urls).not.toContain('sw.js');
    expect(urls.some((u) => /model\.worker-.*\.js$/.test(u))).toBe(true);
    expect(urls.some((u) => /data\.worker-.*\.js$/.test(u))).toBe(true);
  });

  it('loads and runs the demo with the network off and the server stopped', async () => {
    const { page, context } = browser;
    await page.goto(server.url);
    await waitForControl(page);
    await page.getByTestId('offline-ready').waitFor();
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    });
    expect(cached.length).toBe(precachedUrls().length);

    await context.setOffline(true);
    server.stop();
    await page.goto(`${server.url}?demo`);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expectDemoResult(page);
    expect(browser.errors).toEqual([]);
  });
});

describe('A static host without COOP/COEP headers', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await startStaticServer();
  });
  afterAll(() => server?.stop());

  it('becomes cross-origin isolated after the service worker takes over, with one reload', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      const loads = countLoads(page);
      await page.goto(server.url);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      await page.waitForFunction(() => crossOriginIsolated, null, { timeout: 60_000 });
      expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
      await page.waitForTimeout(1500);
      expect(loads.count).toBe(2);
      // Later visits come isolated straight away.
      await page.reload();
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('does not reload over a run in progress (the ?demo link on a first visit)', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      const loads = countLoads(page);
      await page.goto(`${server.url}?demo`);
      await expectDemoResult(page);
      await waitForControl(page);
      await page.waitForTimeout(1000);
      expect(loads.count).toBe(1);
      await page.getByTestId('verdict').waitFor();
    } finally {
      await browser.close();
    }
  });

  for (const [what, setup] of [
    ['without service-worker support', async (b: Browser) => b.context.addInitScript(() => delete (Navigator.prototype as { serviceWorker?: unknown }).serviceWorker)],
    ['when registration is blocked', async () => undefined],
  ] as const) {
    it(`does not reload-loop ${what}`, async () => {
      const browser = await openBrowser([], what === 'when registration is blocked' ? { serviceWorkers: 'block' } : {});
      try {
        await setup(browser);
        const { page } = browser;
        const loads = countLoads(page);
        await page.goto(server.url);
        await page.getByRole('button', { name: 'Run the demo' }).waitFor();
        await page.waitForTimeout(3000);
        expect(loads.count).toBe(1);
        expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      } finally {
        await browser.close();
      }
    });
  }
});

describe('Updates', () => {
  let version = 1;
  let server: StaticServer;
  beforeAll(async () => {
    // Version 2 of the service worker differs by a few bytes (so the browser installs it) and says
    // which version it is when asked.
    const v2 = `\n;self.addEventListener('message', (e) => { if (e.data === 'version?') e.ports[0].postMessage('v2'); });\n`;
    server = await startStaticServer({ headers: ISOLATION_HEADERS, rewrite: (path, body) => (path === '/sw.js' && version === 2 ? Buffer.concat([body, Buffer.from(v2)]) : body) });
  });
  afterAll(() => server?.stop());

  const controllerVersion = (page: Page) =>
    page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = (event) => resolve(String(event.data));
          navigator.serviceWorker.controller?.postMessage('version?', [channel.port2]);
          setTimeout(() => resolve('v1'), 1000);
        }),
    );

  it('announces a new version, keeps the running page as it is, and applies it on the next reload', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(server.url);
      await waitForControl(page);
      expect(await controllerVersion(page)).toBe('v1');
      await page.evaluate(() => Object.assign(window, { sameDocument: true }));

      version = 2;
      await page.getByRole('button', { name: 'Run the demo' }).click();
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      await page.getByTestId('update-notice').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('update-notice').textContent()).toContain('A new version is ready — it applies on the next reload');
      await expectDemoResult(page);
      // Nothing was applied under the run: same document, old worker in control, new one waiting.
      expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true);
      expect(await controllerVersion(page)).toBe('v1');
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null)).toBe(true);

      await page.reload();
      await expect.poll(() => controllerVersion(page), { timeout: 30_000 }).toBe('v2');
      await page.getByRole('button', { name: 'Run the demo' }).waitFor();
      expect(await page.getByTestId('update-notice').count()).toBe(0);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
