/** Files the dataset e2e tests import: generated here, from the demo digits and fast-png. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { BlobWriter, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import type { Page } from 'playwright-core';
import { loadDemo } from '../helpers/demo.ts';

export const demo = loadDemo();

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `quantlens-${prefix}-`));
}

/** A small grayscale PNG whose pixels depend on `seed` (distinct seeds, distinct files). */
export function digitPng(seed: number, size = 8): Uint8Array {
  const data = new Uint8Array(size * size);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < data.length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    data[i] = x & 0xff;
  }
  return encode({ width: size, height: size, data, channels: 1, depth: 8 });
}

/** root/<class>/<n>.png with `perClass` generated PNGs in each of `classes` classes. */
export function generatedFolder(name: string, classes: number, perClass: number, size = 8): { root: string; count: number } {
  const root = join(tempDir('gen'), name);
  for (let c = 0; c < classes; c++) {
    mkdirSync(join(root, String(c)), { recursive: true });
    for (let i = 0; i < perClass; i++) writeFileSync(join(root, String(c), `${i}.png`), digitPng(c * perClass + i + 1, size));
  }
  return { root, count: classes * perClass };
}

/** A zip (stored) of entries: path → bytes. */
export async function zipOf(entries: Record<string, Uint8Array | string>): Promise<Uint8Array> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), { useWebWorkers: false, level: 0 });
  for (const [path, content] of Object.entries(entries)) {
    await writer.add(path, new Uint8ArrayReader(typeof content === 'string' ? new TextEncoder().encode(content) : content));
  }
  return new Uint8Array(await (await writer.close()).arrayBuffer());
}

/** The demo digits of the given labels, `perClass` each, as path → bytes under `<label>/`. */
export function demoDigits(labels: number[], perClass: number): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const label of labels) {
    for (const sample of demo.testSet.samples.filter((s) => s.label === label).slice(0, perClass)) out[sample.name] = new Uint8Array(sample.bytes);
  }
  return out;
}

export function writeTree(root: string, entries: Record<string, Uint8Array | string>): string {
  for (const [path, content] of Object.entries(entries)) {
    const file = join(root, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

/** Rows of the app's IndexedDB, read with raw calls in the page (no app code involved). */
export async function rawStoreCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('quantlens');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const counts: Record<string, number> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      counts[name] = await new Promise<number>((resolve) => {
        const request = db.transaction(name).objectStore(name).count();
        request.onsuccess = () => resolve(request.result);
      });
    }
    db.close();
    return counts;
  });
}

/** The datasets store's rows (id, complete, sampleCount), raw. */
export async function rawDatasets(page: Page): Promise<{ id: string; name: string; complete: boolean; sampleCount: number; fingerprint?: string }[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('quantlens');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const rows = await new Promise<{ id: string; name: string; complete: boolean; sampleCount: number; fingerprint?: string }[]>((resolve) => {
      const request = db.transaction('datasets').objectStore('datasets').getAll();
      request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return rows;
  });
}
