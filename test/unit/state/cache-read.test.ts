import { describe, expect, it } from 'vitest';
import { cacheReadChunks } from '../../../src/state/pipeline.ts';
import type { PreprocessSpec } from '../../../src/core/preprocess/spec.ts';

// Cached tensors are read many chunks per IndexedDB transaction, but never so many that the two
// reads held at once (one prefetched) weigh more than ~16 MB, whatever the input size.
const spec = (size: number, color: 'grayscale' | 'rgb', dtype: PreprocessSpec['dtype'] = 'float32'): PreprocessSpec =>
  ({ height: size, width: size, resize: 'stretch', color, scale: '0..1', mean: color === 'rgb' ? [0, 0, 0] : [0], std: color === 'rgb' ? [1, 1, 1] : [1], layout: 'NCHW', dtype });

describe('cacheReadChunks', () => {
  it('reads 16 chunks (1,024 samples) of small inputs at once', () => {
    expect(cacheReadChunks(spec(28, 'grayscale'))).toBe(16); // 3 KB a sample: 3.2 MB a read
  });
  it('reads fewer chunks of larger inputs, at most 8 MB a read', () => {
    expect(cacheReadChunks(spec(64, 'rgb'))).toBe(2); // 48 KB a sample: 3 MB a chunk
    expect(cacheReadChunks(spec(64, 'rgb', 'uint8'))).toBe(10); // 12 KB a sample
  });
  it('reads one chunk at a time when a chunk alone is over 8 MB', () => {
    expect(cacheReadChunks(spec(224, 'rgb'))).toBe(1); // 602 KB a sample: 38.5 MB a chunk
  });
});
