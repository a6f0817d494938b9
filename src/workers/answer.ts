/** Worker calls answer with a value or a structured error (Error subclasses lose fields across threads). */
import * as Comlink from 'comlink';
import { toErrorInfo } from '../core/errors.ts';
import type { Answer } from './model.worker.ts';

/**
 * Runs `work` and wraps its outcome; `transferables` names the buffers of the value to transfer
 * (Comlink only honours a transfer marked on the object a call returns: here, the answer).
 */
export async function answer<T>(work: () => Promise<T> | T, transferables?: (value: T) => ArrayBuffer[]): Promise<Answer<T>> {
  try {
    const value = await work();
    const result: Answer<T> = { ok: true, value };
    return transferables ? Comlink.transfer(result, transferables(value)) : result;
  } catch (error) {
    return { ok: false, error: toErrorInfo(error) };
  }
}
