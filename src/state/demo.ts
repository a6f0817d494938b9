/** The bundled demo: a manifest in public/demo naming the model pair, the test set and its preprocessing. */
import { QuantLensError } from '../core/errors.ts';
import { readPack } from '../core/data/pack.ts';
import type { DatasetSummary, EncodedSample } from '../core/data/dataset.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { getDataset, saveDataset } from '../storage/db.ts';

export interface DemoManifest {
  title: string;
  description: string;
  floatModel: string;
  quantizedModel: string;
  testSet: string;
  /** Bump when the pack changes, so a stale cached copy is not reused. */
  testSetId: string;
  preprocess: PreprocessSpec;
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

export async function fetchDemoModel(path: string): Promise<Blob> {
  return (await fetchOk(path)).blob();
}

/** The demo's test set, imported into IndexedDB once like any dataset, then reused offline. */
export async function ensureDemoDataset(manifest: DemoManifest): Promise<DatasetSummary> {
  const cached = await getDataset(manifest.testSetId);
  if (cached) return cached;
  const pack = readPack(await (await fetchOk(manifest.testSet)).json());
  const summary: DatasetSummary = {
    id: manifest.testSetId,
    name: pack.name,
    source: 'demo',
    createdAt: Date.now(),
    sampleCount: pack.samples.length,
    classNames: pack.classNames,
    sizeBytes: pack.samples.reduce((sum, s) => sum + s.bytes.byteLength, 0),
    skipped: [],
  };
  await saveDataset(summary, batches(pack.samples, 500));
  return summary;
}

function* batches(samples: EncodedSample[], size: number): Generator<EncodedSample[]> {
  for (let i = 0; i < samples.length; i += size) yield samples.slice(i, i + size);
}
