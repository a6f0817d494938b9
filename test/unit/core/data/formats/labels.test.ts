import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { editLabelMapping, mapLabelsByIndex, mapLabelsByName, modelLabel, parseLabelsFile, sharedOutputs, suggestLabelMapping, unmappedClasses } from '../../../../../src/core/data/formats/labels.ts';
import { quantLensError } from './helpers.ts';

describe('labels file', () => {
  it('one name per line in index order: trimmed, trailing empty lines dropped', () => {
    expect(parseLabelsFile('  tench \r\ngoldfish\n great white shark\n\n\n', 'synset.txt')).toEqual({ classNames: ['tench', 'goldfish', 'great white shark'], issues: [] });
  });

  it('keeps indices when a line inside is empty or a name repeats, and reports both', () => {
    expect(parseLabelsFile('cat\n\ndog\ncat\n', 'l.txt')).toEqual({
      classNames: ['cat', '#1', 'dog', 'cat'],
      issues: [{ line: 2, reason: 'empty line: class 1 is named "#1"' }, { line: 4, reason: '"cat" is also on line 1' }],
    });
  });

  it('an empty file or a binary file is a clear error', async () => {
    expect((await quantLensError(() => parseLabelsFile('\n \n', 'l.txt'))).code).toBe('dataset-empty');
    expect((await quantLensError(() => parseLabelsFile(new Uint8Array([0xc3, 0x28]), 'l.txt'))).message).toMatch(/not UTF-8/);
  });

  it('never throws anything but QuantLensError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      try {
        parseLabelsFile(bytes, 'fuzz.txt');
      } catch (error) {
        expect(error).toMatchObject({ name: 'QuantLensError' });
      }
    }));
  });
});

describe('label mapping', () => {
  it('by name ignores case, spaces, _ and -; unmatched classes are listed', () => {
    const mapping = mapLabelsByName(['Golden_Retriever', 'tabby-cat', 'unicorn'], ['tabby cat', 'golden retriever', 'ox']);
    expect(mapping.toModel).toEqual([1, 0, null]);
    expect(unmappedClasses(mapping)).toEqual([{ index: 2, name: 'unicorn' }]);
    expect(modelLabel(mapping, 0)).toBe(1);
    expect(modelLabel(mapping, 2)).toBeNull();
    expect(modelLabel(mapping, null)).toBeNull();
  });

  it('by index uses positions, or the numbers themselves when every class name is a number', () => {
    expect(mapLabelsByIndex(['a', 'b', 'c'], 2).toModel).toEqual([0, 1, null]);
    expect(mapLabelsByIndex(['0', '2', '9', '12'], 10).toModel).toEqual([0, 2, 9, null]);
  });

  it('suggests by name when most names match, else by index', () => {
    expect(suggestLabelMapping(['dog', 'cat'], 3, ['cat', 'dog', 'ox']).method).toBe('name');
    expect(suggestLabelMapping(['0', '1'], 10, ['zero', 'one']).method).toBe('index');
    expect(suggestLabelMapping(['0', '1'], 10, null).toModel).toEqual([0, 1]);
  });

  it('edits are checked, copied, and marked; shared outputs are listed', async () => {
    const mapping = mapLabelsByIndex(['a', 'b', 'c'], 3);
    const edited = editLabelMapping(mapping, 2, 0);
    expect([edited.toModel, edited.method, mapping.toModel]).toEqual([[0, 1, 0], 'edited', [0, 1, 2]]);
    expect(sharedOutputs(edited)).toEqual([{ output: 0, datasetIndices: [0, 2] }]);
    expect(editLabelMapping(mapping, 1, null).toModel).toEqual([0, null, 2]);
    expect((await quantLensError(() => editLabelMapping(mapping, 0, 3))).message).toBe('The model has no output 3 (it has 3).');
    expect((await quantLensError(() => editLabelMapping(mapping, 5, 0))).message).toMatch(/no dataset class 5/);
  });
});
