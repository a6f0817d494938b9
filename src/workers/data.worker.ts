/** Decoding and preprocessing, off the main thread. */
import * as Comlink from 'comlink';
import type { HostImageDecoder } from '../core/data/decode.ts';
import type { EncodedSample } from '../core/data/dataset.ts';
import type { PreparedChunk } from '../core/eval/evaluate.ts';
import { prepareChunk } from '../core/eval/prepare.ts';
import type { PreprocessSpec } from '../core/preprocess/spec.ts';
import { toErrorInfo } from '../core/errors.ts';
import { readModelInfo, type ModelInfo } from '../core/onnx/info.ts';
import type { Answer } from './model.worker.ts';

/** The browser's own decoder for what the core does not decode (JPEG, WebP, GIF, BMP). */
const browserDecoder: HostImageDecoder = async (bytes, mime) => {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: mime }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D context in this worker');
    context.drawImage(bitmap, 0, 0);
    const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
};

const api = {
  /** Reads a model's graph (inputs, outputs, format) off the main thread; the bytes are transferred. */
  inspectModel(modelBytes: Uint8Array): Answer<ModelInfo> {
    try {
      return { ok: true, value: readModelInfo(modelBytes) };
    } catch (error) {
      return { ok: false, error: toErrorInfo(error) };
    }
  },

  /** Decodes and preprocesses a chunk; undecodable samples are reported, not thrown. Tensors are transferred. */
  async prepare(samples: EncodedSample[], spec: PreprocessSpec): Promise<PreparedChunk> {
    const chunk = await prepareChunk(samples, spec, browserDecoder);
    return Comlink.transfer(chunk, chunk.samples.map((s) => s.input.buffer as ArrayBuffer));
  },
};

export type DataWorkerApi = typeof api;

Comlink.expose(api);
