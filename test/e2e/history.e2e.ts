import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultFacts } from '../../src/core/eval/facts.ts';
import { parseResultDocument } from '../../src/core/report/index.ts';
import { DEMO_FACTS_PATH } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;

describe('History and exports, in real Chromium', () => {
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

  it('keeps the run across a reload, exports JSON/CSV/HTML, and re-imports the JSON', async () => {
    const { page } = browser;
    await page.goto(`${server.url}?demo`);
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done/);
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(1);

    const save = async (name: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
      return readFileSync((await download.path())!, 'utf8');
    };
    const json = await save('Download result (JSON)');
    const doc = parseResultDocument(json);
    expect(doc.metrics[0].counts!.quantized).toBe(golden.quantized.top1Correct);
    expect(doc.models.quantized.predictionsChecksum).toBe(golden.quantized.predictionsChecksum);
    const csv = await save('Per-sample CSV');
    expect(csv.trim().split('\r\n')).toHaveLength(golden.sampleCount + 1);
    const html = await save('Download report (HTML)');
    expect(html).toContain('QuantLens report');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<svg'); // the charts travel with the report

    // The report opens from a file with the network cut.
    const reportPage = await browser.context.newPage();
    await browser.context.setOffline(true);
    await reportPage.setContent(html);
    expect(await reportPage.locator('.verdict').textContent()).toMatch(/budget/);
    await browser.context.setOffline(false);
    await reportPage.close();

    await page.goto(server.url); // a reload without ?demo: the history is still there
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(1);
    await page.getByTestId('result-import').setInputFiles({ name: 'result.json', mimeType: 'application/json', buffer: Buffer.from(json) });
    await page.getByTestId('results-source').waitFor();
    expect(Number(await page.getByTestId('top1-quantized').getAttribute('data-count'))).toBe(golden.quantized.top1Correct);
    expect(await page.getByTestId('quantized-checksum').textContent()).toBe(golden.quantized.predictionsChecksum);
    expect(browser.errors).toEqual([]);
  });

  it('compares two runs side by side', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await expect.poll(() => page.getByTestId('history-row').count(), { timeout: 120_000 }).toBe(2);
    for (const box of await page.getByTestId('history-row').getByRole('checkbox').all()) await box.check();
    await page.getByRole('button', { name: 'Compare the two ticked runs' }).click();
    const table = page.getByTestId('comparison');
    await table.waitFor();
    expect(await table.getByRole('row', { name: /Predictions checksum/ }).textContent()).toContain(golden.quantized.predictionsChecksum);
  });

  it('refuses a JSON file that is not a QuantLens result, saying so', async () => {
    const { page } = browser;
    await page.getByTestId('result-import').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":"world"}') });
    await expect.poll(() => page.getByTestId('error-message').textContent()).toMatch(/not a QuantLens result/);
  });
});
