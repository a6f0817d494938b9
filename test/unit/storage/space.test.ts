import { describe, expect, it } from 'vitest';
import { bytesToFree, estimateStoredBytes, readableBytes, spaceAdvice, type Deletable } from '../../../src/storage/space.ts';

describe('estimateStoredBytes', () => {
  it('counts binary data by its length, whatever holds it', () => {
    expect(estimateStoredBytes(new ArrayBuffer(1000))).toBe(1000);
    expect(estimateStoredBytes(new Float32Array(250))).toBe(1000);
    expect(estimateStoredBytes(new Blob([new Uint8Array(60_772)]))).toBe(60_772);
    // A view counts its own bytes, not its whole buffer.
    expect(estimateStoredBytes(new Uint8Array(new ArrayBuffer(4096), 0, 16))).toBe(16);
  });

  it('adds up nested records: keys, strings at 2 bytes a character, 8 per number', () => {
    const record = { runId: 'r1', done: 512, data: new Int32Array(512) };
    // object 8 + 'runId' 10 + 'r1' 4 + 'done' 8 + 512 8 + 'data' 8 + 2048
    expect(estimateStoredBytes(record)).toBe(8 + 10 + 4 + 8 + 8 + 8 + 2048);
    expect(estimateStoredBytes([1, 2, 3])).toBe(8 + 24);
    expect(estimateStoredBytes(new Map([['a', 1]]))).toBe(8 + 2 + 8);
  });

  it('counts an object shared twice once (structured clone keeps one copy), and survives cycles', () => {
    const shared = new Uint8Array(1000);
    expect(estimateStoredBytes({ a: shared, b: shared })).toBe(8 + 2 + 1000 + 2);
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    expect(estimateStoredBytes(cyclic)).toBe(8 + 2 + 8 + 8);
  });

  it('gets a real checkpoint-sized record within reason', () => {
    const samples = 1024;
    const checkpoint = { chunksDone: 16, done: samples, latencies: { float: Array.from({ length: samples }, () => 0.1), quantized: Array.from({ length: samples }, () => 0.2) }, snapshot: { predictions: new Int32Array(samples), confidences: new Float32Array(samples) } };
    const bytes = estimateStoredBytes(checkpoint);
    expect(bytes).toBeGreaterThan(2 * samples * 8 + 8 * samples);
    expect(bytes).toBeLessThan(2 * (2 * samples * 8 + 8 * samples));
  });
});

describe('bytesToFree', () => {
  it('asks for what is missing when the browser reports less free space than needed', () => {
    expect(bytesToFree(10e6, 4e6)).toBe(6e6);
  });
  it('asks for the whole write when the reported free space would have fit it (the report is not the whole story) or is unknown', () => {
    expect(bytesToFree(10e6, 50e9)).toBe(10e6);
    expect(bytesToFree(10e6, null)).toBe(10e6);
  });
});

describe('readableBytes', () => {
  it('says KB below a megabyte, MB above, never "0.0"', () => {
    expect(readableBytes(30_000)).toBe('29.3 KB');
    expect(readableBytes(6_272_000)).toBe('6.0 MB');
    expect(readableBytes(3)).toBe('0.1 KB');
  });
});

describe('spaceAdvice', () => {
  const stored: Deletable[] = [
    { kind: 'dataset', name: 'digits', bytes: 1_200_000 },
    { kind: 'tensors', name: 'digits', bytes: 6_272_000 },
    { kind: 'runs', name: '3 saved runs in the history', bytes: 150_000 },
    { kind: 'dataset', name: 'empty', bytes: 0 },
  ];

  it('names the largest things first, only as many as cover what is needed, with where to delete them', () => {
    expect(spaceAdvice(100_000, stored)).toBe("Free at least 97.7 KB: for example delete the cached tensors of 'digits' (6.0 MB) (Storage, below the dataset list), then try again.");
    expect(spaceAdvice(7_000_000, stored)).toBe("Free at least 6.7 MB: for example delete the cached tensors of 'digits' (6.0 MB), the dataset 'digits' (1.1 MB) (Storage, below the dataset list; the dataset list), then try again.");
  });

  it('stops at the limit even when that does not cover it, and never lists empty things', () => {
    const advice = spaceAdvice(100e6, stored, 3);
    expect(advice).toContain('3 saved runs in the history (146.5 KB)');
    expect(advice).toContain('the history');
    expect(advice).not.toContain("'empty'");
    expect(spaceAdvice(100e6, stored, 1)).toBe("Free at least 95.4 MB: for example delete the cached tensors of 'digits' (6.0 MB) (Storage, below the dataset list), then try again.");
  });

  it('says so when the app stores nothing that could go', () => {
    expect(spaceAdvice(2e6, [])).toBe("Free at least 1.9 MB in this browser (other sites' data, or the browser's own settings), then try again.");
  });
});
