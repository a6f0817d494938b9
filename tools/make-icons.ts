/**
 * Renders the app icons (public/icons/*.svg) to the PNG sizes that install prompts and home screens
 * want, with the same headless Chromium the tests use. Run: `npx tsx tools/make-icons.ts`
 */
import { readFileSync } from 'node:fs';
import { openBrowser } from '../test/e2e/harness.ts';
import { PROJECT_ROOT } from '../test/helpers/demo.ts';

const ICONS = `${PROJECT_ROOT}public/icons/`;
const targets = [
  { source: 'icon.svg', size: 192, out: 'icon-192.png' },
  { source: 'icon.svg', size: 512, out: 'icon-512.png' },
  { source: 'maskable.svg', size: 512, out: 'maskable-512.png' },
  { source: 'maskable.svg', size: 180, out: 'apple-touch-icon.png' },
];

const browser = await openBrowser();
try {
  for (const { source, size, out } of targets) {
    const svg = readFileSync(ICONS + source, 'utf8').replace('<svg ', `<svg width="${size}" height="${size}" `);
    await browser.page.setViewportSize({ width: size, height: size });
    await browser.page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block}</style>${svg}`);
    await browser.page.locator('svg').screenshot({ path: ICONS + out, omitBackground: true });
    console.log(`wrote public/icons/${out}`);
  }
} finally {
  await browser.close();
}
