/**
 * Resumable runs, on the main thread: a journal per run (its config and model files stored once,
 * then a checkpoint every 2 s or 512 samples, all removed when the run ends), and, at start-up, the
 * run a reload or a closed tab interrupted, with what it takes to start it again from its checkpoint.
 * A run in progress holds a Web Lock named after it, so another tab never offers to resume it.
 */
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import type { EvaluationCheckpoint } from '../core/eval/evaluate.ts';
import type { VerdictSettings } from '../core/report/index.ts';
import { getDataset } from '../storage/db.ts';
import { deleteInterruptedRun, listInterruptedRuns, runsWithoutCheckpoint, saveCheckpoint, saveInterruptedRun, type InterruptedRun, type StoredModel } from '../storage/checkpoints.ts';
import type { ModelSource, RunConfig } from './evaluation.svelte.ts';

export type { InterruptedRun };

/** Where a resumed run starts: the stored run and its checkpoint. */
export interface ResumePoint {
  runId: string;
  total: number;
  checkpoint: EvaluationCheckpoint;
}

export interface RunJournal {
  save(checkpoint: EvaluationCheckpoint): Promise<void>;
  /** The run ended (done, cancelled or failed): nothing is left to resume. */
  close(): Promise<void>;
}

const lockName = (runId: string) => `quantlens-run:${runId}`;

/** The URL of a bundled demo file (what an interrupted demo run stores instead of the model bytes). */
export function demoFileUrl(path: string): string {
  return new URL(path, new URL('demo/', new URL(import.meta.env.BASE_URL, location.href))).href;
}

/**
 * Starts keeping a run resumable. Storage problems do not stop the run: they are reported through
 * `onProblem` (the run then simply cannot be resumed).
 */
export function openRunJournal(start: { config: RunConfig; total: number; verdictSettings: VerdictSettings; resume?: ResumePoint; onProblem: (problem: ErrorInfo) => void }): RunJournal {
  const { config, resume } = start;
  if (resume && resume.total !== start.total) {
    throw new QuantLensError('dataset-invalid', `The interrupted run evaluated ${resume.total} samples of '${config.dataset.name}'; the dataset now gives ${start.total} (its split changed).`, 'Discard the interrupted run and start a new one.');
  }
  const runId = resume?.runId ?? `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  void globalThis.navigator?.locks?.request(lockName(runId), () => held);
  const stored = (source: ModelSource): StoredModel => (source.url ? { name: source.name, url: source.url } : { name: source.name, blob: source.blob });
  const written = resume
    ? Promise.resolve(true)
    : saveInterruptedRun({
      id: runId,
      createdAt: Date.now(),
      floatModel: stored(config.floatModel),
      quantizedModel: stored(config.quantizedModel),
      dataset: { id: config.dataset.id, name: config.dataset.name, ...(config.dataset.fingerprint ? { fingerprint: config.dataset.fingerprint } : {}) },
      total: start.total,
      spec: config.spec,
      providers: config.providers,
      ...(config.task ? { task: config.task } : {}),
      verdictSettings: start.verdictSettings,
    }).then(() => true, (error: unknown) => {
      start.onProblem(toErrorInfo(error));
      return false;
    });
  let failed = false;
  return {
    async save(checkpoint) {
      if (failed || !(await written)) return;
      await saveCheckpoint(runId, checkpoint).catch((error: unknown) => {
        failed = true; // one report, and no more writes that would fail the same way
        start.onProblem(toErrorInfo(error));
      });
    },
    async close() {
      await written;
      await deleteInterruptedRun(runId).finally(release);
    },
  };
}

/**
 * The newest interrupted run that no open tab is still running, or null. Rows of runs interrupted
 * before their first checkpoint (nothing to resume) are removed on the way.
 */
export async function findInterruptedRun(): Promise<InterruptedRun | null> {
  const held = new Set((await globalThis.navigator?.locks?.query())?.held?.map((lock) => lock.name) ?? []);
  const idle = (id: string) => !held.has(lockName(id));
  for (const id of (await runsWithoutCheckpoint()).filter(idle)) await deleteInterruptedRun(id);
  return (await listInterruptedRuns()).find((run) => idle(run.id)) ?? null;
}

/** Forgets an interrupted run. */
export function discardInterruptedRun(run: InterruptedRun): Promise<void> {
  return deleteInterruptedRun(run.id);
}

/** The run's config again: the same dataset (checked by fingerprint), models and settings. */
export async function resumeConfig(run: InterruptedRun): Promise<{ config: RunConfig; resume: ResumePoint }> {
  const dataset = await getDataset(run.dataset.id);
  if (!dataset || dataset.fingerprint !== run.dataset.fingerprint) {
    throw new QuantLensError('dataset-invalid', `The dataset '${run.dataset.name}' of the interrupted run is no longer in this browser, or has changed.`, 'Discard the interrupted run, then import the dataset and start again.');
  }
  const model = async (stored: StoredModel): Promise<ModelSource> => {
    if (stored.blob) return { name: stored.name, blob: stored.blob };
    const url = stored.url ?? '';
    const response = await fetch(url).catch((error: unknown) => {
      throw new QuantLensError('model-unreadable', `Could not fetch '${stored.name}' again: ${String(error)}`, 'Check your connection (or load the app once online), then resume again.', { cause: error });
    });
    if (!response.ok) throw new QuantLensError('model-unreadable', `'${stored.name}' is no longer at ${url} (HTTP ${response.status}).`, 'Discard the interrupted run and start it again.');
    return { name: stored.name, url, blob: await response.blob() };
  };
  const [floatModel, quantizedModel] = await Promise.all([model(run.floatModel), model(run.quantizedModel)]);
  return {
    config: { floatModel, quantizedModel, dataset, spec: run.spec, providers: run.providers, ...(run.task ? { task: run.task } : {}) },
    resume: { runId: run.id, total: run.total, checkpoint: run.saved.checkpoint },
  };
}
