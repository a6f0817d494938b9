/** Past runs kept in IndexedDB: list, open, delete, import an exported result, pick two to compare. */
import { toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { parseResultDocument, type ResultDocument } from '../core/report/index.ts';
import { deleteRun, getRunDocument, listRuns, saveRun, type RunSummary } from '../storage/db.ts';

export class History {
  runs = $state.raw<RunSummary[]>([]);
  /** The document being viewed from the history (not the live run). */
  opened = $state.raw<ResultDocument | null>(null);
  /** Up to two run ids ticked for a side-by-side comparison. */
  compareIds = $state.raw<string[]>([]);
  comparison = $state.raw<[ResultDocument, ResultDocument] | null>(null);
  error = $state.raw<ErrorInfo | null>(null);

  async refresh(): Promise<void> {
    await this.#guard(async () => {
      this.runs = await listRuns();
    });
  }

  /** Keeps a finished run. A failure to save is reported, and the result stays on screen. */
  async save(doc: ResultDocument): Promise<void> {
    await this.#guard(async () => {
      await saveRun(doc);
      this.runs = await listRuns();
    });
  }

  async open(id: string): Promise<void> {
    await this.#guard(async () => {
      this.opened = (await getRunDocument(id)) ?? null;
    });
  }

  async remove(id: string): Promise<void> {
    await this.#guard(async () => {
      await deleteRun(id);
      if (this.opened?.id === id) this.opened = null;
      this.compareIds = this.compareIds.filter((x) => x !== id);
      this.runs = await listRuns();
    });
  }

  /** Imports a result JSON exported from this app (on this device or another) into the history. */
  async importFile(file: File): Promise<void> {
    await this.#guard(async () => {
      const doc = parseResultDocument(await file.text());
      this.opened = doc; // shown even if it cannot be kept (a full disk): the error says so
      await saveRun(doc);
      this.runs = await listRuns();
    });
  }

  toggleCompare(id: string): void {
    this.compareIds = this.compareIds.includes(id) ? this.compareIds.filter((x) => x !== id) : [...this.compareIds, id].slice(-2);
  }

  async compare(): Promise<void> {
    await this.#guard(async () => {
      const docs = await Promise.all(this.compareIds.map((id) => getRunDocument(id)));
      if (docs.length === 2 && docs[0] && docs[1]) this.comparison = [docs[0], docs[1]];
    });
  }

  async #guard(work: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await work();
    } catch (error) {
      this.error = toErrorInfo(error);
    }
  }
}
