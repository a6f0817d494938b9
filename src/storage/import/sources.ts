/**
 * The dataset formats as sample sources: each turns a tree or files into class names and a stream
 * of samples (no index yet), reporting every file or line it leaves out. `run.ts` hashes and stores.
 */
import type { DatasetSummary, SampleTarget, SkippedFile, TensorSample } from '../../core/data/dataset.ts';
import { sniffImageType } from '../../core/data/decode.ts';
import { planFolderImport } from '../../core/data/folder.ts';
import { parseCocoJson } from '../../core/data/formats/coco.ts';
import { openIdxDataset } from '../../core/data/formats/idx.ts';
import { parseLabelsFile, normaliseClassName } from '../../core/data/formats/labels.ts';
import { parseManifest } from '../../core/data/formats/manifest.ts';
import { checkMask, decodeMask, pairMasksByStem, IGNORE_INDEX } from '../../core/data/formats/masks.ts';
import { openNpz, sampleBytes } from '../../core/data/formats/npz.ts';
import { exactBuffer } from '../../core/data/formats/zip.ts';
import { QuantLensError } from '../../core/errors.ts';
import type { readPack } from '../../core/data/pack.ts';
import { baseName, dirName, type FileTree, type TreeFile } from './tree.ts';

/** A sample before it has an index and a hash. */
export type DraftSample =
  | { kind: 'encoded'; name: string; label: number | null; mime: string; bytes: ArrayBuffer; tags?: Record<string, string>; target?: SampleTarget }
  | (Omit<TensorSample, 'index'> & { target?: SampleTarget });

export interface SampleSource {
  name: string;
  format: NonNullable<DatasetSummary['format']> | 'folder' | 'pack';
  content: NonNullable<DatasetSummary['content']>;
  target?: DatasetSummary['target'];
  /** May be filled in while streaming (masks learn their classes from the pixels). */
  classNames: string[];
  /** Upper bound for progress. */
  expectedCount: number;
  /** Rough size the stored dataset will take (for the storage-full message). */
  expectedBytes: number;
  skipped: SkippedFile[];
  samples(): AsyncGenerator<DraftSample>;
}

const IMAGE_NAME = /\.(png|jpe?g|webp|gif|bmp)$/i;
const LABELS_NAME = /(^|\/)(labels|classes|class_names|synset)\.txt$|\.names$/i;
const MANIFEST_NAME = /\.(csv|jsonl|ndjson)$/i;
const MASK_DIRS = /^(masks?|segmentationclass|segmentation|labels|annotations)$/i;
const NOT_AN_IMAGE = 'content is not a PNG, JPEG, WebP, GIF or BMP image';

async function readImage(file: TreeFile, name: string, skip: (s: SkippedFile) => void): Promise<{ mime: string; bytes: ArrayBuffer } | null> {
  let bytes: Uint8Array;
  try {
    bytes = await file.read();
  } catch (error) {
    skip({ name, reason: `could not be read (${error instanceof Error ? error.message : String(error)})` });
    return null;
  }
  const mime = sniffImageType(bytes.subarray(0, 16));
  if (!mime) {
    skip({ name, reason: NOT_AN_IMAGE });
    return null;
  }
  return { mime, bytes: exactBuffer(bytes) };
}

/** Class names from a labels file: applied by name to folder/manifest classes, by index to IDX/.npz. */
export async function readLabels(file: TreeFile): Promise<{ classNames: string[]; skipped: SkippedFile[] }> {
  const parsed = parseLabelsFile(await file.read(), file.path);
  return { classNames: parsed.classNames, skipped: parsed.issues.map((i) => ({ name: `${file.path}:${i.line}`, reason: i.reason })) };
}

/** One subfolder per class; with a labels file, its order is the class order and other folders are skipped. */
export function classFolderSource(tree: FileTree, labels: string[] | null): SampleSource {
  const plan = planFolderImport(tree.files.map((f) => ({ path: `${tree.name}/${f.path}`, size: f.size })));
  const byPath = new Map(tree.files.map((f) => [`${tree.name}/${f.path}`, f]));
  const skipped: SkippedFile[] = [...plan.skipped];
  let classNames = plan.classNames;
  let toLabel = (label: number): number | null => label;
  if (labels) {
    const index = new Map(labels.map((name, i) => [normaliseClassName(name), i]));
    const mapped = plan.classNames.map((name) => index.get(normaliseClassName(name)) ?? null);
    plan.classNames.forEach((name, i) => mapped[i] === null && skipped.push({ name: `${name}/`, reason: 'class folder not named in the labels file: its images are left out' }));
    classNames = labels;
    toLabel = (label) => mapped[label];
  }
  return {
    name: tree.name,
    format: 'folder',
    content: 'images',
    classNames,
    expectedCount: plan.entries.length,
    expectedBytes: plan.entries.reduce((n, e) => n + e.entry.size, 0),
    skipped,
    async *samples() {
      for (const item of plan.entries) {
        const label = toLabel(item.label);
        if (label === null) continue;
        const image = await readImage(byPath.get(item.entry.path)!, item.name, (s) => skipped.push(s));
        if (image) yield { kind: 'encoded', name: item.name, label, ...image };
      }
    },
  };
}

/** A CSV/JSONL manifest naming files relative to its folder, with labels and tags. */
export async function manifestSource(tree: FileTree, manifest: TreeFile, labels: string[] | null): Promise<SampleSource> {
  const base = dirName(manifest.path);
  const relative = (path: string) => (base ? (path.startsWith(`${base}/`) ? path.slice(base.length + 1) : null) : path);
  const byPath = new Map<string, TreeFile>();
  for (const file of tree.files) {
    const rel = relative(file.path);
    if (rel !== null && file !== manifest) byPath.set(rel, file);
  }
  const plan = parseManifest(await manifest.read(), manifest.path, { files: new Set(byPath.keys()), skipMalformedLines: true, ...(labels ? { classNames: labels } : {}) });
  const skipped: SkippedFile[] = plan.issues.map((i) => ({ name: `${baseName(manifest.path)}:${i.line}${i.file ? ` (${i.file})` : ''}`, reason: i.reason }));
  return {
    name: tree.name,
    format: 'manifest',
    content: 'images',
    classNames: plan.classNames,
    expectedCount: plan.rows.length,
    expectedBytes: plan.rows.reduce((n, r) => n + (byPath.get(r.file)?.size ?? 0), 0),
    skipped,
    async *samples() {
      for (const row of plan.rows) {
        const image = await readImage(byPath.get(row.file)!, row.file, (s) => skipped.push({ ...s, name: `${baseName(manifest.path)}:${row.line} (${s.name})` }));
        if (image) yield { kind: 'encoded', name: row.file, label: row.label, ...image, ...(row.tags ? { tags: row.tags } : {}) };
      }
    },
  };
}

/** COCO detection JSON and its images: each image a sample, its boxes as `target`. */
export async function cocoSource(tree: FileTree, json: TreeFile): Promise<SampleSource> {
  const coco = parseCocoJson(await json.read(), json.path);
  const images = tree.files.filter((f) => IMAGE_NAME.test(f.path));
  const byPath = new Map(images.map((f) => [f.path, f]));
  const byBase = new Map<string, TreeFile | null>();
  for (const f of images) byBase.set(baseName(f.path), byBase.has(baseName(f.path)) ? null : f);
  const base = dirName(json.path);
  const find = (fileName: string) => {
    const clean = fileName.replace(/\\/g, '/').replace(/^\.\//, '');
    const candidates = [clean, base ? `${base}/${clean}` : clean, `images/${clean}`, base ? `${dirName(base)}/images/${clean}`.replace(/^\//, '') : clean];
    for (const c of candidates) if (byPath.has(c)) return byPath.get(c)!;
    return byBase.get(baseName(clean)) ?? null;
  };
  const skipped: SkippedFile[] = coco.issues.map((i) => ({ name: `${baseName(json.path)}: ${i.where}`, reason: i.reason }));
  if (coco.issueCount > coco.issues.length) skipped.push({ name: baseName(json.path), reason: `${coco.issueCount - coco.issues.length} more problems not listed` });
  return {
    name: tree.name,
    format: 'coco',
    content: 'images',
    target: 'boxes',
    classNames: coco.classNames,
    expectedCount: coco.images.length,
    expectedBytes: images.reduce((n, f) => n + f.size, 0),
    skipped,
    async *samples() {
      for (const truth of coco.images) {
        const file = find(truth.fileName);
        if (!file) {
          skipped.push({ name: truth.fileName, reason: `image ${truth.imageId} of ${baseName(json.path)} is not among the picked files` });
          continue;
        }
        const image = await readImage(file, file.path, (s) => skipped.push(s));
        if (!image) continue;
        const target: SampleTarget = { kind: 'boxes', boxes: truth.boxes, classes: truth.classes, crowd: truth.crowd, areas: truth.areas, imageId: truth.imageId };
        yield { kind: 'encoded', name: file.path, label: null, ...image, target };
      }
    },
  };
}

/** Images and PNG class masks paired by file stem; the masks folder is named masks/, SegmentationClass/, … */
export function maskSource(tree: FileTree, maskDir: string, labels: string[] | null): SampleSource {
  const inMasks = (f: TreeFile) => f.path.startsWith(`${maskDir}/`);
  const maskFiles = tree.files.filter((f) => inMasks(f) && /\.png$/i.test(f.path));
  const imageFiles = tree.files.filter((f) => !inMasks(f) && IMAGE_NAME.test(f.path));
  const pairing = pairMasksByStem(imageFiles.map((f) => f.path), maskFiles.map((f) => f.path));
  const byPath = new Map(tree.files.map((f) => [f.path, f]));
  const skipped: SkippedFile[] = [
    ...pairing.unpairedImages.map((name) => ({ name, reason: 'no mask with the same file name' })),
    ...pairing.unpairedMasks.map((name) => ({ name, reason: 'no image with the same file name' })),
    ...pairing.ambiguous.flatMap((a) => a.paths.map((name) => ({ name, reason: `file name '${a.stem}' is used by several images or masks` }))),
  ];
  const source: SampleSource = {
    name: tree.name,
    format: 'masks',
    content: 'images',
    target: 'mask',
    classNames: labels ?? [],
    expectedCount: pairing.pairs.length,
    expectedBytes: pairing.pairs.reduce((n, p) => n + (byPath.get(p.image)?.size ?? 0) * 2, 0),
    skipped,
    async *samples() {
      let maxClass = -1;
      for (const pair of pairing.pairs) {
        const image = await readImage(byPath.get(pair.image)!, pair.image, (s) => skipped.push(s));
        if (!image) continue;
        let mask;
        try {
          mask = decodeMask(await byPath.get(pair.mask)!.read(), pair.mask);
        } catch (error) {
          skipped.push({ name: pair.mask, reason: error instanceof Error ? error.message : String(error) });
          continue;
        }
        const problems = labels ? checkMask(mask, labels.length) : [];
        if (problems.length) {
          skipped.push({ name: pair.mask, reason: problems.join('; ') });
          continue;
        }
        for (const v of mask.data) if (v !== IGNORE_INDEX && v > maxClass) maxClass = v;
        if (!labels) source.classNames = Array.from({ length: maxClass + 1 }, (_, i) => String(i));
        yield { kind: 'encoded', name: pair.image, label: null, ...image, target: { kind: 'mask', ...mask } };
      }
    },
  };
  return source;
}

/** MNIST-style IDX images (+ labels): uint8 pixel tensors, preprocessed like images at run time. */
export async function idxSource(images: TreeFile & { blob: Blob }, labels: (TreeFile & { blob: Blob }) | null, classNames: string[] | null): Promise<SampleSource> {
  const idx = await openIdxDataset({ blob: images.blob, name: images.path }, labels ? { blob: labels.blob, name: labels.path } : undefined);
  return tensorSource(baseName(images.path).replace(/[-.]images.*$/i, '').replace(/\.gz$/i, ''), 'idx', 'pixels', idx.classNames, classNames, idx.count, idx.count * sampleBytes('uint8', idx.dims), idx.samples());
}

/** A .npz of already-preprocessed inputs (+ labels): given to the model as they are. */
export async function npzSource(file: TreeFile & { blob: Blob }, classNames: string[] | null): Promise<SampleSource> {
  const npz = await openNpz(file.blob, file.path);
  const samples = async function* () {
    try {
      yield* npz.samples();
    } finally {
      await npz.close();
    }
  };
  return tensorSource(baseName(file.path).replace(/\.npz$/i, ''), 'npz', 'inputs', npz.classNames, classNames, npz.count, npz.count * sampleBytes(npz.dtype, npz.dims), samples());
}

function tensorSource(name: string, format: 'idx' | 'npz', content: 'pixels' | 'inputs', found: string[], labels: string[] | null, count: number, bytes: number, rows: AsyncGenerator<TensorSample, void>): SampleSource {
  const skipped: SkippedFile[] = [];
  if (labels && labels.length < found.length) {
    throw new QuantLensError('dataset-invalid', `The labels file names ${labels.length} classes but the labels go up to ${found.length - 1}.`, 'Give one class name per line for every class index, in index order.');
  }
  return {
    name,
    format,
    content,
    classNames: labels ?? found,
    expectedCount: count,
    expectedBytes: bytes,
    skipped,
    async *samples() {
      for await (const { index: _index, ...sample } of rows) yield sample;
    },
  };
}

/** Where masks live in a tree: a folder named like masks/ with PNGs in it, next to other images. */
export function findMaskDir(tree: FileTree): string | null {
  const dirs = new Set(tree.files.filter((f) => /\.png$/i.test(f.path)).map((f) => dirName(f.path)));
  for (const dir of dirs) {
    if (!MASK_DIRS.test(baseName(dir))) continue;
    if (tree.files.some((f) => IMAGE_NAME.test(f.path) && !f.path.startsWith(`${dir}/`))) return dir;
  }
  return null;
}

export const isLabelsFile = (path: string) => LABELS_NAME.test(path);
export const isManifestFile = (path: string) => MANIFEST_NAME.test(path);

/** Works out what a file tree holds: a manifest, COCO JSON, masks, or class subfolders (in that order). Shared by the app's import and the CLI. */
export async function treeSource(tree: FileTree, extraLabels: TreeFile | null): Promise<SampleSource> {
  const labelsFile = extraLabels ?? tree.files.find((f) => !f.path.includes('/') && isLabelsFile(f.path)) ?? null;
  const labels = labelsFile ? await readLabels(labelsFile) : null;
  const others: FileTree = labelsFile ? { ...tree, files: tree.files.filter((f) => f !== labelsFile) } : tree;
  const withLabelIssues = (source: SampleSource) => {
    source.skipped.unshift(...(labels?.skipped ?? []));
    return source;
  };
  const manifest = others.files.find((f) => !f.path.includes('/') && isManifestFile(f.path));
  if (manifest) return withLabelIssues(await manifestSource(others, manifest, labels?.classNames ?? null));
  const coco = await findCoco(others);
  if (coco) return withLabelIssues(await cocoSource(others, coco));
  const maskDir = findMaskDir(others);
  if (maskDir) return withLabelIssues(maskSource(others, maskDir, labels?.classNames ?? null));
  return withLabelIssues(classFolderSource(others, labels?.classNames ?? null));
}

async function findCoco(tree: FileTree): Promise<TreeFile | null> {
  for (const file of tree.files.filter((f) => /\.json$/i.test(f.path) && f.path.split('/').length <= 2)) {
    if (looksLikeCoco(await file.read())) return file;
  }
  return null;
}

const textHead = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, 1 << 16));
/** Content sniffing for the import: what a file is, by its first bytes. */
export const looksLikeCoco = (bytes: Uint8Array) => /"(images|categories|annotations)"\s*:/.test(textHead(bytes));
export const looksLikePack = (bytes: Uint8Array) => /"format"\s*:\s*"quantlens-pack"/.test(textHead(bytes));
export const ZIP_MAGIC = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);
export const IDX_MAGIC = (b: Uint8Array) => b[0] === 0 && b[1] === 0 && b[2] === 8 && b[3] >= 1 && b[3] <= 8;
export const GZIP_MAGIC = (b: Uint8Array) => b[0] === 0x1f && b[1] === 0x8b;

/** A parsed demo pack as a sample source (the app's demo import and the CLI's pack reader). */
export function packSource(pack: ReturnType<typeof readPack>): SampleSource {
  return {
    name: pack.name,
    format: 'pack',
    content: 'images',
    classNames: pack.classNames,
    ...(pack.target ? { target: pack.target } : {}),
    expectedCount: pack.samples.length,
    expectedBytes: pack.samples.reduce((n, s) => n + s.bytes.byteLength, 0),
    skipped: [],
    async *samples() {
      for (const { index: _index, ...sample } of pack.samples) yield { kind: 'encoded', ...sample };
    },
  };
}
