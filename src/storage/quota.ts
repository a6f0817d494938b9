/** What the browser says about this site's storage: usage, quota, and whether it may evict it. */
import { storageEstimate } from './db.ts';

export interface StorageStatus {
  usage: number | null;
  quota: number | null;
  /** True when the browser promised not to evict this site's data; null where it cannot say. */
  persisted: boolean | null;
}

export async function storageStatus(): Promise<StorageStatus> {
  const estimate = await storageEstimate();
  const persisted = navigator.storage?.persisted ? await navigator.storage.persisted().catch(() => null) : null;
  return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted };
}

/**
 * Asks the browser to keep this site's data under storage pressure. Chromium decides without a
 * prompt (granted for installed or often-used sites); Firefox asks the user. Returns the answer.
 */
export async function requestPersistence(): Promise<boolean> {
  return navigator.storage?.persist ? navigator.storage.persist() : false;
}
