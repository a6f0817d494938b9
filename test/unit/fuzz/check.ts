/**
 * Shared rules for the parser fuzzers (test/unit/fuzz): every input either parses or raises the
 * app's own QuantLensError with a readable message, within a per-case time budget. The committed
 * corpus (test/fixtures/fuzz/<target>/) is replayed against the same rules by corpus.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Parameters } from 'fast-check';
import { QuantLensError, type ErrorCode } from '../../../src/core/errors.ts';

export const CORPUS = fileURLToPath(new URL('../../fixtures/fuzz/', import.meta.url));

/**
 * Wall-clock budget of one case. Generous because CI shares 2 cores with other test files; a real
 * hang or a multi-gigabyte allocation takes far longer than this.
 */
export const CASE_BUDGET_MS = Number(process.env.FUZZ_CASE_MS ?? 750);

/**
 * fast-check settings: a fixed seed by default (CI reruns the same cases; a failure names the seed
 * and path to replay), FUZZ_SEED=random to explore, FUZZ_RUNS to scale the number of cases.
 * Each property also stops after `timeLimitMs` whatever it has done by then (not a failure).
 */
export function fuzzParams<T>(numRuns: number, timeLimitMs = 3_000): Parameters<T> {
  const scale = Number(process.env.FUZZ_RUNS ?? 1);
  const seed = process.env.FUZZ_SEED === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.FUZZ_SEED ?? 0x5eed);
  return { numRuns: Math.max(1, Math.round(numRuns * scale)), seed, interruptAfterTimeLimit: timeLimitMs * scale, markInterruptAsFailure: false };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: QuantLensError };

/** Signs of a JS error leaking through instead of a message written for a person. */
const UNREADABLE = [/\[object Object\]/, /Cannot read propert/, /is not a function/, /is not iterable/, /Cannot convert/, /^undefined$/];

/**
 * Runs one case: returns what it parsed, or the QuantLensError it raised (with one of `codes`);
 * fails on any other exception, an unreadable message, or a run over the time budget.
 */
export async function parseOrAppError<T>(run: () => T | Promise<T>, codes: readonly ErrorCode[]): Promise<Outcome<T>> {
  const start = performance.now();
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: await run() };
  } catch (error) {
    if (!(error instanceof QuantLensError)) {
      throw new Error(`not a QuantLensError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    expect(codes).toContain(error.code);
    expectReadable(error.message);
    expect(error.hint.length).toBeGreaterThan(10);
    outcome = { ok: false, error };
  }
  const elapsed = performance.now() - start;
  if (elapsed > CASE_BUDGET_MS) throw new Error(`one case took ${elapsed.toFixed(0)} ms (budget ${CASE_BUDGET_MS} ms)`);
  return outcome;
}

/** A sentence for a person: not empty, not a leaked JS error, not a wall of text. */
export function expectReadable(message: string): void {
  expect(typeof message).toBe('string');
  expect(message.length).toBeGreaterThan(10);
  expect(message.length).toBeLessThan(2_000);
  for (const pattern of UNREADABLE) expect(message).not.toMatch(pattern);
}

/** Corpus files of one target: name → bytes. */
export function corpusFiles(target: string): { name: string; bytes: Uint8Array }[] {
  const dir = CORPUS + target + '/';
  return readdirSync(dir)
    .filter((name) => name !== 'expected.json' && !name.endsWith('.md'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(dir + name)) }));
}

/** What each corpus file must give: 'ok', or the error code (and optionally a message fragment). */
export function corpusExpectations(target: string): Record<string, { outcome: 'ok' | ErrorCode; message?: string; why: string }> {
  return JSON.parse(readFileSync(CORPUS + target + '/expected.json', 'utf8')) as Record<string, { outcome: 'ok' | ErrorCode; message?: string; why: string }>;
}

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Byte-level mutations: flip, insert, truncate, and overwrite with a huge varint (a hostile length field). */
export type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'varint'; at: number; value: bigint };

export function mutate(seed: Uint8Array, mutations: readonly Mutation[]): Uint8Array<ArrayBuffer> {
  let bytes = seed.slice();
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    if (m.kind === 'set') {
      if (at < bytes.length) bytes[at] = m.value;
    } else if (m.kind === 'insert') {
      bytes = concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    } else if (m.kind === 'truncate') {
      bytes = bytes.slice(0, at);
    } else {
      const varint = encodeVarint(m.value);
      bytes = concat(bytes.subarray(0, at), varint, bytes.subarray(Math.min(bytes.length, at + varint.length)));
    }
  }
  return bytes;
}

export function encodeVarint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return Uint8Array.from(out);
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Every path (keys and indices) in a JSON value, breadth-first, at most `limit`. */
export function jsonPaths(value: unknown, limit = 400): (string | number)[][] {
  const paths: (string | number)[][] = [];
  const queue: { path: (string | number)[]; node: unknown }[] = [{ path: [], node: value }];
  while (queue.length && paths.length < limit) {
    const { path, node } = queue.shift()!;
    if (path.length) paths.push(path);
    if (Array.isArray(node)) node.forEach((child, i) => queue.push({ path: [...path, i], node: child }));
    else if (node && typeof node === 'object') for (const [k, child] of Object.entries(node)) queue.push({ path: [...path, k], node: child });
  }
  return paths;
}

export const DELETE = Symbol('delete');

/** A deep copy of `value` with the value at `path` replaced (or deleted). */
export function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  if (path.length === 0) return replacement === DELETE ? undefined : replacement;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (replacement === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else {
    node[last] = replacement;
  }
  return copy;
}
