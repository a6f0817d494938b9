/**
 * Screenshots of the demo's result page for the README, at a phone's size (390x844) and a projector's
 * (1920x1080), the two sizes test/e2e/a11y.e2e.ts checks.
 * Run after `npm run build`: `npx tsx tools/screenshots.ts`
 */
import { openBrowser, startPreview } from '../test/e2e/harness.ts';
import { PROJECT_ROOT } from '../test/helpers/demo.ts';

const SCREENS = [
  ['result-page-phone', { width: 390, height: 844 }],
  ['result-page-projector', { width: 1920, height: 1080 }],
] as const;

const server = await startPreview();
try {
  for (const [name, viewport] of SCREENS) {
    const browser = await openBrowser();
    await browser.page.setViewportSize(viewport);
    await browser.page.goto(`${server.url}?demo`);
    await browser.page.waitForFunction(() => document.querySelector('[data-testid=run-status]')?.textContent?.startsWith('Done'), null, { timeout: 120_000 });
    // The charts load lazily: wait for them before the picture.
    await browser.page.waitForLoadState('networkidle');
    await browser.page.getByTestId('results').screenshot({ path: `${PROJECT_ROOT}docs/${name}.png` });
    await browser.close();
    console.log(`wrote docs/${name}.png`);
  }
} finally {
  server.stop();
}
