/**
 * `--data` as the app's importer reads it, from disk: a folder is what "Import a folder…" takes
 * (a manifest, a COCO .json or a masks/ folder inside, else class subfolders); files are what
 * "Import…" takes (a .zip, a .npz, an IDX pair, a manifest or COCO file with the images next to
 * it, a labels file), sniffed by magic bytes and name; a quantlens-pack .json is the demo's format.
 * The sample sources themselves are the app's (src/storage/import/sources.ts); this file repeats
 * only the few lines of import.ts that pick one (that module stores into IndexedDB).
 * Samples are hashed as the app hashes them, so the dataset fingerprint is the app's.
 */
import { dirname } from 'node:path';
import type { DatasetSample, DatasetSummary, SkippedFile } from '../core/data/dataset.ts';
import { datasetFingerprint, sampleHash } from '../core/data/fingerprint.ts';
import { readIdxHeader } from '../core/data/formats/idx.ts';
import { readPack } from '../core/data/pack.ts';
import { QuantLensError } from '../core/errors.ts';
import { GZIP_MAGIC, IDX_MAGIC, ZIP_MAGIC, cocoSource, idxSource, isManifestFile, looksLikeCoco, looksLikePack, manifestSource, npzSource, packSource, readLabels, treeSource, type SampleSource } from '../storage/import/sources.ts';
import { treeOfZip, type TreeFile } from '../storage/import/tree.ts';
import { statPath, treeFileOf, treeOfFolder } from './files.ts';

export interface LoadedDataset {
  name: string;
  /** Which reader made it: folder, manifest, coco, masks, idx, npz, zip or pack. */
  format: string;
  content: NonNullable<DatasetSummary['content']>;
  target?: DatasetSummary['target'];
  classNames: string[];
  /** Every sample, indexed and hashed (sha256 set). */
  samples: DatasetSample[];
  /** Files or lines left out, with the reason (the app lists the same). */
  skipped: SkippedFile[];
  fingerprint: string;
}

/** Reads and hashes the dataset named by --data (and --labels); with a limit, its first `limit` samples are the dataset. */
export async function loadDataset(paths: readonly string[], labelsPath: string | undefined, limit = Infinity): Promise<LoadedDataset> {
  const { source, close } = await openSource(paths, labelsPath);
  try {
    const samples: DatasetSample[] = [];
    for await (const draft of source.samples()) {
      const sample = { ...draft, index: samples.length } as DatasetSample;
      sample.sha256 = await sampleHash(sample);
      samples.push(sample);
      if (samples.length >= limit) break;
    }
    if (samples.length === 0) {
      const reasons = source.skipped.slice(0, 3).map((s) => `${s.name}: ${s.reason}`).join('; ');
      throw new QuantLensError('dataset-empty', `Nothing in '${source.name}' could be read as a sample${reasons ? ` (${source.skipped.length} left out: ${reasons}${source.skipped.length > 3 ? '; …' : ''})` : ''}.`, 'Check --data: class subfolders of PNG images, a manifest, COCO .json, IDX, .npz or a quantlens pack.');
    }
    const classNames = source.classNames;
    return {
      name: Number.isFinite(limit) ? `${source.name} (first ${samples.length})` : source.name,
      format: source.format,
      content: source.content,
      ...(source.target ? { target: source.target } : {}),
      classNames,
      samples,
      skipped: source.skipped,
      fingerprint: await datasetFingerprint(samples.map((s) => ({ sha256: s.sha256!, label: s.label })), classNames),
    };
  } catch (error) {
    throw asDatasetError(error, paths);
  } finally {
    await close();
  }
}

interface OpenedSource {
  source: SampleSource;
  close: () => Promise<void>;
}

async function openSource(paths: readonly string[], labelsPath: string | undefined): Promise<OpenedSource> {
  const labelsFile = labelsPath === undefined ? null : await treeFileOf(labelsPath, 'labels file');
  if (paths.length === 1 && statPath(paths[0], 'data').isDirectory()) {
    const tree = treeOfFolder(paths[0]);
    if (tree.files.length === 0) throw new QuantLensError('dataset-empty', `The data folder '${paths[0]}' is empty.`, 'Give a folder with one subfolder per class, each holding images (e.g. digits/7/img001.png).');
    return { source: await treeSource(tree, labelsFile), close: () => tree.close() };
  }
  const files = await Promise.all(paths.map((path) => treeFileOf(path, 'data file')));
  return filesSource(files, paths, labelsFile);
}

type BlobFile = TreeFile & { blob: Blob };

/** import.ts's filesSource, for paths given on the command line (+ the pack, which the app imports by URL). */
async function filesSource(files: BlobFile[], paths: readonly string[], labelsFile: BlobFile | null): Promise<OpenedSource> {
  const none = async () => undefined;
  const labels = labelsFile ? await readLabels(labelsFile) : null;
  const classNames = labels?.classNames ?? null;
  const withLabelIssues = (source: SampleSource) => {
    source.skipped.unshift(...(labels?.skipped ?? []));
    return { source, close: none };
  };
  const npz: BlobFile[] = [];
  const zips: BlobFile[] = [];
  const idxImages: BlobFile[] = [];
  const idxLabels: BlobFile[] = [];
  const rest: { file: BlobFile; path: string }[] = [];
  for (const [i, file] of files.entries()) {
    const magic = new Uint8Array(await file.blob.slice(0, 8).arrayBuffer());
    if (ZIP_MAGIC(magic)) (/\.npz$/i.test(file.path) ? npz : zips).push(file);
    else if (IDX_MAGIC(magic) || (GZIP_MAGIC(magic) && /idx|ubyte/i.test(file.path))) ((await readIdxHeader(file.blob, file.path)).dims.length === 1 ? idxLabels : idxImages).push(file);
    else rest.push({ file, path: paths[i] });
  }
  if (npz.length + zips.length + idxImages.length + idxLabels.length > 0 && rest.length > 0) {
    throw new QuantLensError('invalid-input', `'${rest[0].path}' cannot be read together with a .npz, IDX or .zip file.`, 'Give one dataset: a folder, a .zip, a .npz, an IDX image file and its label file, a manifest or COCO .json, or a pack; class names go in --labels.');
  }
  if (npz.length) {
    if (npz.length > 1 || zips.length || idxImages.length) throw new QuantLensError('invalid-input', 'Give one .npz at a time.', 'Pass a single --data set.npz.');
    return withLabelIssues(await npzSource(npz[0], classNames));
  }
  if (idxImages.length || idxLabels.length) {
    if (idxImages.length !== 1 || idxLabels.length > 1 || zips.length) {
      throw new QuantLensError('invalid-input', `Got ${idxImages.length} IDX image files and ${idxLabels.length} IDX label files.`, 'Give one IDX image file and its label file: --data t10k-images-idx3-ubyte.gz --data t10k-labels-idx1-ubyte.gz');
    }
    return withLabelIssues(await idxSource(idxImages[0], idxLabels[0] ?? null, classNames));
  }
  if (zips.length) {
    if (zips.length > 1) throw new QuantLensError('invalid-input', `${zips.length} zip files were given: one at a time.`, 'Pass a single --data set.zip.');
    const tree = await treeOfZip(zips[0].blob, zips[0].path);
    if (tree.files.length > 0 && tree.files.every((f) => f.path.endsWith('.npy'))) {
      await tree.close();
      return withLabelIssues(await npzSource(zips[0], classNames));
    }
    try {
      return { source: await treeSource(tree, labelsFile), close: () => tree.close() };
    } catch (error) {
      await tree.close();
      throw error;
    }
  }
  if (rest.length > 1) throw new QuantLensError('invalid-input', `${rest.length} data files were given; only an IDX pair is given as two.`, 'Give a folder, or one file (a manifest or COCO .json sitting next to its images, a .zip, a .npz, a pack).');
  const { file, path } = rest[0];
  const bytes = await file.read();
  if (/\.json$/i.test(file.path) && looksLikePack(bytes)) return withLabelIssues(packFileSource(bytes, file.path));
  // A manifest or COCO file names images relative to its own folder: read that folder as the tree.
  const isCoco = /\.json$/i.test(file.path) && looksLikeCoco(bytes);
  if (!isCoco && !isManifestFile(file.path)) {
    throw new QuantLensError('dataset-invalid', `'${path}' is not a dataset the app reads (a folder, .zip, .npz, IDX, a .csv/.jsonl manifest, a COCO .json or a quantlens pack).`, 'For images in class subfolders, give the folder itself.');
  }
  const folder = treeOfFolder(dirname(path));
  const self = folder.files.find((f) => f.path === file.path) ?? file;
  return withLabelIssues(isCoco ? await cocoSource(folder, self) : await manifestSource(folder, self, classNames));
}

/** The demo's format: a quantlens-pack JSON with base64 images (read whole; the app imports it by URL). */
function packFileSource(bytes: Uint8Array, fileName: string): SampleSource {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new QuantLensError('dataset-invalid', `'${fileName}' is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`, 'Regenerate the pack.', { cause: error });
  }
  return packSource(readPack(json));
}

/** Errors a reader did not anticipate (a corrupt zip, a truncated gzip) still name the data and exit 3. */
function asDatasetError(error: unknown, paths: readonly string[]): unknown {
  if (error instanceof QuantLensError) return error;
  return new QuantLensError('dataset-invalid', `The data '${paths.join("', '")}' could not be read: ${error instanceof Error ? error.message : String(error)}.`, 'Check that the file is complete and in one of the formats of `quantlens eval --help`.', { cause: error });
}
