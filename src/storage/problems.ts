/**
 * Storage failures that the work goes on without (the tensor cache on a full disk: the run still
 * runs), reported as they happen so the page can tell the user. One registry per thread: the data
 * worker forwards its reports to the page (workers/client.ts).
 */
import type { ErrorInfo } from '../core/errors.ts';

const listeners = new Set<(problem: ErrorInfo) => void>();

/** Hears of each such failure; returns the unsubscribe. */
export function onStorageProblem(listener: (problem: ErrorInfo) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportStorageProblem(problem: ErrorInfo): void {
  for (const listener of listeners) listener(problem);
}
