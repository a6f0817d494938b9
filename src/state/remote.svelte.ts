/**
 * Models and datasets loaded from an address: fetched with progress into IndexedDB (resumable),
 * then used like a picked file. Presets name real public pairs.
 */
import { toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import { download, type DownloadProgress } from '../storage/downloads.ts';
import type { ModelRole } from '../workers/client.ts';

export interface RemotePreset {
  id: string;
  title: string;
  floatModel: string;
  quantizedModel: string;
  /** Class names in output order, when published. */
  labels?: string;
  note: string;
}

/**
 * The ONNX Model Zoo's own float/INT8 pair. These addresses cannot be reached from the machines the
 * tests run on (no internet there): they are listed as published, untested here.
 */
export const PRESETS: RemotePreset[] = [
  {
    id: 'mobilenetv2-12',
    title: 'MobileNetV2-1.0, ImageNet (ONNX Model Zoo): float32 vs INT8',
    floatModel: 'https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-12.onnx',
    quantizedModel: 'https://github.com/onnx/models/raw/main/validated/vision/classification/mobilenet/model/mobilenetv2-12-int8.onnx',
    labels: 'https://raw.githubusercontent.com/onnx/models/main/validated/vision/classification/synset.txt',
    note: 'Zoo README: top-1 69.48 % float, 68.30 % INT8 on ImageNet val. Bring an ImageNet sample as a zip of class folders named by synset (n01440764/…) with synset.txt as labels.txt; preprocessing 224×224 RGB, 0..1, mean 0.485/0.456/0.406, std 0.229/0.224/0.225, NCHW.',
  },
];

export class RemoteLoader {
  progress = $state.raw<(DownloadProgress & { url: string }) | null>(null);
  error = $state.raw<ErrorInfo | null>(null);

  /** Fetches (or reads from the cache) the file at `url`. */
  async fetch(url: string): Promise<File | null> {
    this.error = null;
    this.progress = { url, received: 0, total: null };
    try {
      return await download(url, (progress) => (this.progress = { url, ...progress }));
    } catch (error) {
      this.error = toErrorInfo(error);
      return null;
    } finally {
      this.progress = null;
    }
  }
}

export type { ModelRole };
