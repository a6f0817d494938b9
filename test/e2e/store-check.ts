/**
 * What the app's IndexedDB holds, read with raw IndexedDB calls in a page of the app's origin (no
 * app code involved): a digest per object store (to prove what was stored before an operation is
 * intact), and a structural summary checked against the stores' invariants (no half-written record).
 */
import type { Page } from 'playwright-core';

/** Per object store: record count and SHA-256 over every key and value (Blobs read back, bytes included). */
export type StoreDigests = Record<string, { count: number; digest: string }>;

export async function storeDigests(page: Page): Promise<StoreDigests> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('quantlens');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const encoder = new TextEncoder();
    const out: Record<string, { count: number; digest: string }> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      const [keys, values] = await new Promise<[IDBValidKey[], unknown[]]>((resolve, reject) => {
        const store = db.transaction(name).objectStore(name);
        const k = store.getAllKeys();
        const v = store.getAll();
        v.onsuccess = () => resolve([k.result, v.result]);
        v.onerror = () => reject(v.error);
      });
      const parts: Uint8Array[] = [];
      // Canonical JSON (sorted keys); binary values are replaced by a marker and appended as bytes.
      const canon = async (value: unknown): Promise<unknown> => {
        if (value instanceof Blob) {
          parts.push(new Uint8Array(await value.arrayBuffer()));
          return { $blob: value.size, type: value.type };
        }
        if (value instanceof ArrayBuffer) {
          parts.push(new Uint8Array(value.slice(0)));
          return { $buffer: value.byteLength };
        }
        if (ArrayBuffer.isView(value)) {
          parts.push(new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)));
          return { $view: value.constructor.name, bytes: value.byteLength };
        }
        if (typeof value === 'bigint') return { $bigint: value.toString() };
        if (Array.isArray(value)) return Promise.all(value.map(canon));
        if (value && typeof value === 'object') {
          const sorted: Record<string, unknown> = {};
          for (const key of Object.keys(value).sort()) sorted[key] = await canon((value as Record<string, unknown>)[key]);
          return sorted;
        }
        return value;
      };
      for (let i = 0; i < keys.length; i++) parts.push(encoder.encode(JSON.stringify([await canon(keys[i]), await canon(values[i])])));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.byteLength;
      }
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
      out[name] = { count: keys.length, digest: Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('') };
    }
    db.close();
    return out;
  });
}

/** The shape of what is stored, enough to check every cross-store invariant. */
export interface StoreSummary {
  datasets: { id: string; name: string; complete: boolean; sampleCount: number }[];
  /** datasetId → stored sample rows. */
  samples: Record<string, number>;
  /** datasetId → hashes in its catalog. */
  catalogs: Record<string, number>;
  tensorSets: { id: string; complete: boolean; chunkCount: number; sampleCount: number }[];
  /** setId → chunk records and the samples they hold. */
  tensorChunks: Record<string, { chunks: number; samples: number }>;
  runs: string[];
  runDocuments: string[];
  interruptedRuns: { id: string; models: { name: string; url?: string; blobBytes?: number; blobError?: string; sha256?: string }[] }[];
  runCheckpoints: { runId: string; done: number }[];
  downloads: { url: string; complete: boolean; received: number; size: number | null }[];
  /** url → bytes in its parts. */
  downloadParts: Record<string, number>;
}

export async function storeSummary(page: Page): Promise<StoreSummary> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('quantlens');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = <T>(name: string, keysOnly = false) => new Promise<T[]>((resolve, reject) => {
      if (!db.objectStoreNames.contains(name)) return resolve([]);
      const store = db.transaction(name).objectStore(name);
      const request = keysOnly ? store.getAllKeys() : store.getAll();
      request.onsuccess = () => resolve(request.result as T[]);
      request.onerror = () => reject(request.error);
    });
    const tally = (into: Record<string, number>, key: string, n = 1) => (into[key] = (into[key] ?? 0) + n);
    const samples: Record<string, number> = {};
    for (const [datasetId] of await all<[string, number]>('samples', true)) tally(samples, datasetId);
    const catalogs: Record<string, number> = {};
    for (const c of await all<{ datasetId: string; hashes: Uint8Array }>('catalogs')) catalogs[c.datasetId] = c.hashes.byteLength / 32;
    const tensorChunks: Record<string, { chunks: number; samples: number }> = {};
    for (const c of await all<{ setId: string; indices: Int32Array }>('tensorChunks')) {
      const entry = (tensorChunks[c.setId] ??= { chunks: 0, samples: 0 });
      entry.chunks++;
      entry.samples += c.indices.length;
    }
    const downloadParts: Record<string, number> = {};
    for (const p of await all<{ url: string; bytes: ArrayBuffer }>('downloadParts')) tally(downloadParts, p.url, p.bytes.byteLength);
    const model = async (m: { name: string; url?: string; blob?: Blob }) => {
      if (!m.blob) return { name: m.name, ...(m.url ? { url: m.url } : {}) };
      try {
        const bytes = await m.blob.arrayBuffer();
        const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
        return { name: m.name, blobBytes: bytes.byteLength, sha256: Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('') };
      } catch (error) {
        return { name: m.name, blobError: String(error) };
      }
    };
    type Model = { name: string; url?: string; blob?: Blob };
    const summary = {
      datasets: (await all<{ id: string; name: string; complete: boolean; sampleCount: number }>('datasets')).map(({ id, name, complete, sampleCount }) => ({ id, name, complete, sampleCount })),
      samples,
      catalogs,
      tensorSets: (await all<{ id: string; complete: boolean; chunkCount: number; sampleCount: number }>('tensorSets')).map(({ id, complete, chunkCount, sampleCount }) => ({ id, complete, chunkCount, sampleCount })),
      tensorChunks,
      runs: await all<string>('runs', true),
      runDocuments: await all<string>('runDocuments', true),
      interruptedRuns: await Promise.all((await all<{ id: string; floatModel: Model; quantizedModel: Model }>('interruptedRuns')).map(async (r) => ({ id: r.id, models: [await model(r.floatModel), await model(r.quantizedModel)] }))),
      runCheckpoints: (await all<{ runId: string; checkpoint: { done: number } }>('runCheckpoints')).map((c) => ({ runId: c.runId, done: c.checkpoint.done })),
      downloads: (await all<{ url: string; complete: boolean; received: number; size: number | null }>('downloads')).map(({ url, complete, received, size }) => ({ url, complete, received, size })),
      downloadParts,
    };
    db.close();
    return summary;
  });
}

/**
 * Every way the stores could hold a half-written record. `startedUp`: the app has started on this
 * profile since the interruption, so its start-up sweep ran (incomplete imports and tensor sets
 * removed, interrupted runs without a checkpoint forgotten).
 */
export function storeProblems(s: StoreSummary, startedUp: boolean): string[] {
  const problems: string[] = [];
  const datasetIds = new Set(s.datasets.map((d) => d.id));
  for (const d of s.datasets) {
    if (!d.complete) {
      if (startedUp) problems.push(`dataset '${d.name}' left incomplete (${s.samples[d.id] ?? 0} samples stored)`);
      continue;
    }
    if ((s.samples[d.id] ?? 0) !== d.sampleCount) problems.push(`dataset '${d.name}' is complete with ${s.samples[d.id] ?? 0} of its ${d.sampleCount} samples`);
    if (d.id in s.catalogs && s.catalogs[d.id] !== d.sampleCount) problems.push(`dataset '${d.name}': catalog of ${s.catalogs[d.id]} hashes for ${d.sampleCount} samples`);
  }
  for (const [id, n] of Object.entries(s.samples)) if (!datasetIds.has(id)) problems.push(`${n} samples of no dataset ('${id}')`);
  for (const id of Object.keys(s.catalogs)) if (!datasetIds.has(id)) problems.push(`a catalog of no dataset ('${id}')`);
  const setIds = new Set(s.tensorSets.map((t) => t.id));
  for (const t of s.tensorSets) {
    const chunks = s.tensorChunks[t.id] ?? { chunks: 0, samples: 0 };
    if (!t.complete) {
      if (startedUp) problems.push(`tensor set ${t.id} left incomplete (${chunks.chunks} chunks)`);
      continue;
    }
    if (chunks.chunks !== t.chunkCount || chunks.samples !== t.sampleCount) problems.push(`tensor set ${t.id} is complete with ${chunks.chunks}/${t.chunkCount} chunks, ${chunks.samples}/${t.sampleCount} samples`);
  }
  for (const [id, c] of Object.entries(s.tensorChunks)) if (!setIds.has(id)) problems.push(`${c.chunks} tensor chunks of no set ('${id}')`);
  const docs = new Set(s.runDocuments);
  const runs = new Set(s.runs);
  for (const id of s.runs) if (!docs.has(id)) problems.push(`history run ${id} without its document`);
  for (const id of s.runDocuments) if (!runs.has(id)) problems.push(`a run document without its history row (${id})`);
  const interrupted = new Set(s.interruptedRuns.map((r) => r.id));
  for (const r of s.interruptedRuns) {
    for (const m of r.models) {
      if (m.blobError) problems.push(`interrupted run ${r.id}: model '${m.name}' unreadable (${m.blobError})`);
      else if (!m.url && !m.blobBytes) problems.push(`interrupted run ${r.id}: model '${m.name}' has neither a URL nor its bytes`);
    }
  }
  if (startedUp) for (const id of interrupted) if (!s.runCheckpoints.some((c) => c.runId === id)) problems.push(`interrupted run ${id} without a checkpoint kept after start-up`);
  for (const c of s.runCheckpoints) if (!interrupted.has(c.runId)) problems.push(`a checkpoint of no run (${c.runId})`);
  const urls = new Set(s.downloads.map((d) => d.url));
  for (const d of s.downloads) {
    const bytes = s.downloadParts[d.url] ?? 0;
    if (bytes !== d.received) problems.push(`download ${d.url}: ${bytes} bytes stored, ${d.received} recorded`);
    if (d.complete && d.size !== null && d.size !== d.received) problems.push(`download ${d.url} complete with ${d.received} of ${d.size} bytes`);
  }
  for (const url of Object.keys(s.downloadParts)) if (!urls.has(url)) problems.push(`download parts of no download (${url})`);
  return problems;
}

/** The stores whose digest differs between two snapshots. */
export function changedStores(before: StoreDigests, after: StoreDigests): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => before[name]?.digest !== after[name]?.digest).sort();
}
