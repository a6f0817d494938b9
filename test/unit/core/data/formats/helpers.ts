import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import { expect } from 'vitest';
import { QuantLensError } from '../../../../../src/core/errors.ts';

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/datasets/', import.meta.url));

/** A committed fixture made by tools/golden/make_dataset_fixtures.py. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + name));
}

/** What the fixture script computed with numpy/hashlib. */
export const expected = JSON.parse(new TextDecoder().decode(fixture('expected.json'))) as {
  files: Record<string, string>;
  npz: { x: { dims: number[]; data: number[] }; y: number[]; inputs: { dims: number[]; data: number[] }; labels: number[]; xRowHashes: string[] };
  v23: { dims: number[]; data: number[] };
  idx: { dims: number[]; data: number[]; labels: number[]; sampleHashes: string[] };
  masks: { palette: number[]; gray: number[] };
  fingerprint: { classNames: string[]; samples: { sha256: string; label: number | null }[]; value: string };
  spec: { value: Record<string, unknown>; canonical: string; sha256: string };
  mulberry32: Record<string, number[]>;
  odd: { value: unknown; canonical: string };
};

/** A zip built in memory: path → content (level 0 stores, otherwise deflates). */
export async function makeZip(files: Record<string, Uint8Array | string>, options: { level?: number; password?: string } = {}): Promise<Uint8Array> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false, level: options.level ?? 6, ...(options.password ? { password: options.password } : {}) });
  for (const [path, content] of Object.entries(files)) {
    await writer.add(path, new Uint8ArrayReader(typeof content === 'string' ? new TextEncoder().encode(content) : content));
  }
  return writer.close();
}

export function blobOf(bytes: Uint8Array): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]);
}

/** Runs `action` and returns the QuantLensError it threw (failing the test on anything else). */
export async function quantLensError(action: () => unknown): Promise<QuantLensError> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof QuantLensError)) throw error;
    expect(error.hint.length).toBeGreaterThan(0);
    return error;
  }
  throw new Error('expected a QuantLensError, nothing was thrown');
}

/** Drains an async generator. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
