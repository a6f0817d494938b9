/**
 * What a "storage is full" message needs: about how many bytes a write needed, and which stored things
 * the user could delete to make room (largest first). Pure: db.ts gathers the numbers.
 */

/** Something the user can delete from the app to free space. */
export interface Deletable {
  kind: 'dataset' | 'tensors' | 'runs';
  /** What the user sees it as (a dataset's name; for runs, how many). */
  name: string;
  bytes: number;
}

/**
 * About how many bytes a value takes once stored (structured clone): binary data by its length,
 * strings at two bytes per character, a few bytes per number and per key. IndexedDB adds its own
 * overhead (and may compress): this is an estimate for a message, not an accounting.
 */
export function estimateStoredBytes(value: unknown, seen = new Set<object>()): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 8;
  if (typeof value === 'bigint') return 16;
  if (typeof value === 'string') return 2 * value.length;
  if (typeof value !== 'object') return 0;
  if (seen.has(value)) return 0; // a structured clone stores a shared object once
  seen.add(value);
  if (typeof Blob !== 'undefined' && value instanceof Blob) return value.size;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof Map) return [...value].reduce((n, [k, v]) => n + estimateStoredBytes(k, seen) + estimateStoredBytes(v, seen), 8);
  if (value instanceof Set) return [...value].reduce((n, v) => n + estimateStoredBytes(v, seen), 8);
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + estimateStoredBytes(v, seen), 8);
  return Object.entries(value).reduce((n, [k, v]) => n + 2 * k.length + estimateStoredBytes(v, seen), 8);
}

export const megabytes = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MB`;

/** A byte count for people: KB below a megabyte (a checkpoint is tens of KB). */
export function readableBytes(n: number): string {
  return n < 1024 ** 2 ? `${Math.max(0.1, n / 1024).toFixed(1)} KB` : megabytes(n);
}

/** How much to free: what the write needed, less what the browser says is free (when it says less than needed). */
export function bytesToFree(neededBytes: number, freeBytes: number | null): number {
  // A browser that reports more free space than the write needed is not telling the whole story
  // (another write took it meanwhile, or a quota applies that estimate() does not show): ask for all of it.
  return freeBytes !== null && freeBytes < neededBytes ? neededBytes - freeBytes : neededBytes;
}

/** Where the app deletes each kind. */
const PLACE: Record<Deletable['kind'], string> = { dataset: 'the dataset list', tensors: 'Storage, below the dataset list', runs: 'the history' };

const WHAT: Record<Deletable['kind'], (name: string) => string> = {
  dataset: (name) => `the dataset '${name}'`,
  tensors: (name) => `the cached tensors of '${name}'`,
  runs: (name) => name,
};

/**
 * The hint of a "storage is full" error: how much to free and the largest things that could go,
 * enough of them to cover it (at most `limit`), with where the app deletes each kind.
 */
export function spaceAdvice(toFree: number, deletable: Deletable[], limit = 3): string {
  const largest = deletable.filter((d) => d.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  const picked: Deletable[] = [];
  let covered = 0;
  for (const item of largest) {
    if (picked.length >= limit || (covered >= toFree && picked.length > 0)) break;
    picked.push(item);
    covered += item.bytes;
  }
  const need = `Free at least ${readableBytes(toFree)}`;
  if (picked.length === 0) return `${need} in this browser (other sites' data, or the browser's own settings), then try again.`;
  const where = [...new Set(picked.map((d) => PLACE[d.kind]))];
  const items = picked.map((d) => `${WHAT[d.kind](d.name)} (${readableBytes(d.bytes)})`);
  return `${need}: for example delete ${items.join(', ')} (${where.join('; ')}), then try again.`;
}
