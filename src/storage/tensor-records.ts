/** Shapes of the preprocessed-tensor cache (types only; the stores are opened in db.ts). */
import type { SampleFailure } from '../core/data/dataset.ts';
import type { InputDType } from '../core/preprocess/spec.ts';

/**
 * One cached set: a dataset's samples through one preprocessing, keyed by
 * `${datasetFingerprint}:${preprocessFingerprint}` so that the same content through the same spec
 * hits the cache whichever dataset row it came from. `complete` flips last, as for datasets.
 */
export interface TensorSetRecord {
  id: string;
  datasetId: string;
  datasetName: string;
  datasetFingerprint: string;
  preprocessFingerprint: string;
  complete: boolean;
  /** Samples per chunk record (the last one may hold fewer). */
  chunkSize: number;
  chunkCount: number;
  /** Samples prepared (failures not counted). */
  sampleCount: number;
  sizeBytes: number;
  dtype: InputDType;
  /** One sample's tensor dims, batch of 1 included (e.g. [1, 1, 28, 28]). */
  dims: number[];
  createdAt: number;
}

/** One chunk of a cached set: samples' tensors back to back, in index order. */
export interface TensorChunkRecord {
  setId: string;
  chunk: number;
  indices: Int32Array;
  /** -1 when unlabelled. */
  labels: Int32Array;
  /** sampleLength values per sample, back to back (the dtype of the set). */
  data: ArrayBuffer;
  sampleLength: number;
  /** Samples of this chunk that could not be prepared (kept so a cached run reports them too). */
  failures: SampleFailure[];
}
