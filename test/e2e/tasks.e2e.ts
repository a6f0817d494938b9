import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResultDocument } from '../../src/core/report/index.ts';
import { PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

// Detection, segmentation and embeddings reached from the UI: each task demo runs in the browser
// (both models in their workers, wasm) and its exported result must equal Node's numbers exactly.
interface GoldenTask {
  kind: string;
  sampleCount: number;
  metrics: { id: string; float: number; quantized: number }[];
  agreement: { id: string; value: number }[];
}
const golden = JSON.parse(readFileSync(`${PROJECT_ROOT}test/golden/task-demos.json`, 'utf8')) as Record<string, GoldenTask>;

describe('Task demos, in real Chromium', () => {
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

  for (const [id, expected] of Object.entries(golden)) {
    it(`${id}: the browser reproduces Node's ${expected.kind} metrics exactly`, async () => {
      const { page } = browser;
      await page.goto(`${server.url}?demo=${id}`);
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 150_000, interval: 500 }).toMatch(/^Done/);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download result (JSON)' }).click()]);
      const doc = parseResultDocument(readFileSync((await download.path())!, 'utf8'));
      expect(doc.task).toBe(expected.kind);
      expect(doc.sampleCount).toBe(expected.sampleCount);
      expect(doc.metrics.map((m) => [m.id, m.delta.float, m.delta.quantized])).toEqual(expected.metrics.map((m) => [m.id, m.float, m.quantized]));
      expect(doc.agreement.map((a) => [a.id, a.value])).toEqual(expected.agreement.map((a) => [a.id, a.value]));
      await expect.poll(() => page.getByTestId('verdict').count()).toBe(1);
      expect(browser.errors).toEqual([]);
    });
  }
});
