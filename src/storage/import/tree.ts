/**
 * What an import reads from: a tree of files, whether they were picked (a folder, loose files) or
 * lie inside a zip. Paths are relative to the tree's root ("7/img1.png"), '/'-separated.
 */
import { openZip, type ZipArchive } from '../../core/data/formats/zip.ts';

export interface TreeFile {
  path: string;
  size: number;
  read(): Promise<Uint8Array>;
  /** The file as a Blob when it has one (picked files): formats that stream read it by range. */
  blob?: Blob;
}

export interface FileTree {
  /** The dataset's name: the folder's or the zip's. */
  name: string;
  files: TreeFile[];
  close(): Promise<void>;
}

/** A file picked in the page: its path relative to the picked folder's parent, or just its name. */
export interface PickedFile {
  path: string;
  file: File;
}

const JUNK = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)/i;

/** Picked files as a tree: a folder's root folder name is dropped from the paths. */
export function treeOfPicked(picked: readonly PickedFile[], fallbackName: string): FileTree {
  const usable = picked.filter((p) => !JUNK.test(p.path));
  const tops = new Set(usable.map((p) => (p.path.includes('/') ? p.path.split('/')[0] : '')));
  const root = tops.size === 1 && !tops.has('') ? [...tops][0] : '';
  return {
    name: root || fallbackName,
    files: usable.map(({ path, file }) => ({
      path: root ? path.slice(root.length + 1) : path,
      size: file.size,
      blob: file,
      read: async () => new Uint8Array(await file.arrayBuffer()),
    })),
    close: async () => undefined,
  };
}

/** A zip as a tree (entries inflate one at a time, on demand); a single top folder becomes the root. */
export async function treeOfZip(blob: Blob, fileName: string): Promise<FileTree> {
  const archive: ZipArchive = await openZip(blob, fileName);
  const tops = new Set(archive.files.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  const root = tops.size === 1 && !tops.has('') ? [...tops][0] : '';
  const zipName = fileName.replace(/^.*[\\/]/, '').replace(/\.zip$/i, '') || 'archive';
  return {
    name: root || zipName,
    files: archive.files.filter((f) => !f.encrypted).map((f) => ({
      path: root ? f.path.slice(root.length + 1) : f.path,
      size: f.size,
      read: () => archive.read(f.path),
    })),
    close: () => archive.close(),
  };
}

export const baseName = (path: string) => path.replace(/^.*\//, '');
export const dirName = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
