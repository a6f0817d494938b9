/**
 * Screenshots of the demo's result page for the README (desktop and phone width).
 * Run after `npm run build`: `npx tsx tools/screenshots.ts`
 */
import { openBrowser, startPreview } from '../test/e2e/harness.ts';
import { PROJECT_ROOT } from '../test/helpers/demo.ts';

const server = await startPreview();
try {
  for (const [name, viewport] of [['result-page', { width: 1000, height: 800 }], ['result-page-phone', { width: 390, height: 844 }]] as const) {
    const browser = await openBrowser();
    await browser.page.setViewportSize(viewport);
    await browser.page.goto(`${server.url}?demo`);
    await browser.page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent?.startsWith('Done'), null, { timeout: 120_000 });
    await browser.page.getByTestId('results').screenshot({ path: `${PROJECT_ROOT}docs/${name}.png` });
    await browser.close();
    console.log(`wrote docs/${name}.png`);
  }
} finally {
  server.stop();
}
