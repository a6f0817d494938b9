/**
 * How much memory one ORT (onnxruntime-web, wasm) session of each load model holds once its bytes are
 * gone: Node process RSS after a forced GC, before reading the file and after opening the session
 * (same wasm build and kernels as the browser's model workers). A wasm memory never shrinks, so this
 * is what each model worker keeps for the whole run; the browser cannot measure it per worker (see cdp.ts).
 *
 *   node --expose-gc --import tsx tools/load/session-heap.ts [float|int8.qdq]   (after make-models.ts)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSession } from '../../src/runtime/ort.ts';
import { PROJECT_ROOT } from '../../test/helpers/demo.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const rssMb = () => {
  gc();
  gc();
  return process.memoryUsage().rss / 2 ** 20;
};
const which = process.argv[2] ?? 'float';
// ORT's wasm module loaded first (a failing tiny session), so the baseline includes the engine itself.
await openSession(new Uint8Array(16), { provider: 'wasm', numThreads: 1, fallbackToReference: false }).catch(() => undefined);
const before = rssMb();
// The bytes live only inside open(): after it returns they are garbage.
const open = async () => {
  const bytes = new Uint8Array(readFileSync(join(PROJECT_ROOT, `load-results/models/load-table.${which}.onnx`)));
  return { size: bytes.length / 2 ** 20, session: await openSession(bytes, { provider: 'wasm', numThreads: 1 }) };
};
const { size, session } = await open();
const after = rssMb();
await session.run({ input: { data: new Float32Array(784), dims: [1, 1, 28, 28] } });
const ran = rssMb();
console.log(`${which} (${size.toFixed(1)} MB file): RSS ${before.toFixed(0)} MB → ${after.toFixed(0)} MB with the session open and the bytes dropped (+${(after - before).toFixed(0)} MB, ${((after - before) / size).toFixed(1)}x the file); after one run ${ran.toFixed(0)} MB`);
