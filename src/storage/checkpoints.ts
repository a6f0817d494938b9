/**
 * Runs that a reload or a closed tab may interrupt: the run as started (models, dataset, settings)
 * is written once, its latest checkpoint replaces the previous one as the run goes, and both go
 * when the run ends. Two stores, so that a checkpoint write never copies the model files again.
 */
import type { EvaluationCheckpoint } from '../core/eval/evaluate.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import type { ProviderChoice } from '../core/providers/table.ts';
import type { VerdictSettings } from '../core/report/index.ts';
import type { TaskSettings } from '../core/tasks/types.ts';
import { database, storageErrorWithEstimate } from './db.ts';
import { estimateStoredBytes } from './space.ts';

/** A model of an interrupted run: a bundled demo file by its URL (the service worker caches it), else the file itself. */
export interface StoredModel {
  name: string;
  url?: string;
  blob?: Blob;
}

export interface InterruptedRunRecord {
  id: string;
  /** ms since the epoch. */
  createdAt: number;
  floatModel: StoredModel;
  quantizedModel: StoredModel;
  dataset: { id: string; name: string; fingerprint?: string };
  /** Samples the run evaluates (the progress total). */
  total: number;
  spec: PreprocessSpec;
  providers: { float: ProviderChoice; quantized: ProviderChoice };
  task?: TaskSettings;
  verdictSettings: VerdictSettings;
}

export interface CheckpointRecord {
  runId: string;
  /** ms since the epoch. */
  savedAt: number;
  checkpoint: EvaluationCheckpoint;
}

/** An interrupted run with its latest checkpoint. */
export type InterruptedRun = InterruptedRunRecord & { saved: CheckpointRecord };

/** Stores a run as it starts (its model files included, unless they are the demo's). */
export async function saveInterruptedRun(run: InterruptedRunRecord): Promise<void> {
  try {
    await (await database()).put('interruptedRuns', run);
  } catch (error) {
    throw await storageErrorWithEstimate(error, 'keep this run resumable', estimateStoredBytes(run), 'Nothing was kept of it and nothing stored before was lost; the run goes on, but cannot be resumed after a reload.');
  }
}

/** Replaces the run's checkpoint (the run row must exist: a checkpoint without it could not be resumed). */
export async function saveCheckpoint(runId: string, checkpoint: EvaluationCheckpoint): Promise<void> {
  const record: CheckpointRecord = { runId, savedAt: Date.now(), checkpoint };
  try {
    await (await database()).put('runCheckpoints', record);
  } catch (error) {
    throw await storageErrorWithEstimate(error, 'save a checkpoint of this run', estimateStoredBytes(record), 'The previous checkpoint is kept (a reload resumes from there, if there was one) and nothing stored before was lost; the run goes on.');
  }
}

/** Interrupted runs that have a checkpoint, newest checkpoint first. */
export async function listInterruptedRuns(): Promise<InterruptedRun[]> {
  const db = await database();
  const [runs, checkpoints] = await Promise.all([db.getAll('interruptedRuns'), db.getAll('runCheckpoints')]);
  const byRun = new Map(checkpoints.map((c) => [c.runId, c]));
  return runs.flatMap((run) => {
    const saved = byRun.get(run.id);
    return saved ? [{ ...run, saved }] : [];
  }).sort((a, b) => b.saved.savedAt - a.saved.savedAt);
}

/** Runs stored without any checkpoint (interrupted before the first one): nothing to resume. */
export async function runsWithoutCheckpoint(): Promise<string[]> {
  const db = await database();
  const [ids, withCheckpoint] = await Promise.all([db.getAllKeys('interruptedRuns'), db.getAllKeys('runCheckpoints')]);
  const has = new Set(withCheckpoint);
  return ids.filter((id) => !has.has(id));
}

/** Forgets a run: its row and its checkpoint, together. */
export async function deleteInterruptedRun(id: string): Promise<void> {
  const tx = (await database()).transaction(['interruptedRuns', 'runCheckpoints'], 'readwrite');
  await Promise.all([tx.objectStore('interruptedRuns').delete(id), tx.objectStore('runCheckpoints').delete(id), tx.done]);
}
