// A model worker for the limit: the same ORT build and session options as src/runtime/ort.ts
// (onnxruntime-web/wasm → ort.wasm.bundle.min.mjs, wasm provider, 1 thread, no proxy, graph
// optimisation 'all'), with no pipeline around session.run.
import * as ort from '/ort/ort.wasm.bundle.min.mjs';

ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';

let session = null;
let feeds = null;

async function open({ url, dims }) {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  const size = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 7919 % 256) / 255;
  feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
  return { inputs: session.inputNames, outputs: session.outputNames };
}

async function run({ runs }) {
  const started = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  return { runs, ms: performance.now() - started };
}

self.onmessage = async (event) => {
  try {
    const value = event.data.kind === 'open' ? await open(event.data) : await run(event.data);
    self.postMessage({ ok: true, value });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error?.stack ?? error) });
  }
};
