/**
 * What the user has set up: stored datasets, the picked model pair, preprocessing and providers.
 * The run itself lives in Evaluation.
 */
import { toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { DEFAULT_CHOICES, type ProviderChoice } from '../core/providers/table.ts';
import { deleteDataset, listDatasets, sweepIncompleteImports } from '../storage/db.ts';
import type { ModelRole } from '../workers/client.ts';
import { importFolder, type PickedFile } from './folder-import.ts';
import type { ModelSource } from './evaluation.svelte.ts';
import type { ModelInfo } from '../core/onnx/info.ts';
import { suggestSpec } from '../core/preprocess/index.ts';
import { DataWorker } from '../workers/client.ts';

export interface PickedModel {
  info: ModelInfo | null;
  /** Why this file cannot be used, in plain words. */
  problem: string | null;
}

export class Workbench {
  datasets = $state.raw<DatasetSummary[]>([]);
  selectedDatasetId = $state<string | null>(null);
  models = $state.raw<Record<ModelRole, ModelSource | null>>({ float: null, quantized: null });
  spec = $state.raw<PreprocessSpec | null>(null);
  providers = $state.raw<Record<ModelRole, ProviderChoice>>({ ...DEFAULT_CHOICES });
  importing = $state.raw<{ done: number; total: number } | null>(null);
  /** Problems outside a run (storage, import), shown in the same banner as run errors. */
  error = $state.raw<ErrorInfo | null>(null);
  notice = $state<string | null>(null);
  picked = $state.raw<Record<ModelRole, PickedModel>>({ float: { info: null, problem: null }, quantized: { info: null, problem: null } });
  #inspector: DataWorker | null = null;

  readonly selectedDataset = $derived(this.datasets.find((d) => d.id === this.selectedDatasetId) ?? null);

  async refresh(): Promise<void> {
    await this.#guard(async () => {
      await sweepIncompleteImports();
      this.datasets = await listDatasets();
    });
  }

  async importFolder(files: PickedFile[]): Promise<void> {
    this.importing = { done: 0, total: files.length };
    await this.#guard(async () => {
      const summary = await importFolder(files, (done, total) => (this.importing = { done, total }));
      this.datasets = await listDatasets();
      this.selectedDatasetId = summary.id;
      const skipped = summary.skipped.length;
      this.notice = `Imported '${summary.name}': ${summary.sampleCount} images in ${summary.classNames.length} classes${skipped ? `, ${skipped} files skipped` : ''}.`;
    });
    this.importing = null;
  }

  async deleteDataset(id: string): Promise<void> {
    await this.#guard(async () => {
      await deleteDataset(id);
      if (this.selectedDatasetId === id) this.selectedDatasetId = null;
      this.datasets = await listDatasets();
    });
  }

  /** Checks a picked file right away (off the main thread) and suggests preprocessing from the float model. */
  async pickModel(role: ModelRole, file: File): Promise<void> {
    this.models = { ...this.models, [role]: null };
    let picked: PickedModel;
    try {
      this.#inspector ??= new DataWorker();
      const info = await this.#inspector.inspectModel(new Uint8Array(await file.arrayBuffer()));
      picked = { info, problem: null };
      this.models = { ...this.models, [role]: { name: file.name, blob: file } satisfies ModelSource };
      if (role === 'float' && info.inputs[0]) this.spec = suggestSpec(info.inputs[0]);
    } catch (error) {
      const { message, hint } = toErrorInfo(error);
      picked = { info: null, problem: `'${file.name}': ${message} ${hint}` };
    }
    this.picked = { ...this.picked, [role]: picked };
  }

  async #guard(work: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await work();
    } catch (error) {
      this.error = toErrorInfo(error);
    }
  }
}
