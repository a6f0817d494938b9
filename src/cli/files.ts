/**
 * Files on disk as the app's import sources see picked files: a FileTree of a folder (paths
 * relative to it, '/'-separated), single files with a Blob for the formats that stream (IDX, .npz).
 * A missing or unreadable path is a QuantLensError naming it (exit 3), never a raw ENOENT.
 */
import { openAsBlob, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { QuantLensError } from '../core/errors.ts';
import type { FileTree, TreeFile } from '../storage/import/tree.ts';

const JUNK = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)/i;

/** The path's stat, or a readable error naming what it was meant to be. */
export function statPath(path: string, what: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw fileError(path, what, error);
  }
}

/** A whole file's bytes (models, spec files, packs). */
export function readWholeFile(path: string, what: string): Uint8Array {
  const stats = statPath(path, what);
  if (stats.isDirectory()) throw new QuantLensError('invalid-input', `The ${what} '${path}' is a folder, not a file.`, `Give the path of the ${what} file.`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw fileError(path, what, error);
  }
}

/** One file as the import sources take it, with a Blob (read lazily, by range). */
export async function treeFileOf(path: string, what: string): Promise<TreeFile & { blob: Blob }> {
  const stats = statPath(path, what);
  if (stats.isDirectory()) throw new QuantLensError('invalid-input', `The ${what} '${path}' is a folder, not a file.`, `Give the path of the ${what} file.`);
  const blob = await openAsBlob(path);
  return { path: basename(path), size: stats.size, blob, read: () => readBytes(path, what) };
}

/** Every file under a folder, sorted, junk (.DS_Store, __MACOSX) left out; read on demand. */
export function treeOfFolder(root: string): FileTree {
  const files: TreeFile[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw fileError(dir, 'data folder', error);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const path = relative(root, full).split(sep).join('/');
        if (!JUNK.test(path)) files.push({ path, size: statPath(full, 'data file').size, read: () => readBytes(full, 'data file') });
      }
    }
  };
  walk(root);
  return { name: basename(root.replace(/[\\/]+$/, '')) || 'data', files, close: async () => undefined };
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw fileError(path, what, error);
  }
}

function fileError(path: string, what: string, error: unknown): QuantLensError {
  const code = (error as { code?: string } | null)?.code;
  const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : `cannot be read (${error instanceof Error ? error.message : String(error)})`;
  return new QuantLensError('invalid-input', `The ${what} '${path}' ${why}.`, 'Check the path (relative paths start from the current folder).', { cause: error });
}
