/**
 * Whether the data files a model keeps its weights in were given. Apart from external.ts (which
 * needs the protobuf code) so that the page can ask without loading it.
 */
import { QuantLensError } from '../errors.ts';
import type { ExternalFile } from './external.ts';

const NOT_GIVEN_HINT = 'Pick the .onnx file and its data file(s) together (select them all in the file dialog, or drop them together).';

/** The error for a model whose data files were not given, naming them; null when all are there. */
export function missingExternalData(needed: readonly ExternalFile[], givenNames: readonly string[]): QuantLensError | null {
  const given = new Set(givenNames);
  const missing = needed.filter((f) => !given.has(f.fileName));
  if (missing.length === 0) return null;
  const names = missing.map((f) => `'${f.fileName}'`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const which = missing.length === 1 ? 'which was' : 'which were';
  return new QuantLensError('external-data-missing', `This model keeps its weights in ${list}, ${which} not given: pick both files.`, NOT_GIVEN_HINT);
}
