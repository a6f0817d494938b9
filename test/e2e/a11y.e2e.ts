/**
 * Accessibility and screen sizes, in real Chromium: axe-core on the start page and on the demo's
 * result page at a phone's size (390x844) and a projector's (1920x1080), failing on serious or
 * critical violations; the demo is reachable and runs from the keyboard alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { axeViolations } from './axe.ts';

const SCREENS = { phone: { width: 390, height: 844 }, projector: { width: 1920, height: 1080 } } as const;


/** Nothing wider than the screen: a phone must not scroll sideways (tables may scroll inside their box). */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('Accessibility (axe-core) and screen sizes', () => {
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

  for (const [screen, viewport] of Object.entries(SCREENS)) {
    it(`start page and demo result page, ${screen} ${viewport.width}x${viewport.height}: no serious or critical violations`, async () => {
      const { page } = browser;
      await page.setViewportSize(viewport);
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Run the demo' }).waitFor();
      const start = await axeViolations(page);
      if (start.all.length) console.log(`start page, ${screen}:\n  ${start.all.join('\n  ')}`);
      expect(start.blocking).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

      await page.goto(`${server.url}?demo`);
      await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done: 2000 samples/);
      await page.getByTestId('verdict').waitFor();
      // Let the lazily loaded charts render before checking them.
      await page.waitForLoadState('networkidle');
      const result = await axeViolations(page);
      if (result.all.length) console.log(`result page, ${screen}:\n  ${result.all.join('\n  ')}`);
      expect(result.blocking).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    });
  }

  it('reaches "Run the demo" with Tab and runs it with Enter', async () => {
    const { page } = browser;
    await page.setViewportSize(SCREENS.phone);
    await page.goto(server.url);
    const button = page.getByRole('button', { name: 'Run the demo' });
    await button.waitFor();
    let reached = false;
    for (let presses = 0; presses < 40 && !reached; presses++) {
      await page.keyboard.press('Tab');
      reached = await button.evaluate((element) => element === document.activeElement);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/^Done: 2000 samples/);
    await page.getByTestId('verdict').waitFor();
  });
});
