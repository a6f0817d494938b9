/**
 * Stored samples → model inputs. Encoded images decode and go through the PreprocessSpec (core
 * prepare.ts); IDX pixel tensors skip the decoder but not the spec; .npz inputs are already
 * preprocessed and go to the model as they are, once their dtype and shape match the spec's.
 */
import type { HostImageDecoder } from '../core/data/decode.ts';
import type { EncodedSample, SampleFailure, TensorSample } from '../core/data/dataset.ts';
import { tensorToRgba } from '../core/data/formats/idx.ts';
import type { PreparedChunk, PreparedSample } from '../core/eval/evaluate.ts';
import { prepareChunk } from '../core/eval/prepare.ts';
import { QuantLensError, toErrorInfo } from '../core/errors.ts';
import { preprocess, tensorShape } from '../core/preprocess/index.ts';
import type { PreprocessSpec, PreprocessedTensorData } from '../core/preprocess/spec.ts';
import type { SampleRow } from './db.ts';

export type SampleContent = 'images' | 'pixels' | 'inputs';

export async function prepareRows(rows: readonly (SampleRow | EncodedSample)[], spec: PreprocessSpec, content: SampleContent, decoder?: HostImageDecoder): Promise<PreparedChunk> {
  const encoded = rows.filter((r): r is EncodedSample => r.kind !== 'tensor');
  const tensors = rows.filter((r): r is TensorSample => r.kind === 'tensor');
  const chunk = encoded.length ? await prepareChunk(encoded, spec, decoder) : { samples: [], failures: [] };
  if (tensors.length === 0) return chunk;
  const samples: PreparedSample[] = [...chunk.samples];
  const failures: SampleFailure[] = [...chunk.failures];
  for (const sample of tensors) {
    if (content === 'inputs') {
      samples.push({ index: sample.index, label: sample.label, input: asModelInput(sample, spec) });
      continue;
    }
    try {
      const image = tensorToRgba(sample);
      if (!image) throw new Error(`a ${sample.dtype} tensor of shape [${sample.dims.join(', ')}] is not an image (uint8 [h, w] or [h, w, 1|3|4])`);
      samples.push({ index: sample.index, label: sample.label, input: preprocess(image, spec) });
    } catch (error) {
      failures.push({ index: sample.index, name: sample.name, reason: toErrorInfo(error).message });
    }
  }
  samples.sort((a, b) => a.index - b.index);
  return { samples, failures };
}

/** The .npz tensor itself, when its dtype and shape are what the model takes; else a run-stopping error. */
export function asModelInput(sample: TensorSample, spec: PreprocessSpec): PreprocessedTensorData {
  const expected = tensorShape(spec, 1).slice(1);
  const dims = sample.dims.length === expected.length + 1 && sample.dims[0] === 1 ? sample.dims.slice(1) : sample.dims;
  const sameShape = dims.length === expected.length && dims.every((d, i) => d === expected[i]);
  if (sample.dtype !== spec.dtype || !sameShape) {
    throw new QuantLensError(
      'preprocess-mismatch',
      `The dataset holds ready-made model inputs of ${sample.dtype} [${sample.dims.join(', ')}], but the model input (as the preprocessing settings describe it) is ${spec.dtype} [${expected.join(', ')}].`,
      'These inputs skip preprocessing: set the preprocessing form to the model input (size, colour, layout, dtype) or export the .npz with that shape and dtype.',
    );
  }
  const data = sample.data as PreprocessedTensorData;
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : (data.slice() as PreprocessedTensorData);
}
