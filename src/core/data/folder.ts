import { QuantLensError } from '../errors.ts';

/** A file picked from a labelled folder: its path relative to the picked folder's parent. */
export interface FolderEntry {
  path: string;
  size: number;
}

export interface FolderPlan {
  /** Dataset name: the picked folder's name. */
  name: string;
  /** Class names in output-index order. */
  classNames: string[];
  /** Entries to import, with their label, in a stable order. */
  entries: { entry: FolderEntry; label: number; name: string }[];
  skipped: { name: string; reason: string }[];
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g|webp|gif|bmp)$/i;

/**
 * Plans a labelled-folder import: `root/<class>/<file>`, one subfolder per class. Class order is
 * numeric when every class name is a number ("0".."9", "10"), else alphabetical; that order is the
 * model's output index. Anything else (files at the root, non-images, hidden files) is skipped
 * with a reason.
 */
export function planFolderImport(entries: readonly FolderEntry[]): FolderPlan {
  if (entries.length === 0) {
    throw new QuantLensError('dataset-empty', 'The folder you picked is empty.', 'Pick a folder with one subfolder per class, each holding images (e.g. digits/7/img001.png).');
  }
  const name = entries[0].path.split('/')[0] || 'Imported folder';
  const skipped: FolderPlan['skipped'] = [];
  const byClass = new Map<string, { entry: FolderEntry; name: string }[]>();
  for (const entry of entries) {
    const parts = entry.path.split('/').filter(Boolean);
    const relative = parts.slice(1).join('/');
    const fileName = parts[parts.length - 1] ?? entry.path;
    if (fileName.startsWith('.')) continue; // .DS_Store and friends: not data, not worth a line
    if (parts.length < 3) {
      skipped.push({ name: relative || entry.path, reason: 'not inside a class subfolder' });
    } else if (!IMAGE_EXTENSIONS.test(fileName)) {
      skipped.push({ name: relative, reason: 'not an image file (png, jpg, webp, gif, bmp)' });
    } else if (entry.size === 0) {
      skipped.push({ name: relative, reason: 'empty file' });
    } else {
      const className = parts[1];
      const list = byClass.get(className) ?? [];
      list.push({ entry, name: relative });
      byClass.set(className, list);
    }
  }
  if (byClass.size === 0) {
    throw new QuantLensError('dataset-empty', `No images found in class subfolders of '${name}' (${skipped.length} files skipped).`, 'Pick a folder with one subfolder per class, each holding images (e.g. digits/7/img001.png).');
  }
  const classNames = sortClassNames([...byClass.keys()]);
  const planned = classNames.flatMap((className, label) =>
    (byClass.get(className) ?? []).sort((a, b) => a.name.localeCompare(b.name)).map((item) => ({ ...item, label })),
  );
  return { name, classNames, entries: planned, skipped };
}

function sortClassNames(names: string[]): string[] {
  const numeric = names.every((n) => /^\d+$/.test(n));
  return numeric ? names.sort((a, b) => Number(a) - Number(b)) : names.sort((a, b) => a.localeCompare(b));
}
