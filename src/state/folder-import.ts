/** Imports a labelled image folder (from a directory picker or a drop) into IndexedDB. */
import { planFolderImport, type FolderEntry } from '../core/data/folder.ts';
import { sniffImageType } from '../core/data/decode.ts';
import type { DatasetSummary, EncodedSample, SkippedFile } from '../core/data/dataset.ts';
import { deleteDataset, saveDataset } from '../storage/db.ts';
import { QuantLensError } from '../core/errors.ts';

export interface PickedFile {
  /** Path relative to the picked folder's parent: "digits/7/img1.png". */
  path: string;
  file: File;
}

const BATCH = 100;

export async function importFolder(files: readonly PickedFile[], onProgress?: (done: number, total: number) => void): Promise<DatasetSummary> {
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  const plan = planFolderImport(files.map((f): FolderEntry => ({ path: f.path, size: f.file.size })));
  const skipped: SkippedFile[] = [...plan.skipped];
  const summary: DatasetSummary = {
    id: `folder-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    name: plan.name,
    source: 'folder',
    createdAt: Date.now(),
    sampleCount: 0,
    classNames: plan.classNames,
    sizeBytes: 0,
    skipped,
  };
  async function* samples(): AsyncGenerator<EncodedSample[]> {
    let batch: EncodedSample[] = [];
    for (const [i, item] of plan.entries.entries()) {
      const bytes = await byPath.get(item.entry.path)!.arrayBuffer();
      const mime = sniffImageType(new Uint8Array(bytes, 0, Math.min(16, bytes.byteLength)));
      if (!mime) {
        skipped.push({ name: item.name, reason: 'not a PNG, JPEG, WebP, GIF or BMP image (by its content)' });
      } else {
        batch.push({ index: summary.sampleCount++, name: item.name, label: item.label, mime, bytes });
        summary.sizeBytes += bytes.byteLength;
      }
      if (batch.length === BATCH) {
        yield batch;
        batch = [];
      }
      onProgress?.(i + 1, plan.entries.length);
    }
    if (batch.length) yield batch;
  }
  await saveDataset(summary, samples());
  if (summary.sampleCount === 0) {
    await deleteDataset(summary.id);
    throw new QuantLensError('dataset-empty', `None of the ${plan.entries.length} files in '${plan.name}' is an image.`, 'Pick a folder whose class subfolders hold PNG, JPEG, WebP, GIF or BMP images.');
  }
  return summary;
}
