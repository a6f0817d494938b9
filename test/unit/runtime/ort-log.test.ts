import { describe, expect, it } from 'vitest';
import { OrtLogTap, type ConsoleLike } from '../../../src/runtime/ort-log.ts';

const line = (severity: string, text: string) => `2026-11-26 20:54:36.116304 [${severity}:onnxruntime:, session_state.cc:1383 VerifyEachNodeIsAssignedToAnEp] ${text}`;

function fakeConsole() {
  const seen: string[] = [];
  const target: ConsoleLike = { log: (...a) => seen.push(`log ${a.join(' ')}`), error: (...a) => seen.push(`error ${a.join(' ')}`) };
  return { target, seen };
}

describe('ORT log tap (the source of op coverage)', () => {
  it('collects ORT lines while a session is created, and keeps the asked-for chatter off the console', async () => {
    const { target, seen } = fakeConsole();
    const tap = new OrtLogTap(target);
    // ORT's wasm module binds console.error when it starts, i.e. after the tap: imitate that.
    const ortPrintErr = target.error.bind(target);
    const { value, lines } = await tap.collect(async () => {
      ortPrintErr(line('V', 'Node placements'));
      ortPrintErr(line('W', 'Some nodes were not assigned to the preferred execution providers'));
      ortPrintErr(line('E', 'a real error'));
      target.log('app message');
      return 42;
    });
    expect(value).toBe(42);
    expect(lines).toEqual([line('V', 'Node placements'), line('W', 'Some nodes were not assigned to the preferred execution providers'), line('E', 'a real error')]);
    expect(seen).toEqual([`error ${line('E', 'a real error')}`, 'log app message']);
  });

  it('outside a collection: drops only verbose/info lines, forwards warnings and everything else', () => {
    const { target, seen } = fakeConsole();
    new OrtLogTap(target);
    target.error(line('I', 'Starting program'));
    target.error(line('W', 'a warning'));
    target.error('not ORT');
    expect(seen).toEqual([`error ${line('W', 'a warning')}`, 'error not ORT']);
  });

  it('stops collecting when the work fails', async () => {
    const { target } = fakeConsole();
    const tap = new OrtLogTap(target);
    await expect(tap.collect(async () => Promise.reject(new Error('no session')))).rejects.toThrow('no session');
    const after = await tap.collect(async () => 1);
    expect(after.lines).toEqual([]);
  });
});
