/** Stored samples as images a page can show (object URLs), for galleries of flipped samples. */
import { getSample } from '../storage/db.ts';

/** An object URL for the sample's original bytes, or null when the dataset is not in this browser. Revoke it when done. */
export async function sampleImageUrl(datasetId: string, index: number): Promise<string | null> {
  const sample = await getSample(datasetId, index);
  return sample ? URL.createObjectURL(new Blob([sample.bytes], { type: sample.mime })) : null;
}
