/**
 * Labelled samples as the app keeps them: the original encoded bytes (never a lossy re-encode),
 * so every host decodes and preprocesses the very same input.
 */
export interface EncodedSample {
  /** Position in the dataset; stable, used as the sample's id in results. */
  index: number;
  /** Path-like name shown to people ("cat/0001.jpg"). */
  name: string;
  /** Index into the dataset's classNames (= the model's output index); null when unlabelled. */
  label: number | null;
  mime: string;
  bytes: ArrayBuffer;
  /** Absent on samples made before tensor samples existed; always 'encoded' when present. */
  kind?: 'encoded';
  /** Free-form segments ("lighting": "night") from a manifest, for per-segment metrics. */
  tags?: Record<string, string>;
  /** SHA-256 of `bytes`, lowercase hex (see fingerprint.ts). */
  sha256?: string;
  /** Boxes or a mask, for detection and segmentation datasets. */
  target?: SampleTarget;
}

/** Element types a tensor sample can hold (names as onnxruntime spells them). */
export type TensorDType = 'float32' | 'float64' | 'uint8' | 'int8' | 'int32' | 'int64';

/** Typed-array storage for each TensorDType ('int64' is a BigInt64Array). */
export type TensorData = Float32Array | Float64Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

/**
 * A sample that is already numbers, not an encoded image: one row of an IDX or .npy/.npz array.
 * `dims` are the sample's own dimensions (no batch axis), row-major; `data.length` is their product.
 * IDX digits arrive as uint8 [28, 28] raw pixels (see idx.ts `tensorToRgba` to show them);
 * .npz inputs arrive already preprocessed and go to the model as they are (no PreprocessSpec).
 */
export interface TensorSample {
  kind: 'tensor';
  index: number;
  name: string;
  label: number | null;
  dtype: TensorDType;
  dims: number[];
  data: TensorData;
  tags?: Record<string, string>;
  sha256?: string;
}

/** Any sample a dataset can hold; narrow with `sample.kind === 'tensor'`. */
export type DatasetSample = EncodedSample | TensorSample;

export interface DatasetSummary {
  id: string;
  name: string;
  /** 'folder' = picked files or folder (zip, manifest, IDX, .npz included); 'url' = fetched from an address. */
  source: 'demo' | 'folder' | 'url';
  createdAt: number;
  sampleCount: number;
  classNames: string[];
  sizeBytes: number;
  /** Files left out at import, each with a reason. */
  skipped: SkippedFile[];
  /** Which importer made it, when not a plain folder or the demo. */
  format?: 'zip' | 'manifest' | 'idx' | 'npz' | 'coco' | 'masks';
  /** datasetFingerprint() of the samples (fingerprint.ts). */
  fingerprint?: string;
  /**
   * What the samples are: encoded images ('images', the default), raw pixels as uint8 tensors
   * ('pixels', IDX: preprocessed like images) or inputs already preprocessed ('inputs', .npz: given
   * to the model as they are, after a dtype/shape check).
   */
  content?: 'images' | 'pixels' | 'inputs';
  /** Ground truth beyond a class label that the samples carry in `target` (COCO boxes, masks). */
  target?: SampleTarget['kind'];
  /** The stored test/calibration split, when one was made (sample lists in the dataset's catalog). */
  split?: SplitSummary;
}

/** What a stored split is, without its index lists. */
export interface SplitSummary {
  seed: number;
  /** Share of each class's distinct contents in the calibration part. */
  fraction: number;
  testCount: number;
  calibrationCount: number;
  /** Groups of samples with identical content (each group kept on one side). */
  duplicateGroups: number;
}

/**
 * Per-sample ground truth for detection and segmentation, stored on the sample row (`target`).
 * boxes: box i is boxes[4i..4i+3] = [x, y, width, height] in pixels of the original image (COCO
 * order), classes[i] a dataset class index, crowd[i] 1 for iscrowd; mask: one class index per
 * pixel, row-major, 255 = ignore (masks.ts).
 */
export type SampleTarget =
  | { kind: 'boxes'; boxes: Float32Array; classes: Int32Array; crowd: Uint8Array; areas: Float32Array; imageId: number }
  | { kind: 'mask'; width: number; height: number; data: Uint8Array };

export interface SkippedFile {
  name: string;
  reason: string;
}

/** Why a sample could not be used in a run (it is skipped and counted, never fatal). */
export interface SampleFailure {
  index: number;
  name: string;
  reason: string;
}
