import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/demo.ts';
import { openBrowser, startPreview, type Browser, type PreviewServer } from './harness.ts';
import { demo, demoDigits, zipOf } from './datasets-helpers.ts';

/**
 * A plain file server on another origin (CORS), honouring Range requests; the first full request
 * of each file is cut off after `dropAfter` bytes (the connection is destroyed mid-body).
 */
function fileServer(files: Record<string, Uint8Array>, dropAfter: number) {
  const requests: { path: string; range: string | null }[] = [];
  const dropped = new Set<string>();
  const server: Server = createServer((request, response) => {
    const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Range, If-Range', 'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag, Content-Disposition' };
    if (request.method === 'OPTIONS') return void response.writeHead(204, cors).end();
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const body = files[path];
    requests.push({ path, range: request.headers.range ?? null });
    if (!body) return void response.writeHead(404, cors).end();
    const headers = { ...cors, 'Content-Type': 'application/octet-stream', ETag: '"v1"', 'Accept-Ranges': 'bytes' };
    const range = /bytes=(\d+)-/.exec(request.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      response.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, 'Content-Length': String(body.length - start) });
      return void response.end(body.subarray(start));
    }
    response.writeHead(200, { ...headers, 'Content-Length': String(body.length) });
    if (!dropped.has(path)) {
      dropped.add(path);
      response.write(body.subarray(0, dropAfter), () => setTimeout(() => request.socket.destroy(), 50));
      return;
    }
    response.end(body);
  });
  return {
    requests,
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`))),
    stop: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('Models and datasets from an address, in real Chromium', () => {
  let app: PreviewServer;
  let browser: Browser;
  const model = new Uint8Array(readFileSync(join(PROJECT_ROOT, 'public/demo', demo.manifest.floatModel)));
  let files: ReturnType<typeof fileServer>;
  let origin: string;
  beforeAll(async () => {
    app = await startPreview();
    browser = await openBrowser();
    files = fileServer({ '/models/float.onnx': model, '/data/digits.zip': await zipOf(demoDigits([7, 9], 5)) }, 100_000);
    origin = await files.start();
  });
  afterAll(async () => {
    await browser?.close();
    app?.stop();
    files?.stop();
  });

  it('fetches a model whose connection drops halfway, resumes with a Range request, and uses it', async () => {
    const { page } = browser;
    await page.goto(app.url);
    await page.getByText('Load from an address').click();
    await page.getByTestId('remote-url').fill(`${origin}/models/float.onnx`);
    await page.getByRole('button', { name: 'As float model' }).click();
    await expect.poll(() => page.locator('label[for="float-model"] .ok').textContent(), { timeout: 30_000 }).toMatch(/input input \[batch,1,28,28\]/);
    const modelRequests = files.requests.filter((r) => r.path === '/models/float.onnx');
    expect(modelRequests[0].range).toBeNull();
    // The resumed request asks for the rest only: at least what was kept, never from 0.
    const resumedAt = Number(/bytes=(\d+)-/.exec(modelRequests[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    expect(modelRequests).toHaveLength(2);

    // Cached: loading it again makes no request.
    await page.getByRole('button', { name: 'As quantized model' }).click();
    await expect.poll(() => page.locator('label[for="quantized-model"] .ok').count(), { timeout: 30_000 }).toBe(1);
    expect(files.requests.filter((r) => r.path === '/models/float.onnx')).toHaveLength(2);
  });

  it('imports a dataset zip from an address', async () => {
    const { page } = browser;
    await page.getByTestId('remote-url').fill(`${origin}/data/digits.zip`);
    await page.getByTestId('remote-dataset').click();
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 30_000 }).toBe("Imported 'digits': 10 images in 2 classes.");
    // The one console error is Chromium noting the connection the server cut on purpose.
    expect(browser.errors.filter((e) => !/ERR_CONTENT_LENGTH_MISMATCH/.test(e))).toEqual([]);
  });

  it('says what failed for an address that does not answer', async () => {
    const { page } = browser;
    await page.getByTestId('remote-url').fill(`${origin}/missing.onnx`);
    await page.getByRole('button', { name: 'As float model' }).click();
    await expect.poll(() => page.getByTestId('remote-error').textContent()).toMatch(/missing\.onnx answered HTTP 404/);
  });
});
