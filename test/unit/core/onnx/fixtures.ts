/**
 * Loads the ONNX backend conformance fixtures (shared/fixtures/onnx-node-quant-ops, see its
 * SOURCES.md) straight from the shared folder next to the project.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeTensor, parseTensorProto, type DecodedTensor } from '../../../../src/core/onnx/tensor.ts';

export const QUANT_OPS_FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/onnx-node-quant-ops');

/** The fixture's model.onnx bytes. */
export function fixtureModel(test: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(QUANT_OPS_FIXTURES, test, 'model.onnx')));
}

/** The fixture's test_data_set_0 inputs (in input_N order) and expected output. */
export function fixtureData(test: string): { inputs: DecodedTensor[]; output: DecodedTensor } {
  const folder = path.join(QUANT_OPS_FIXTURES, test, 'test_data_set_0');
  const read = (file: string) => decodeTensor(parseTensorProto(new Uint8Array(readFileSync(path.join(folder, file)))));
  const inputs = readdirSync(folder)
    .filter((f) => /^input_\d+\.pb$/.test(f))
    .sort((a, b) => Number(a.match(/\d+/)?.[0]) - Number(b.match(/\d+/)?.[0]))
    .map(read);
  return { inputs, output: read('output_0.pb') };
}
