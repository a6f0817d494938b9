/**
 * What the user has set up: stored datasets, the picked model pair, preprocessing and providers.
 * The run itself lives in Evaluation.
 */
import { QuantLensError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { assertMemoryFits } from '../core/providers/memory.ts';
import { readDeviceMemory } from '../workers/device-limits.ts';
import type { DatasetSummary } from '../core/data/dataset.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import type { TaskSettings } from '../core/tasks/types.ts';
import { labelMapSettings } from '../core/tasks/classification.ts';
import type { LabelMapping } from '../core/data/formats/labels.ts';
import { DEFAULT_CHOICES, type ProviderChoice } from '../core/providers/table.ts';
import { deleteDataset, listDatasets, sweepIncompleteImports } from '../storage/db.ts';
import type { ModelRole } from '../workers/client.ts';
import { backfillFingerprints, exportPreprocessed, importDataset, storeSplit, type ImportRequest, type PickedFile } from './dataset-import.ts';
import { StorageState } from './storage.svelte.ts';
import type { ModelSource } from './evaluation.svelte.ts';
import type { ModelInfo } from '../core/onnx/info.ts';
import { suggestSpec } from '../core/preprocess/index.ts';
import { DataWorker } from '../workers/client.ts';

export interface PickedModel {
  info: ModelInfo | null;
  /** Why this file cannot be used, in plain words. */
  problem: string | null;
  /** The data files whose weights were copied into the model (external data), by name. */
  dataFiles: string[];
}

export class Workbench {
  datasets = $state.raw<DatasetSummary[]>([]);
  selectedDatasetId = $state<string | null>(null);
  models = $state.raw<Record<ModelRole, ModelSource | null>>({ float: null, quantized: null });
  spec = $state.raw<PreprocessSpec | null>(null);
  #task = $state.raw<TaskSettings>({ kind: 'classification' });
  /** Dataset class → model output (LabelMapping.svelte suggests it, the user may fix it), for that dataset. */
  labelMapping = $state.raw<{ datasetId: string; mapping: LabelMapping } | null>(null);
  providers = $state.raw<Record<ModelRole, ProviderChoice>>({ ...DEFAULT_CHOICES });
  importing = $state.raw<{ done: number; total: number } | null>(null);
  exporting = $state.raw<{ done: number; total: number } | null>(null);
  /** What the last import left out, per file, with the reason. */
  lastSkipped = $state.raw<{ name: string; reason: string }[]>([]);
  /** Usage, quota, persistence, cached tensors. */
  readonly storage = new StorageState();
  /** Problems outside a run (storage, import), shown in the same banner as run errors. */
  error = $state.raw<ErrorInfo | null>(null);
  notice = $state<string | null>(null);
  /** The stored field samples (spot check) of the selected dataset's classes; SetupPanel looks them up. */
  matchingFieldSamples = $state.raw<DatasetSummary | null>(null);
  /** Whether a run of the selected dataset also evaluates those field samples, as their own segment. */
  includeFieldSamples = $state(false);
  picked = $state.raw<Record<ModelRole, PickedModel>>({ float: { info: null, problem: null, dataFiles: [] }, quantized: { info: null, problem: null, dataFiles: [] } });

  readonly selectedDataset = $derived(this.datasets.find((d) => d.id === this.selectedDatasetId) ?? null);

  /** What the models' outputs are measured as; a classification of the mapped dataset carries its label map. */
  get task(): TaskSettings {
    const task = { ...this.#task, labelMap: undefined, labelMapClassNames: undefined };
    const mapped = this.labelMapping;
    return task.kind === 'classification' && mapped && mapped.datasetId === this.selectedDatasetId ? { ...task, ...labelMapSettings(mapped.mapping) } : task;
  }
  set task(task: TaskSettings) {
    this.#task = task;
  }

  async refresh(): Promise<void> {
    await this.#guard(async () => {
      await sweepIncompleteImports();
      this.datasets = await listDatasets();
      // Datasets stored by an older version get their hashes (and fingerprint) now, in a worker.
      if ((await backfillFingerprints()).length) this.datasets = await listDatasets();
    });
    void this.storage.refresh();
  }

  /** The folder picker: class subfolders, or a folder holding a manifest, a COCO file or masks. */
  importFolder(files: PickedFile[]): Promise<void> {
    return this.#import({ kind: 'folder', files });
  }

  /** "Import…": a zip, a .npz, IDX files, a manifest or COCO file with its images, a labels file. */
  importFiles(files: PickedFile[]): Promise<void> {
    return this.#import({ kind: 'files', files });
  }

  async #import(request: ImportRequest & { files: PickedFile[] }): Promise<void> {
    this.notice = null;
    this.lastSkipped = [];
    this.importing = { done: 0, total: request.files.length };
    await this.#guard(async () => {
      const summary = await importDataset(request, (progress) => (this.importing = progress));
      this.datasets = await listDatasets();
      this.selectedDatasetId = summary.id;
      const skipped = summary.skipped.length;
      const what = summary.content === 'inputs' ? 'preprocessed inputs' : summary.target === 'boxes' ? 'images with boxes' : summary.target === 'mask' ? 'images with masks' : 'images';
      this.lastSkipped = summary.skipped;
      this.notice = `Imported '${summary.name}': ${summary.sampleCount} ${what} in ${summary.classNames.length} classes${skipped ? `, ${skipped} files skipped` : ''}.`;
    });
    this.importing = null;
    void this.storage.refresh();
  }

  async deleteDataset(id: string): Promise<void> {
    await this.#guard(async () => {
      await deleteDataset(id);
      if (this.selectedDatasetId === id) this.selectedDatasetId = null;
      this.datasets = await listDatasets();
    });
    void this.storage.refresh();
  }

  /** Stores a seeded, stratified test/calibration split; evaluation then uses the test part. */
  async splitDataset(id: string, options: { seed: number; fraction: number }): Promise<void> {
    await this.#guard(async () => {
      const summary = await storeSplit(id, options);
      this.datasets = await listDatasets();
      const split = summary.split;
      this.notice = split
        ? `Split '${summary.name}' (seed ${split.seed}): ${split.testCount} test, ${split.calibrationCount} calibration samples${split.duplicateGroups ? `; ${split.duplicateGroups} groups of identical images, each kept on one side` : ''}.`
        : `'${summary.name}' has no split: every sample is a test sample.`;
    });
  }

  /** Downloads the selected dataset through the current preprocessing as a .npz (x, y, index). */
  async exportPreprocessed(): Promise<{ blob: Blob; name: string } | null> {
    const dataset = this.selectedDataset;
    const spec = this.spec;
    if (!dataset || !spec) return null;
    let exported: { blob: Blob; name: string } | null = null;
    this.exporting = { done: 0, total: dataset.sampleCount };
    await this.#guard(async () => {
      const { blob, fingerprint, sampleCount } = await exportPreprocessed(dataset, spec, (done, total) => (this.exporting = { done, total }));
      exported = { blob, name: `${dataset.name}.preprocessed.npz` };
      this.notice = `Exported ${sampleCount} preprocessed samples of '${dataset.name}' (${(blob.size / 1024 ** 2).toFixed(1)} MB). Imported on another device, this file has the dataset fingerprint ${fingerprint}.`;
    });
    this.exporting = null;
    void this.storage.refresh();
    return exported;
  }

  /**
   * Checks a picked model right away (off the main thread) and suggests preprocessing from the float
   * model. `files` may hold the .onnx with the data files it keeps its weights in: they are copied
   * into one self-contained model. Too large for the engine or the device: refused from the files'
   * sizes, before a byte is read.
   */
  async pickModel(role: ModelRole, files: File | readonly File[]): Promise<void> {
    this.models = { ...this.models, [role]: null };
    const list = Array.isArray(files) ? files : [files as File];
    const onnx = list.filter((f) => /\.onnx$/i.test(f.name));
    const modelFile = onnx.length === 1 ? onnx[0] : list.length === 1 ? list[0] : null;
    let picked: PickedModel;
    // A worker per pick, ended right after: it received the whole file, and an idle worker kept that copy until
    // its next GC (in issue 10's load test a 200 MB model's copy was still there during the run).
    const inspector = new DataWorker();
    try {
      if (!modelFile) {
        throw new QuantLensError('invalid-input', onnx.length > 1 ? `${onnx.length} .onnx files were picked together.` : 'None of the picked files is an .onnx model.', 'Pick one .onnx model, with its data files if it has any.');
      }
      const dataFiles = list.filter((f) => f !== modelFile);
      const bytes = list.reduce((n, f) => n + f.size, 0);
      const other = this.models[role === 'float' ? 'quantized' : 'float'];
      const footprints = [{ label: 'This model', bytes }, ...(other ? [{ label: `The other model '${other.name}'`, bytes: other.blob.size }] : [])];
      assertMemoryFits(footprints, readDeviceMemory());
      const opened = await inspector.openModel(modelFile, dataFiles);
      picked = { info: opened.info, problem: null, dataFiles: opened.dataFiles };
      const blob = opened.bytes ? new Blob([opened.bytes as Uint8Array<ArrayBuffer>]) : modelFile;
      this.models = { ...this.models, [role]: { name: modelFile.name, blob } satisfies ModelSource };
      if (role === 'float' && opened.info.inputs[0]) this.spec = suggestSpec(opened.info.inputs[0]);
    } catch (error) {
      const { message, hint } = toErrorInfo(error);
      picked = { info: null, problem: `${modelFile ? `'${modelFile.name}': ` : ''}${message} ${hint}`, dataFiles: [] };
    } finally {
      inspector.terminate();
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
