import { describe, expect, it } from 'vitest';
import { sessionRunner } from '../../../src/runtime/runner.ts';
import type { ModelSession } from '../../../src/runtime/ort.ts';
import { QuantLensError } from '../../../src/core/errors.ts';

// A fake session: the accelerator paths fail in ways no CPU here can produce on demand (a WebGPU
// device lost mid-run, a WebNN context lost, a run that throws), so they are injected.
function fakeSession(run: ModelSession['run'], lost?: Promise<string>): ModelSession {
  return {
    inputs: [{ name: 'input', dtype: 'float32', shape: [1, 2] }],
    outputs: [{ name: 'logits', dtype: 'float32', shape: [1, 2] }],
    provider: { requested: 'webnn-npu', actual: 'webnn-npu', coverage: null },
    lost,
    run,
    release: async () => undefined,
  };
}
const ok: ModelSession['run'] = async () => ({ logits: { data: new Float32Array([0.1, 0.9]), dims: [1, 2] } });
const inputs = () => [new Float32Array(2), new Float32Array(2)];

describe('session runner on a failing accelerator', () => {
  it('runs each input and times it', async () => {
    const out = await sessionRunner(fakeSession(ok), [1, 2]).runChunk(inputs());
    expect(out.latenciesMs).toHaveLength(2);
  });

  it('turns a run that throws into a session-failed error naming the provider', async () => {
    const session = fakeSession(async () => Promise.reject(new Error('GPU hang detected')));
    const failure = await sessionRunner(session, [1, 2]).runChunk(inputs()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(QuantLensError);
    expect(failure).toMatchObject({ code: 'session-failed', message: 'The model stopped running on WebNN NPU: GPU hang detected.' });
    expect((failure as QuantLensError).hint).toMatch(/another execution provider/);
  });

  it('stops a run in flight when the device is lost, even if the engine never answers', async () => {
    let loseDevice!: (reason: string) => void;
    const lost = new Promise<string>((resolve) => (loseDevice = resolve));
    const hanging: ModelSession['run'] = () => new Promise(() => undefined);
    const running = sessionRunner(fakeSession(hanging, lost), [1, 2]).runChunk(inputs());
    loseDevice('the WebNN context was lost (GPU process crashed)');
    await expect(running).rejects.toMatchObject({ code: 'session-failed', message: 'The model stopped running on WebNN NPU: the WebNN context was lost (GPU process crashed).' });
  });

  it('fails at once on a session whose device was already lost', async () => {
    const runner = sessionRunner(fakeSession(async () => new Promise(() => undefined), Promise.resolve('the WebGPU device was lost (destroyed)')), [1, 2]);
    await expect(runner.runChunk(inputs())).rejects.toMatchObject({ code: 'session-failed' });
  });
});
