import { describe, expect, it } from 'vitest';
import { compareTwins, formatShape } from '../../../../src/core/onnx/twins.ts';
import type { ModelInfo } from '../../../../src/core/onnx/info.ts';
import type { ModelInputInfo } from '../../../../src/core/preprocess/spec.ts';

function info(inputs: ModelInputInfo[], outputs: ModelInputInfo[]): ModelInfo {
  return { irVersion: 8, opsets: { 'ai.onnx': 13 }, producer: '', inputs, outputs, nodeCount: 0, opHistogram: {}, parameterCount: 0, format: 'float', externalData: [], nonStandardOps: [] };
}

const image = (shape: ModelInputInfo['shape'], dtype = 'float32'): ModelInputInfo => ({ name: 'image', dtype, shape });
const logits = (shape: ModelInputInfo['shape']): ModelInputInfo => ({ name: 'logits', dtype: 'float32', shape });

describe('compareTwins', () => {
  it('finds no difference between twins, symbolic dims matching any symbolic dim', () => {
    const float = info([image(['N', 1, 28, 28])], [logits(['N', 10])]);
    const quantized = info([image(['batch', 1, 28, 28])], [logits(['batch_size', 10])]);
    expect(compareTwins(float, quantized)).toEqual([]);
    expect(compareTwins(float, info([image([null, 1, 28, 28])], [logits(['N', null])]))).toEqual([]);
  });

  it('reports a shape difference as a sentence', () => {
    const differences = compareTwins(info([image(['N', 1, 28, 28])], [logits(['N', 10])]), info([image(['N', 1, 28, 28])], [logits(['N', 1000])]));
    expect(differences.map((d) => d.message)).toEqual([
      "Output 'logits' has shape [N,10] in the float model but [N,1000] in the quantized model.",
    ]);
    expect(differences[0]).toMatchObject({ kind: 'shape', side: 'output', tensor: 'logits' });
  });

  it('reports a fixed dim against a symbolic one, a different rank, and dtype changes', () => {
    const differences = compareTwins(info([image(['N', 3, 224, 224])], []), info([image([1, 3, 224, 224], 'uint8')], []));
    expect(differences.map((d) => d.message)).toEqual([
      "Input 'image' has shape [N,3,224,224] in the float model but [1,3,224,224] in the quantized model.",
      "Input 'image' is float32 in the float model but uint8 in the quantized model.",
    ]);
    expect(compareTwins(info([image([1, 784])], []), info([image([1, 1, 28, 28])], []))).toHaveLength(1);
  });

  it('reports missing and extra tensors', () => {
    const differences = compareTwins(
      info([image([1])], [logits([1, 10])]),
      info([image([1]), { name: 'mask', dtype: 'float32', shape: [1] }], [{ name: 'probs', dtype: 'float32', shape: [1, 10] }]),
    );
    expect(differences.map((d) => d.message)).toEqual([
      "Input 'mask' exists in the quantized model but not in the float model.",
      "Output 'logits' exists in the float model but not in the quantized model.",
      "Output 'probs' exists in the quantized model but not in the float model.",
    ]);
  });

  it('formats unknown dims as ?', () => {
    expect(formatShape(['N', null, 3])).toBe('[N,?,3]');
    expect(formatShape([])).toBe('[]');
  });
});
