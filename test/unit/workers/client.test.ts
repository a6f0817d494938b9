import { describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { QuantLensError } from '../../../src/core/errors.ts';
import { runFailure, WorkerHandle } from '../../../src/workers/client.ts';
import type { Answer } from '../../../src/workers/model.worker.ts';
import { openSession } from '../../../src/runtime/ort.ts';
import { runOnce } from '../../../src/runtime/dry-run.ts';
import { sessionRunner } from '../../../src/runtime/runner.ts';
import { loadDemo } from '../../helpers/demo.ts';
import { withMemoryBlowUp } from '../../helpers/fault-models.ts';

/** A "worker": one end of a MessageChannel serving `api` through Comlink, able to die with an error event. */
function fakeWorker(api: object): { worker: Worker; die(message: string): void } {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(api, port2);
  const worker = Object.assign(port1, { terminate: () => port1.close() }) as unknown as Worker;
  return { worker, die: (message) => port1.dispatchEvent(Object.assign(new Event('error'), { message })) };
}

const api = { ping: async (): Promise<Answer<string>> => ({ ok: true, value: 'pong' }), never: () => new Promise<Answer<string>>(() => undefined) };

describe('WorkerHandle: a worker that dies is detected, its neighbour is not affected', () => {
  it('fails the call in flight and every later call at once, with the sentence the owner writes', async () => {
    const quantized = fakeWorker(api);
    const float = fakeWorker(api);
    const label = (detail: string) => `The quantized model 'q.onnx' stopped unexpectedly: its worker died (${detail}). The float model and the page are not affected.`;
    const quantizedHandle = new WorkerHandle<typeof api>(quantized.worker, label, 'Run again (no reload needed).');
    const floatHandle = new WorkerHandle<typeof api>(float.worker, 'float model');
    expect(await quantizedHandle.call(quantizedHandle.remote.ping())).toBe('pong');
    const inFlight = quantizedHandle.call(quantizedHandle.remote.never()).catch((e: unknown) => e as QuantLensError);
    quantized.die('Uncaught RuntimeError: Aborted(OOM)');
    const error = await inFlight;
    expect(error).toBeInstanceOf(QuantLensError);
    expect(error).toMatchObject({ code: 'worker-crashed', message: "The quantized model 'q.onnx' stopped unexpectedly: its worker died (Uncaught RuntimeError: Aborted(OOM)). The float model and the page are not affected.", hint: 'Run again (no reload needed).' });
    await expect(quantizedHandle.call(quantizedHandle.remote.ping())).rejects.toMatchObject({ code: 'worker-crashed' });
    expect(await floatHandle.call(floatHandle.remote.ping())).toBe('pong');
    quantizedHandle.terminate();
    floatHandle.terminate();
  });
});

describe('runFailure: a failed run said of its model', () => {
  it('a tensor beyond what WebAssembly can address (real onnxruntime-web): out of memory, named, with what to do', async () => {
    // Passes the load's trial run on zeros (a 4 KB tensor), then asks for 8 GiB on a real digit.
    const session = await openSession(withMemoryBlowUp(loadDemo().floatModel), { provider: 'wasm', numThreads: 1 });
    await runOnce(session, [1, 1, 28, 28]);
    const raw = await sessionRunner(session, [1, 1, 28, 28]).runChunk([new Float32Array(784).fill(1)]).catch((e: unknown) => e);
    const error = runFailure(raw, "The quantized model 'blowup.onnx'", 'WebAssembly (CPU)');
    expect(error.code).toBe('out-of-memory');
    expect(error.message).toBe("The quantized model 'blowup.onnx' ran out of memory on WebAssembly (CPU): a tensor it computes needs more than the engine can give (WebAssembly addresses at most 4.0 GB per model).");
    expect(error.hint).toMatch(/no reload needed/);
    await session.release();
  });

  it('other failures keep their words, with the model named; a dead worker\'s error passes as it is', () => {
    const lost = new QuantLensError('session-failed', 'The model stopped running on WebGPU: the WebGPU device was lost (destroyed).', 'Pick another provider.');
    expect(runFailure(lost, "The float model 'f.onnx'", 'WebGPU').message).toBe("The float model 'f.onnx' stopped running on WebGPU: the WebGPU device was lost (destroyed).");
    const crashed = new QuantLensError('worker-crashed', "The float model 'f.onnx' stopped unexpectedly: its worker died (x).", 'Run again.');
    expect(runFailure(crashed, "The float model 'f.onnx'", 'WebGPU').message).toBe(crashed.message);
  });
});
