import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker as PlaywrightWorker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultFacts } from '../../src/core/eval/facts.ts';
import { DEMO_FACTS_PATH, loadDemo, PROJECT_ROOT } from '../helpers/demo.ts';
import { withCustomOperator, withExternalData, withMemoryBlowUp } from '../helpers/fault-models.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';

// Model faults and worker crashes (issue 10), in real Chromium: each fault stops with a sentence
// naming the model and what to do; a model worker that dies leaves the other model's worker
// answering; and the demo runs again afterwards, without a reload, to Node's exact numbers.
const demo = loadDemo();
const golden = JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')) as ResultFacts;
const demoModel = (name: string) => join(PROJECT_ROOT, 'public/demo', name);
const FLOAT = demoModel(demo.manifest.floatModel);
const QUANTIZED = demoModel(demo.manifest.quantizedModel);

/** The fault models, written once: built from the demo's float model (see test/helpers/fault-models.ts). */
function writeModels() {
  const dir = mkdtempSync(join(tmpdir(), 'quantlens-faults-'));
  const file = (name: string, bytes: Uint8Array) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const external = withExternalData(demo.floatModel, 'mnist-cnn.float.onnx.data');
  const sparse = (name: string, bytes: number) => {
    // Never read by the app (refused from its size), so a sparse file costs no disk.
    const fd = openSync(join(dir, name), 'w');
    ftruncateSync(fd, bytes);
    closeSync(fd);
    return join(dir, name);
  };
  const externalDir = mkdtempSync(join(dir, 'external-'));
  writeFileSync(join(externalDir, 'mnist-cnn.float.onnx'), external.model);
  writeFileSync(join(externalDir, 'mnist-cnn.float.onnx.data'), external.data);
  return {
    externalModel: join(externalDir, 'mnist-cnn.float.onnx'),
    externalData: join(externalDir, 'mnist-cnn.float.onnx.data'),
    blowUp: file('mnist-cnn.blowup.onnx', withMemoryBlowUp(demo.floatModel)),
    vendorOp: file('mnist-cnn.vendor-op.onnx', withCustomOperator(demo.floatModel)),
    huge: sparse('huge.onnx', 3 * 1024 ** 3),
    large: sparse('large.onnx', 700 * 1024 ** 2),
  };
}

describe('Model faults and worker crashes, in real Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  const models = writeModels();
  const count = (testId: string) => browser.page.getByTestId(testId).getAttribute('data-count').then(Number);
  const status = () => browser.page.getByTestId('run-status').textContent();
  const errorMessage = () => browser.page.getByTestId('error-message').textContent();
  /** Console errors and page errors, but for the simulated abort (the worker's uncaught error, reported as a page error). */
  const unexpectedErrors = () => browser.errors.filter((e) => e !== 'pageerror: simulated engine abort');

  /** The demo, from its button: golden counts, so the page works after whatever came before. */
  async function runDemo() {
    const { page } = browser;
    await page.getByRole('button', { name: 'Run the demo' }).click();
    await expect.poll(status, { timeout: 60_000 }).toMatch(/^Done: 2000 samples/);
    expect(await count('top1-float')).toBe(golden.float.top1Correct);
    expect(await count('top1-quantized')).toBe(golden.quantized.top1Correct);
    expect(unexpectedErrors()).toEqual([]);
  }

  async function pickPairAndRun(float: string | string[], quantized: string | string[]) {
    const { page } = browser;
    const testSet = page.getByTestId('dataset-row').filter({ hasText: demo.testSet.name });
    if ((await testSet.count()) === 0) await runDemo(); // stores the demo's test set, which the picked pairs run on
    await page.locator('#float-model').setInputFiles(float);
    await page.locator('#quantized-model').setInputFiles(quantized);
    await expect.poll(() => page.locator('label[for="quantized-model"] .ok').count()).toBe(1);
    await testSet.getByRole('radio').check();
    await page.getByRole('button', { name: 'Run both models' }).click();
  }

  /**
   * Asks a model worker's own API (Comlink's wire format, posted inside the worker): proof that the
   * worker and its loaded session answer, not just that the thread exists.
   */
  async function askModelWorker(role: 'float' | 'quantized', method: string, args: unknown[]): Promise<unknown> {
    const worker = await findWorker(`${role}-model`);
    return worker.evaluate(([name, list]) => new Promise((resolve) => {
      type Post = (message: { id?: string; value?: unknown }, transfer?: Transferable[]) => void;
      const scope = self as unknown as { postMessage: Post; dispatchEvent(event: Event): boolean };
      const id = `faults-e2e-${Math.random()}`;
      const post = scope.postMessage.bind(scope);
      scope.postMessage = (message, transfer) => (message?.id === id ? resolve(message.value) : post(message, transfer ?? []));
      scope.dispatchEvent(new MessageEvent('message', { data: { id, type: 'APPLY', path: [name], argumentList: (list as unknown[]).map((value) => ({ type: 'RAW', value })) } }));
    }), [method, args] as const);
  }

  async function findWorker(name: string): Promise<PlaywrightWorker> {
    for (const worker of browser.page.workers()) {
      if (await worker.evaluate(() => self.name).catch(() => null) === name) return worker;
    }
    throw new Error(`no worker named ${name}`);
  }

  beforeAll(async () => {
    server = await startPreview();
    browser = await openBrowser();
    await browser.page.goto(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  it('external data: refused without its data file, saying which; picked with it, the model runs to the bundled model\'s numbers', async () => {
    const { page } = browser;
    await page.locator('#float-model').setInputFiles(models.externalModel);
    await expect.poll(() => page.getByTestId('float-model-problem').textContent()).toBe(
      "'mnist-cnn.float.onnx': This model keeps its weights in 'mnist-cnn.float.onnx.data', which was not given: pick both files. Pick the .onnx file and its data file(s) together (select them all in the file dialog, or drop them together).");
    await pickPairAndRun([models.externalModel, models.externalData], QUANTIZED);
    expect(await page.locator('label[for="float-model"] .ok').textContent()).toMatch(/weights from 'mnist-cnn\.float\.onnx\.data'$/);
    await expect.poll(status, { timeout: 60_000 }).toMatch(/^Done: 2000 samples/);
    expect(await count('top1-float')).toBe(golden.float.top1Correct);
    expect(await page.getByTestId('float-checksum').textContent()).toBe(golden.float.predictionsChecksum);
    expect(unexpectedErrors()).toEqual([]);
  });

  it('a run that needs more memory than WebAssembly has stops, naming the model; the other worker still answers; the demo runs again', async () => {
    await pickPairAndRun(FLOAT, models.blowUp);
    await expect.poll(status, { timeout: 60_000 }).toBe('The run stopped: see the message above.');
    expect(await errorMessage()).toBe("The quantized model 'mnist-cnn.blowup.onnx' ran out of memory on WebAssembly (CPU): a tensor it computes needs more than the engine can give (WebAssembly addresses at most 4.0 GB per model).");
    expect(await askModelWorker('float', 'setInputShape', [[1, 1, 28, 28]])).toEqual({ ok: true });
    await runDemo();
  });

  it('a model worker that dies mid-run stops the run with its name; the other worker still answers; the demo runs again', async () => {
    const { page } = browser;
    // The engine aborting inside a worker reaches the page as the worker's error event; simulated here
    // by an uncaught error thrown in the quantized model's worker once its first chunk arrives.
    const sabotage = async (worker: PlaywrightWorker) => {
      if (await worker.evaluate(() => self.name).catch(() => null) !== 'quantized-model') return;
      await worker.evaluate(() => {
        self.addEventListener('message', (event: MessageEvent<{ path?: string[] }>) => {
          if (event.data?.path?.[0] === 'runChunk') setTimeout(() => { throw new Error('simulated engine abort'); });
        });
      });
    };
    const onWorker = (worker: PlaywrightWorker) => void sabotage(worker);
    page.on('worker', onWorker);
    try {
      await pickPairAndRun(FLOAT, QUANTIZED);
      await expect.poll(status, { timeout: 60_000 }).toBe('The run stopped: see the message above.');
    } finally {
      page.off('worker', onWorker);
    }
    expect(await errorMessage()).toBe(`The quantized model '${demo.manifest.quantizedModel}' stopped unexpectedly: its worker died (Uncaught Error: simulated engine abort). The float model and the page are not affected.`);
    expect(await askModelWorker('float', 'setInputShape', [[1, 1, 28, 28]])).toEqual({ ok: true });
    await runDemo();
  });

  it('an operator onnxruntime-web lacks: said in the preflight, then at load, naming it and the provider', async () => {
    const { page } = browser;
    await pickPairAndRun(FLOAT, models.vendorOp);
    await expect.poll(status, { timeout: 60_000 }).toBe('The run stopped: see the message above.');
    expect(await errorMessage()).toBe("The quantized model 'mnist-cnn.vendor-op.onnx': This model uses com.example.vendor:FancyActivation, a custom operator: onnxruntime-web has no kernel for it on WebAssembly (CPU), and a browser cannot load the native library that would add one.");
    expect(await page.getByTestId('setup-preflight').getByTestId('preflight-warnings').textContent()).toContain(
      'The quantized model: The model uses custom operators (com.example.vendor:FancyActivation) that onnxruntime-web has no kernels for');
    await runDemo();
  });

  it('a model larger than the engine or the device can hold is refused from its size, before a byte is read', async () => {
    const { page, context } = browser;
    await page.locator('#quantized-model').setInputFiles(models.huge);
    await expect.poll(() => page.getByTestId('quantized-model-problem').textContent()).toMatch(
      /^'huge\.onnx': This model is 3\.0 GB: onnxruntime-web needs about 6\.3 GB of WebAssembly memory to load it .*, and WebAssembly gives one model at most 4\.0 GB\. Loading it would fail, or take the tab down\. Use a smaller model/);
    // A phone-sized device (navigator.deviceMemory = 1): 700 MB fits WebAssembly, not the device.
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 1 }));
    await page.reload();
    await page.locator('#float-model').setInputFiles(models.large);
    await expect.poll(() => page.getByTestId('float-model-problem').textContent()).toMatch(
      /^'large\.onnx': The model needs about 2\.\d GB of memory while loading, more than this device has \(the browser reports 1\.0 GB\): the browser would close the tab\./);
    await runDemo(); // the demo pair fits even there
  });
});
