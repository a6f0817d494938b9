import { decodeImage, type HostImageDecoder } from '../data/decode.ts';
import type { EncodedSample, SampleFailure } from '../data/dataset.ts';
import { toErrorInfo } from '../errors.ts';
import { preprocess } from '../preprocess/index.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { PreparedChunk, PreparedSample } from './evaluate.ts';

/** Decodes and preprocesses samples; one that fails is reported with its reason, never fatal. */
export async function prepareChunk(samples: readonly EncodedSample[], spec: PreprocessSpec, hostDecoder?: HostImageDecoder): Promise<PreparedChunk> {
  const prepared: PreparedSample[] = [];
  const failures: SampleFailure[] = [];
  for (const sample of samples) {
    try {
      const image = await decodeImage(sample.bytes, sample.mime, hostDecoder);
      prepared.push({
        index: sample.index,
        label: sample.label,
        input: preprocess(image, spec),
        imageSize: { width: image.width, height: image.height },
        ...(sample.target ? { target: sample.target } : {}),
        ...(sample.tags ? { tags: sample.tags } : {}),
      });
    } catch (error) {
      failures.push({ index: sample.index, name: sample.name, reason: toErrorInfo(error).message });
    }
  }
  return { samples: prepared, failures };
}
