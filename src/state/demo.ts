/** The bundled demo: a manifest in public/demo naming the model pair, the test set and its preprocessing. */
import { QuantLensError } from '../core/errors.ts';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import type { TaskSettings } from '../core/tasks/types.ts';
import { getDataset } from '../storage/db.ts';
import { importDataset } from './dataset-import.ts';

export interface DemoManifest {
  /** Present on the task demos (public/demo/tasks.json). */
  id?: string;
  title: string;
  description: string;
  floatModel: string;
  quantizedModel: string;
  testSet: string;
  /** Bump when the pack changes, so a stale cached copy is not reused. */
  testSetId: string;
  preprocess: PreprocessSpec;
  /** Classification when absent. */
  task?: TaskSettings;
}

const DEMO_BASE = new URL('demo/', new URL(import.meta.env.BASE_URL, location.href));

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(new URL(path, DEMO_BASE)).catch((error: unknown) => {
    throw new QuantLensError('dataset-invalid', `Could not fetch the demo file ${path}: ${String(error)}`, 'Check your connection, or reload the page once online so the demo is cached.', { cause: error });
  });
  if (!response.ok) throw new QuantLensError('dataset-invalid', `The demo file ${path} is missing (HTTP ${response.status}).`, 'Rebuild the app (npm run build) or report a broken deployment.');
  return response;
}

export async function loadDemoManifest(): Promise<DemoManifest> {
  return (await fetchOk('demo.json')).json() as Promise<DemoManifest>;
}

/** The demos of the other tasks (detection, segmentation, embeddings); none when the build has no tasks.json. */
export async function loadTaskDemos(): Promise<DemoManifest[]> {
  const response = await fetch(new URL('tasks.json', DEMO_BASE)).catch(() => null);
  // A static host answers a missing file with its index page (HTML): no task demos then.
  if (!response?.ok || !response.headers.get('content-type')?.includes('json')) return [];
  return (await response.json()) as DemoManifest[];
}

export async function fetchDemoModel(path: string): Promise<Blob> {
  return (await fetchOk(path)).blob();
}

/**
 * The demo's test set, imported into IndexedDB once like any dataset (hashed in the data worker,
 * so it has a fingerprint), then reused offline.
 */
export async function ensureDemoDataset(manifest: DemoManifest): Promise<DatasetSummary> {
  const cached = await getDataset(manifest.testSetId);
  if (cached?.fingerprint) return cached;
  return importDataset({ kind: 'pack', url: new URL(manifest.testSet, DEMO_BASE).href, id: manifest.testSetId });
}
