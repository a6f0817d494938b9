import { describe, expect, it } from 'vitest';
import { createTaskAccumulator, labelMapSettings, type ClassificationOutcome } from '../../../../src/core/tasks/index.ts';
import { editLabelMapping, suggestLabelMapping } from '../../../../src/core/data/formats/labels.ts';
import type { PreparedSample } from '../../../../src/core/eval/evaluate.ts';
import type { PreprocessSpec } from '../../../../src/core/preprocess/spec.ts';

const spec: PreprocessSpec = { height: 1, width: 1, resize: 'stretch', color: 'grayscale', scale: '0..1', mean: [0], std: [1], layout: 'NCHW', dtype: 'float32' };
const sample = (index: number, label: number | null): PreparedSample => ({ index, label, input: new Float32Array(1) });
/** Scores for 3 outputs with the top-1 at `top`. */
const scores = (top: number) => [{ data: Float32Array.from([0, 1, 2], (i) => (i === top ? 5 : i)), dims: [1, 3] }];

// The model's outputs are [cat, dog, bird]; the dataset's folders, sorted, are [bird, cat, dog, fish].
const modelNames = ['cat', 'dog', 'bird'];
const datasetNames = ['bird', 'cat', 'dog', 'fish'];
/** dataset label, float top-1, quantized top-1 (output indices). */
const runs: [number | null, number, number][] = [[0, 2, 2], [1, 0, 0], [1, 0, 1], [2, 1, 1], [2, 0, 1], [3, 2, 2], [null, 1, 1]];

function run(settings: Parameters<typeof createTaskAccumulator>[0], names: string[], labelOf: (label: number | null) => number | null): ClassificationOutcome {
  const task = createTaskAccumulator(settings, names, spec);
  runs.forEach(([label, float, quantized], i) => task.add(sample(i, labelOf(label)), scores(float), scores(quantized)));
  return task.finish() as ClassificationOutcome;
}

describe('classification through a label map', () => {
  const mapping = suggestLabelMapping(datasetNames, 3, modelNames);
  const settings = labelMapSettings(mapping);

  it('is suggested by name, and becomes output indices (-1 = unmapped) and the outputs\' names', () => {
    expect(mapping.method).toBe('name');
    expect(Array.from(settings.labelMap)).toEqual([2, 0, 1, -1]);
    expect(settings.labelMapClassNames).toEqual(modelNames);
  });

  it('scores exactly as a dataset labelled with output indices; unmapped samples count as unlabelled', () => {
    const mapped = run({ kind: 'classification', topK: 2, ...settings }, datasetNames, (label) => label);
    const reference = run({ kind: 'classification', topK: 2 }, modelNames, (label) => (label === null || label === 3 ? null : settings.labelMap[label]));
    expect(mapped.unmappedSamples).toBe(1);
    expect(reference.unmappedSamples).toBe(0);
    expect(mapped.metrics).toEqual(reference.metrics);
    expect(mapped.float.classification.labelledCount).toBe(5);
    expect(mapped.float.classification.top1Correct).toBe(4); // bird, cat twice, dog right; dog→cat wrong
    expect(mapped.quantized.classification.top1Correct).toBe(4); // cat→dog is wrong, dog→dog twice right
    expect(Array.from(mapped.samples.labels)).toEqual([2, 0, 0, 1, 1, -1, -1]);
    expect(mapped.perClass).toEqual(reference.perClass);
    // Segment tables name classes by output: the model's names.
    const perClassSegment = mapped.segments.find((table) => table.rows.some((row) => row.key === 'bird'));
    expect(perClassSegment).toBeDefined();
    expect(mapped.segments).toEqual(reference.segments);
  });

  it('an edit sends a class to another output; an unmapped class is scored once mapped', () => {
    const edited = labelMapSettings(editLabelMapping(mapping, 3, 2));
    expect(Array.from(edited.labelMap)).toEqual([2, 0, 1, 2]);
    const outcome = run({ kind: 'classification', ...edited }, datasetNames, (label) => label);
    expect(outcome.unmappedSamples).toBe(0);
    expect(outcome.float.classification.labelledCount).toBe(6);
  });

  it('without model names, the outputs are named after the dataset classes mapped to them', () => {
    const byIndex = suggestLabelMapping(['0', '2', '5'], 4, null);
    expect(labelMapSettings(byIndex)).toEqual({ labelMap: Int32Array.of(0, 2, -1), labelMapClassNames: ['0', '1', '2', '3'] });
    const shared = labelMapSettings(editLabelMapping(editLabelMapping(suggestLabelMapping(['x', 'y', 'z'], 3, null), 2, 0), 1, null));
    expect(shared.labelMapClassNames).toEqual(['x', '1', '2']);
    expect(Array.from(shared.labelMap)).toEqual([0, -1, 0]);
  });

  it('leaves labels alone without a map', () => {
    const plain = run({ kind: 'classification' }, modelNames, (label) => (label === 3 ? null : label));
    expect(plain.unmappedSamples).toBe(0);
    expect(Array.from(plain.samples.labels)).toEqual([0, 1, 1, 2, 2, -1, -1]);
  });
});
