/** This site's storage as the user sees it: usage and quota, persistence, cached tensor sets. */
import { toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { deleteTensorSet } from '../storage/db.ts';
import { requestPersistence, storageStatus, type StorageStatus } from '../storage/quota.ts';
import { listTensorSets, type TensorSetRecord } from '../storage/tensor-cache.ts';

export class StorageState {
  status = $state.raw<StorageStatus | null>(null);
  tensorSets = $state.raw<TensorSetRecord[]>([]);
  /** The browser's answer to the last persistence request. */
  persistAnswer = $state<string | null>(null);
  error = $state.raw<ErrorInfo | null>(null);

  async refresh(): Promise<void> {
    try {
      this.status = await storageStatus();
      this.tensorSets = (await listTensorSets()).filter((s) => s.complete);
    } catch (error) {
      this.error = toErrorInfo(error);
    }
  }

  async persist(): Promise<void> {
    const granted = await requestPersistence().catch(() => false);
    this.persistAnswer = granted
      ? 'The browser will keep this data until you delete it.'
      : 'The browser declined for now (Chromium grants it to installed or often-used sites): data stays, but may be evicted if the disk runs low.';
    await this.refresh();
  }

  async deleteTensorSet(id: string): Promise<void> {
    await deleteTensorSet(id);
    await this.refresh();
  }
}
