import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { bytesReader, classNamesFromMetadata, parseNameList, readMetadataProps } from '../../../../src/core/onnx/class-names.ts';
import { parseModel, serializeModel } from '../../../../src/core/onnx/model.ts';
import { StringStringEntryProtoSchema } from '../../../../src/core/onnx/gen/onnx_pb.ts';

const demoModel = new Uint8Array(readFileSync(new URL('../../../../public/demo/mnist-cnn.float.onnx', import.meta.url)));

function withMetadata(entries: Record<string, string>): Uint8Array {
  const model = parseModel(demoModel);
  model.metadataProps = Object.entries(entries).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }));
  return serializeModel(model);
}

describe('readMetadataProps: the metadata of a model, without reading its weights', () => {
  it('reads what the full protobuf parse reads, touching only field headers and the props', async () => {
    const entries = { names: "{0: 'person', 1: 'bicycle'}", author: 'someone', 'ünïcode': 'välue' };
    const bytes = withMetadata(entries);
    const parsed = Object.fromEntries(parseModel(bytes).metadataProps.map((p) => [p.key, p.value]));
    const reads: number[] = [];
    const reader = bytesReader(bytes);
    const props = await readMetadataProps((offset, length) => (reads.push(length), reader(offset, length)), bytes.length);
    expect(props).toEqual(parsed);
    expect(props).toEqual(entries);
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(400); // the model is 210 KB
  });

  it('finds nothing in a model without metadata, and stops quietly on bytes that are not a model', async () => {
    expect(await readMetadataProps(bytesReader(demoModel), demoModel.length)).toEqual({});
    const junk = new TextEncoder().encode('not a model at all');
    expect(await readMetadataProps(bytesReader(junk), junk.length)).toEqual({});
    const truncated = withMetadata({ labels: 'a,b' }).subarray(0, 1000);
    expect(await readMetadataProps(bytesReader(truncated), truncated.length)).toEqual({});
  });
});

describe('classNamesFromMetadata: the notations exporters use', () => {
  it('reads an ultralytics names dict, JSON lists and objects, Python lists, lines and commas', () => {
    expect(parseNameList("{0: 'person', 1: 'bicycle', 2: \"it's\"}")).toEqual(['person', 'bicycle', "it's"]);
    expect(parseNameList('["cat", "dog"]')).toEqual(['cat', 'dog']);
    expect(parseNameList('{"1": "dog", "0": "cat"}')).toEqual(['cat', 'dog']);
    expect(parseNameList("['tench', 'goldfish']")).toEqual(['tench', 'goldfish']);
    expect(parseNameList('tench\ngoldfish\r\ngreat white shark')).toEqual(['tench', 'goldfish', 'great white shark']);
    expect(parseNameList('a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(parseNameList("{0: 'a', 2: 'c'}")).toEqual(['a', '#1', 'c']);
    expect(parseNameList('  ')).toBeNull();
  });

  it("takes the first of 'names', 'labels', 'classes', 'class_names' that holds a list", () => {
    expect(classNamesFromMetadata({ classes: 'x,y', names: "{0: 'a'}" })).toEqual({ key: 'names', names: ['a'] });
    expect(classNamesFromMetadata({ labels: '', class_names: '["p", "q"]' })).toEqual({ key: 'class_names', names: ['p', 'q'] });
    expect(classNamesFromMetadata({ author: 'x' })).toBeNull();
  });
});
