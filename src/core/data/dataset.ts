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
}

export interface DatasetSummary {
  id: string;
  name: string;
  source: 'demo' | 'folder';
  createdAt: number;
  sampleCount: number;
  classNames: string[];
  sizeBytes: number;
  /** Files left out at import, each with a reason. */
  skipped: SkippedFile[];
}

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
