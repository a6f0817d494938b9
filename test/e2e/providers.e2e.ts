/**
 * The demo pair on every execution provider a browser here offers, run for real inside the model
 * workers as the app does it, chosen in the UI: wasm and WebGPU (Debian's Chromium; SwiftShader
 * adapter with --enable-unsafe-webgpu) and WebNN npu/gpu/cpu (@sparticuz/chromium, whose WebNN is
 * TFLite on the CPU for all three device types). Each must reach the wasm reference's verdict; the
 * predictions checksums, counts, latency and op coverage are written to
 * test-results/providers-e2e.json (the numbers in NOTES.md come from there).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ResultFacts } from '../../src/core/eval/facts.ts';
import { DEMO_FACTS_PATH, PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;
const measured: Record<string, unknown>[] = [];
let referenceVerdict: string | null = null;

interface Choice {
  float: string;
  quantized: string;
  power?: 'default' | 'high-performance' | 'low-power';
  floatFp16?: boolean;
}

/** Picks the providers in the setup panel (the demo uses them too), runs the demo and waits for its end. */
async function runDemo(page: Page, choice: Choice, timeout: number): Promise<string> {
  await page.getByTestId('float-provider-choice').selectOption(choice.float);
  await page.getByTestId('quantized-provider-choice').selectOption(choice.quantized);
  for (const role of ['float', 'quantized']) {
    const power = page.getByTestId(`${role}-power-preference`);
    if (choice.power && (await power.count()) > 0) await power.selectOption(choice.power);
  }
  if (choice.floatFp16 !== undefined) await page.getByTestId('float-fp16').setChecked(choice.floatFp16);
  const status = page.getByTestId('run-status');
  await page.getByRole('button', { name: 'Run the demo' }).click();
  await expect.poll(async () => ((await status.count()) ? await status.textContent() : ''), { timeout: 30_000 }).not.toMatch(/^(Done|$)/);
  await expect.poll(() => status.textContent(), { timeout, interval: 250 }).toMatch(/^(Done|The run stopped)/);
  const text = (await status.textContent()) ?? '';
  if (!text.startsWith('Done')) throw new Error(`run failed: ${await page.getByTestId('error-message').textContent()}`);
  return text;
}

/** What the results page says about one run, compared with the wasm reference (test/golden/demo-eval.json). */
async function readRun(page: Page, name: string, choice: Choice) {
  const attr = (testId: string, attribute: string) => page.getByTestId(testId).getAttribute(attribute);
  const count = async (testId: string) => Number(await attr(testId, 'data-count'));
  const role = async (r: 'float' | 'quantized') => {
    const coverage = page.getByTestId(`${r}-provider-coverage`);
    const webnn = page.getByTestId(`${r}-provider-webnn`);
    return {
      provider: await attr(`${r}-provider`, 'data-provider'),
      top1Correct: await count(`top1-${r}`),
      checksum: await page.getByTestId(`${r}-checksum`).textContent(),
      sameAsWasm: (await page.getByTestId(`${r}-checksum`).textContent()) === golden[r].predictionsChecksum,
      median: await page.getByTestId(`${r}-median`).textContent(),
      coverage: (await coverage.count()) ? { accelerated: Number(await coverage.getAttribute('data-accelerated')), total: Number(await coverage.getAttribute('data-total')), cpuOps: await coverage.getAttribute('data-cpu-ops'), text: (await coverage.textContent())?.trim() } : null,
      webnn: (await webnn.count()) ? { power: await webnn.getAttribute('data-power'), fp16: await webnn.getAttribute('data-fp16') } : null,
    };
  };
  const run = { name, choice, verdict: await attr('verdict', 'data-outcome'), agreement: await count('agreement-top1-agreement'), float: await role('float'), quantized: await role('quantized') };
  measured.push(run);
  return run;
}

afterAll(() => {
  mkdirSync(`${PROJECT_ROOT}test-results`, { recursive: true });
  writeFileSync(`${PROJECT_ROOT}test-results/providers-e2e.json`, `${JSON.stringify(measured, null, 2)}\n`);
});

describe('Debian Chromium: WebGPU (SwiftShader) and the wasm reference', () => {
  let server: PreviewServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser(['--enable-unsafe-webgpu']);
    await browser.page.goto(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  it('runs the quantized model on WebGPU with the wasm verdict, showing QuantizeLinear on the CPU', async () => {
    const { page } = browser;
    const choice = { float: 'wasm', quantized: 'webgpu' };
    await runDemo(page, choice, 200_000); // ~32 ms per inference on the software adapter
    const run = await readRun(page, 'webgpu', choice);
    expect(run.quantized.provider).toBe('webgpu');
    expect(run.float.provider).toBe('wasm');
    expect(run.float.sameAsWasm).toBe(true);
    expect(run.quantized.coverage).toMatchObject({ cpuOps: 'QuantizeLinear' });
    expect(run.quantized.coverage!.accelerated).toBeGreaterThan(0);
    expect(run.quantized.coverage!.text).toMatch(/^\d+ of \d+ nodes on WebGPU; QuantizeLinear \(\d+\) ran on the CPU/);
    expect(run.float.coverage).toBeNull(); // wasm is the CPU itself
    expect(run.verdict).toBe('within'); // the wasm reference's verdict on this pair (demo.e2e.ts)
  }, 240_000);

  it('re-runs on another provider without reloading, and gives the reference exactly', async () => {
    const { page } = browser;
    const choice = { float: 'wasm', quantized: 'wasm' };
    await runDemo(page, choice, 60_000);
    const run = await readRun(page, 'wasm (reference)', choice);
    expect(run.quantized.provider).toBe('wasm');
    expect(run.float.checksum).toBe(golden.float.predictionsChecksum);
    expect(run.quantized.checksum).toBe(golden.quantized.predictionsChecksum);
    expect(run.agreement).toBe(golden.agreement.top1Agree);
    referenceVerdict = run.verdict;
    expect(browser.errors).toEqual([]);
  }, 90_000);
});

describe('@sparticuz/chromium: WebNN npu, gpu and cpu (TFLite on the CPU behind all three)', () => {
  let server: PreviewServer;
  let browser: Browser;
  beforeAll(async () => {
    const executablePath = await (await import('@sparticuz/chromium')).default.executablePath();
    server = await startPreview();
    browser = await openBrowser(['--enable-features=WebMachineLearningNeuralNetwork'], { executablePath });
    await browser.page.goto(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  const cases: { device: 'npu' | 'gpu' | 'cpu'; power?: Choice['power']; floatFp16?: boolean }[] = [
    { device: 'npu', power: 'low-power', floatFp16: false },
    { device: 'gpu', power: 'high-performance', floatFp16: true },
    { device: 'cpu', power: 'default', floatFp16: false },
  ];
  for (const { device, power, floatFp16 } of cases) {
    it(`runs both models on WebNN ${device}${floatFp16 ? ' (float in FP16)' : ''} with the wasm verdict and full op coverage`, async () => {
      const { page } = browser;
      const provider = `webnn-${device}`;
      const choice = { float: provider, quantized: provider, power, floatFp16 };
      await runDemo(page, choice, 120_000);
      const run = await readRun(page, provider, choice);
      for (const role of [run.float, run.quantized]) {
        expect(role.provider).toBe(provider);
        expect(role.webnn).toEqual({ power, fp16: String(role === run.float && floatFp16 === true) });
        // Static shapes (the batch pinned to 1): WebNN takes every node of the demo pair.
        expect(role.coverage).toMatchObject({ cpuOps: '' });
        expect(role.coverage!.accelerated).toBe(role.coverage!.total);
        expect(role.coverage!.text).toMatch(new RegExp(`^\\d+ of \\d+ nodes on WebNN ${device.toUpperCase()}; none fell back to the CPU`));
      }
      expect(run.quantized.coverage!.total).toBe(34);
      expect(run.float.coverage!.total).toBe(floatFp16 ? 12 : 10); // FP16: two Casts keep float32 in and out
      expect(run.verdict).toBe(referenceVerdict ?? 'within');
    }, 150_000);
  }

  it('has no page errors', () => expect(browser.errors).toEqual([]));
});
