import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import { BlobWriter, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import { classFolderSource, cocoSource, findMaskDir, manifestSource, maskSource, type DraftSample } from '../../../src/storage/import/sources.ts';
import { treeOfPicked, treeOfZip, type FileTree } from '../../../src/storage/import/tree.ts';
import { asModelInput, prepareRows } from '../../../src/storage/prepare-rows.ts';
import { packChunk, unpackChunk } from '../../../src/storage/tensor-cache.ts';
import type { PreprocessSpec } from '../../../src/core/preprocess/spec.ts';
import type { TensorSample } from '../../../src/core/data/dataset.ts';

const png = (value: number, size = 4) => encode({ width: size, height: size, data: new Uint8Array(size * size).fill(value), channels: 1, depth: 8 });

function tree(entries: Record<string, Uint8Array | string>, name = 'set'): FileTree {
  const picked = Object.entries(entries).map(([path, content]) => ({ path: `${name}/${path}`, file: new File([typeof content === 'string' ? content : content.slice()], path.replace(/^.*\//, '')) }));
  return treeOfPicked(picked, 'unused');
}

async function drain(samples: AsyncGenerator<DraftSample>): Promise<DraftSample[]> {
  const out: DraftSample[] = [];
  for await (const s of samples) out.push(s);
  return out;
}

const spec: PreprocessSpec = { height: 4, width: 4, resize: 'stretch', color: 'grayscale', scale: '0..1', mean: [0], std: [1], layout: 'NCHW', dtype: 'float32' };

describe('dataset import sources', () => {
  it('class folders: a labels file sets the class order, folders it does not name are skipped and said', async () => {
    const source = classFolderSource(tree({ 'cat/1.png': png(1), 'dog/1.png': png(2), 'bird/1.png': png(3), 'dog/x.png': 'text' }), ['dog', 'cat']);
    const samples = await drain(source.samples());
    expect(source.classNames).toEqual(['dog', 'cat']);
    expect(samples.map((s) => [s.name, s.label])).toEqual([['cat/1.png', 1], ['dog/1.png', 0]]);
    expect(source.skipped).toEqual([
      { name: 'bird/', reason: 'class folder not named in the labels file: its images are left out' },
      { name: 'dog/x.png', reason: 'content is not a PNG, JPEG, WebP, GIF or BMP image' },
    ]);
  });

  it('manifest: rows with tags; a missing file and a malformed line are reported with their line', async () => {
    const t = tree({ 'a.png': png(1), 'b.png': png(2), 'list.jsonl': '{"file":"a.png","label":"x","tags":{"light":"day"}}\n{"file":"b.png","label":"y"}\nnot json\n{"file":"c.png","label":"x"}\n' });
    const source = await manifestSource(t, t.files.find((f) => f.path === 'list.jsonl')!, null);
    const samples = await drain(source.samples());
    expect(samples.map((s) => [s.name, s.label, s.tags])).toEqual([['a.png', 0, { light: 'day' }], ['b.png', 1, undefined]]);
    expect(source.skipped.map((s) => s.name)).toEqual(['list.jsonl:3', 'list.jsonl:4 (c.png)']);
  });

  it('COCO: boxes per image as target, images found under images/, a missing one reported', async () => {
    const json = JSON.stringify({ images: [{ id: 5, file_name: 'p.png', width: 4, height: 4 }, { id: 6, file_name: 'q.png', width: 4, height: 4 }], annotations: [{ id: 1, image_id: 5, category_id: 3, bbox: [0, 0, 2, 2] }], categories: [{ id: 3, name: 'thing' }] });
    const t = tree({ 'images/p.png': png(1), 'annotations/instances.json': json });
    const source = await cocoSource(t, t.files.find((f) => f.path.endsWith('.json'))!);
    const [sample, ...rest] = await drain(source.samples());
    expect(rest).toEqual([]);
    expect(sample.target).toMatchObject({ kind: 'boxes', imageId: 5, boxes: Float32Array.from([0, 0, 2, 2]), classes: Int32Array.from([0]) });
    expect(source.skipped).toEqual([{ name: 'q.png', reason: 'image 6 of instances.json is not among the picked files' }]);
  });

  it('masks: found in masks/, paired by stem, classes from the pixel values', async () => {
    const t = tree({ 'images/a.png': png(9), 'images/b.png': png(9), 'masks/a.png': png(2) });
    expect(findMaskDir(t)).toBe('masks');
    const source = maskSource(t, 'masks', null);
    const samples = await drain(source.samples());
    expect(samples).toHaveLength(1);
    expect(samples[0].target).toMatchObject({ kind: 'mask', width: 4, height: 4 });
    expect(source.classNames).toEqual(['0', '1', '2']);
    expect(source.skipped).toEqual([{ name: 'images/b.png', reason: 'no mask with the same file name' }]);
  });

  it('a zip is a tree: its single top folder is the root and the dataset name', async () => {
    const writer = new ZipWriter(new BlobWriter('application/zip'), { useWebWorkers: false });
    await writer.add('digits/0/a.png', new Uint8ArrayReader(png(1)));
    await writer.add('digits/1/b.png', new Uint8ArrayReader(png(2)));
    const zipped = await treeOfZip(await writer.close(), 'upload.zip');
    expect(zipped.name).toBe('digits');
    expect(zipped.files.map((f) => f.path)).toEqual(['0/a.png', '1/b.png']);
    const samples = await drain(classFolderSource(zipped, null).samples());
    expect(samples.map((s) => s.label)).toEqual([0, 1]);
    await zipped.close();
  });
});

describe('stored samples to model inputs', () => {
  const tensor = (dtype: TensorSample['dtype'], dims: number[]): TensorSample => ({ kind: 'tensor', index: 0, name: 'x[0]', label: 1, dtype, dims, data: dtype === 'float32' ? new Float32Array(16) : new Uint8Array(16) });

  it('.npz inputs go to the model as they are when dtype and shape match, else the run stops saying both', () => {
    expect(asModelInput(tensor('float32', [1, 4, 4]), spec)).toBeInstanceOf(Float32Array);
    expect(() => asModelInput(tensor('uint8', [1, 4, 4]), spec)).toThrow(/ready-made model inputs of uint8 \[1, 4, 4\], but the model input .* is float32 \[1, 4, 4\]/);
    expect(() => asModelInput(tensor('float32', [4, 4, 1]), spec)).toThrow(/float32 \[4, 4, 1\]/);
  });

  it('IDX pixels are preprocessed like an image; a non-image tensor is skipped with its reason', async () => {
    const pixels = { ...tensor('uint8', [4, 4]), data: new Uint8Array(16).fill(255) };
    const chunk = await prepareRows([pixels, { ...tensor('float32', [16]), index: 1 }], spec, 'pixels');
    expect(Array.from(chunk.samples[0].input)).toEqual(new Array(16).fill(1));
    expect(chunk.failures[0]).toMatchObject({ index: 1, reason: expect.stringMatching(/not an image/) });
  });

  it('the tensor cache packs a chunk into one record and unpacks it with each sample owning its buffer', () => {
    const chunk = { samples: [0, 1, 2].map((i) => ({ index: 10 + i, label: i === 2 ? null : i, input: Float32Array.from({ length: 4 }, (_, k) => i * 10 + k) })), failures: [{ index: 13, name: 'bad.png', reason: 'no' }] };
    const record = packChunk('set', 3, chunk);
    expect(record.data.byteLength).toBe(48);
    const back = unpackChunk(record, 'float32');
    expect(back.samples.map((s) => [s.index, s.label, Array.from(s.input)])).toEqual(chunk.samples.map((s) => [s.index, s.label, Array.from(s.input)]));
    expect(new Set(back.samples.map((s) => s.input.buffer)).size).toBe(3);
    expect(back.failures).toEqual(chunk.failures);
  });
});
