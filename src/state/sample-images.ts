/** Stored samples as images a page can show (object URLs), for galleries of flipped samples. */
import { tensorToRgba } from '../core/data/formats/idx.ts';
import { sampleOrigin, type ResultDocument } from '../core/report/index.ts';
import { getSample } from '../storage/db.ts';

/** The image of a run's sample: a run over a test set and the field samples reads each from its own dataset. */
export function resultSampleImageUrl(dataset: Pick<ResultDocument['dataset'], 'id' | 'parts'>, runIndex: number): Promise<string | null> {
  const { datasetId, index } = sampleOrigin(dataset, runIndex);
  return sampleImageUrl(datasetId, index);
}

/**
 * An object URL for the sample's original bytes (or, for an IDX pixel tensor, a PNG of it), or null
 * when the dataset (or sample) is not in this browser or the sample is not an image. Revoke it when done.
 */
export async function sampleImageUrl(datasetId: string, index: number): Promise<string | null> {
  const sample = await getSample(datasetId, index);
  if (!sample) return null;
  if (sample.kind !== 'tensor') return URL.createObjectURL(new Blob([sample.bytes], { type: sample.mime }));
  const image = tensorToRgba(sample);
  if (!image) return null;
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
  return URL.createObjectURL(await canvas.convertToBlob({ type: 'image/png' }));
}
