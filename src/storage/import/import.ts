/**
 * One entry point for every dataset import: works out what was picked (a folder, a zip, IDX files,
 * a .npz, a manifest or COCO file with its images, masks, a labels file), streams the samples,
 * hashes each (SHA-256) and stores them in bounded transactions. Runs in the data worker.
 */
import type { DatasetSummary, SkippedFile } from '../../core/data/dataset.ts';
import { sampleHash } from '../../core/data/fingerprint.ts';
import { readIdxHeader } from '../../core/data/formats/idx.ts';
import { readPack } from '../../core/data/pack.ts';
import { QuantLensError } from '../../core/errors.ts';
import { deleteDataset, getDataset, saveDataset, type SampleRow } from '../db.ts';
import { GZIP_MAGIC, IDX_MAGIC, ZIP_MAGIC, idxSource, isLabelsFile, isManifestFile, npzSource, packSource, readLabels, treeSource, type DraftSample, type SampleSource } from './sources.ts';
import { treeOfPicked, treeOfZip, type FileTree, type PickedFile, type TreeFile } from './tree.ts';

export type { PickedFile } from './tree.ts';

export type ImportRequest =
  /** The folder picker: one folder (class subfolders, or a manifest / COCO file / masks inside). */
  | { kind: 'folder'; files: PickedFile[] }
  /** "Import…": any files (zip, .npz, IDX pair, manifest + images, labels file), sniffed by name and content. */
  | { kind: 'files'; files: PickedFile[] }
  /** A quantlens-pack JSON (the demo), stored under a fixed id. */
  | { kind: 'pack'; url: string; id: string };

export interface ImportProgress {
  done: number;
  total: number;
}

const BATCH = 256;

/** Imports and stores a dataset; resolves with its summary (fingerprint included). */
export async function importDataset(request: ImportRequest, onProgress: (progress: ImportProgress) => void = () => {}): Promise<DatasetSummary> {
  if (request.kind === 'pack') return importPack(request.url, request.id, onProgress);
  const { source, close } = request.kind === 'folder' ? await folderSource(request.files) : await filesSource(request.files);
  try {
    return await store(source, `${request.kind}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, 'folder', onProgress);
  } finally {
    await close();
  }
}

async function folderSource(files: PickedFile[]): Promise<{ source: SampleSource; close: () => Promise<void> }> {
  if (files.length === 0) throw new QuantLensError('dataset-empty', 'The folder you picked is empty.', 'Pick a folder with one subfolder per class, each holding images (e.g. digits/7/img001.png).');
  const tree = treeOfPicked(files, 'Imported folder');
  return { source: await treeSource(tree, null), close: () => tree.close() };
}


/** "Import…": sniffs each picked file by its first bytes and name. */
async function filesSource(files: PickedFile[]): Promise<{ source: SampleSource; close: () => Promise<void> }> {
  if (files.length === 0) throw new QuantLensError('dataset-empty', 'No file was picked.', 'Pick a .zip, a .npz, IDX files, or a manifest with its images.');
  const loose = treeOfPicked(files, files.length === 1 ? files[0].file.name.replace(/\.[^.]*$/, '') : 'Imported files');
  const zips: TreeFile[] = [];
  const npz: TreeFile[] = [];
  const idxImages: TreeFile[] = [];
  const idxLabels: TreeFile[] = [];
  let labels: TreeFile | null = null;
  const rest: TreeFile[] = [];
  for (const file of loose.files) {
    const head = new Uint8Array(await file.blob!.slice(0, 8).arrayBuffer());
    if (ZIP_MAGIC(head)) (/\.npz$/i.test(file.path) ? npz : zips).push(file);
    else if (IDX_MAGIC(head) || (GZIP_MAGIC(head) && /idx|ubyte/i.test(file.path))) {
      const header = await readIdxHeader(file.blob!, file.path);
      (header.dims.length === 1 ? idxLabels : idxImages).push(file);
    } else if (isLabelsFile(file.path) || /\.txt$/i.test(file.path)) labels = file;
    else rest.push(file);
  }
  const labelNames = labels ? await readLabels(labels) : null;
  const withBlob = (f: TreeFile) => f as TreeFile & { blob: Blob };
  const single = (source: SampleSource) => {
    source.skipped.unshift(...(labelNames?.skipped ?? []), ...rest.map((f) => ({ name: f.path, reason: 'not part of this import (a .npz, IDX or zip import reads only those files and a labels file)' })));
    return { source, close: async () => undefined };
  };
  if (npz.length) {
    if (npz.length > 1) throw new QuantLensError('invalid-input', `${npz.length} .npz files were picked: import one at a time.`, 'Pick a single .npz (and, if you like, a labels file).');
    return single(await npzSource(withBlob(npz[0]), labelNames?.classNames ?? null));
  }
  if (idxImages.length || idxLabels.length) {
    if (idxImages.length !== 1 || idxLabels.length > 1) {
      throw new QuantLensError('invalid-input', `Picked ${idxImages.length} IDX image files and ${idxLabels.length} IDX label files.`, 'Pick one IDX image file (e.g. t10k-images-idx3-ubyte.gz) and its label file (t10k-labels-idx1-ubyte.gz).');
    }
    return single(await idxSource(withBlob(idxImages[0]), idxLabels[0] ? withBlob(idxLabels[0]) : null, labelNames?.classNames ?? null));
  }
  if (zips.length) {
    if (zips.length > 1) throw new QuantLensError('invalid-input', `${zips.length} zip files were picked: import one at a time.`, 'Pick a single .zip.');
    const tree = await treeOfZip(zips[0].blob!, zips[0].path);
    // A zip of .npy arrays is a .npz under another name.
    if (tree.files.length > 0 && tree.files.every((f) => f.path.endsWith('.npy'))) {
      await tree.close();
      return single(await npzSource(withBlob(zips[0]), labelNames?.classNames ?? null));
    }
    try {
      const source = await treeSource(tree, labels);
      source.skipped.push(...rest.map((f) => ({ name: f.path, reason: 'picked next to a zip: only the zip (and a labels file) is read' })));
      return { source, close: () => tree.close() };
    } catch (error) {
      await tree.close();
      throw error;
    }
  }
  // Loose files: a manifest or COCO file with the images it names, side by side.
  const tree: FileTree = { ...loose, files: labels ? loose.files.filter((f) => f !== labels) : loose.files };
  if (!tree.files.some((f) => isManifestFile(f.path) || /\.json$/i.test(f.path))) {
    throw new QuantLensError('dataset-invalid', `None of the picked files is a dataset by itself (${files.slice(0, 3).map((f) => f.file.name).join(', ')}${files.length > 3 ? ', …' : ''}).`, 'Pick a .zip, a .npz, an IDX pair, or a manifest (.csv/.jsonl) or COCO .json together with its images; for a folder of class subfolders use "Import a folder…".');
  }
  return { source: await treeSource(tree, labels), close: async () => undefined };
}

async function importPack(url: string, id: string, onProgress: (progress: ImportProgress) => void): Promise<DatasetSummary> {
  const cached = await getDataset(id);
  if (cached?.fingerprint) return cached;
  if (cached) await deleteDataset(id); // stored before fingerprints existed: store again, hashed
  const response = await fetch(url);
  if (!response.ok) throw new QuantLensError('dataset-invalid', `The dataset pack ${url} is missing (HTTP ${response.status}).`, 'Rebuild the app (npm run build) or report a broken deployment.');
  const pack = readPack(await response.json());
  const source = packSource(pack);

  return store(source, id, 'demo', onProgress);
}

/** Hashes and stores a source's samples in batches; the summary is complete only at the very end. */
async function store(source: SampleSource, id: string, origin: DatasetSummary['source'], onProgress: (progress: ImportProgress) => void): Promise<DatasetSummary> {
  const summary: DatasetSummary = {
    id,
    name: source.name,
    source: origin,
    createdAt: Date.now(),
    sampleCount: 0,
    classNames: source.classNames,
    sizeBytes: 0,
    skipped: source.skipped,
    ...(source.format !== 'folder' && source.format !== 'pack' ? { format: source.format } : {}),
    ...(source.content !== 'images' ? { content: source.content } : {}),
    ...(source.target ? { target: source.target } : {}),
  };
  const skippedBefore = source.skipped.length;
  async function* batches(): AsyncGenerator<SampleRow[]> {
    let drafts: DraftSample[] = [];
    const flush = async () => {
      const rows = await Promise.all(drafts.map(async (draft, i): Promise<SampleRow> => {
        const row = { ...draft, index: summary.sampleCount + i } as SampleRow;
        row.sha256 = await sampleHash(row);
        return row;
      }));
      summary.sampleCount += rows.length;
      summary.sizeBytes += rows.reduce((n, r) => n + (r.kind === 'tensor' ? r.data.byteLength : r.bytes.byteLength), 0);
      drafts = [];
      onProgress({ done: summary.sampleCount + source.skipped.length - skippedBefore, total: source.expectedCount });
      return rows;
    };
    for await (const draft of source.samples()) {
      drafts.push(draft);
      if (drafts.length === BATCH) yield await flush();
    }
    if (drafts.length) yield await flush();
    summary.classNames = source.classNames;
  }
  const saved = await saveDataset(summary, batches(), { expectedBytes: source.expectedBytes });
  if (saved.sampleCount === 0) {
    await deleteDataset(saved.id);
    const reasons = describeSkipped(saved.skipped);
    throw new QuantLensError('dataset-empty', `Nothing in '${saved.name}' could be imported${reasons}.`, 'Check the files: see the reasons above, fix them, and import again.');
  }
  return saved;
}

function describeSkipped(skipped: SkippedFile[]): string {
  if (skipped.length === 0) return '';
  const first = skipped.slice(0, 3).map((s) => `${s.name}: ${s.reason}`).join('; ');
  return ` (${skipped.length} files skipped: ${first}${skipped.length > 3 ? '; …' : ''})`;
}

