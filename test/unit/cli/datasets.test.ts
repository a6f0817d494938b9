import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/core/data/decode.ts';
import { datasetFingerprint, sampleHash } from '../../../src/core/data/fingerprint.ts';
import { writeNpz } from '../../../src/core/data/formats/npz.ts';
import { resultFacts, type ResultFacts } from '../../../src/core/eval/facts.ts';
import { preprocess } from '../../../src/core/preprocess/index.ts';
import type { ResultDocument } from '../../../src/core/report/index.ts';
import { evaluateInProcess } from '../../../src/runtime/in-process.ts';
import { loadDemo } from '../../helpers/demo.ts';
import { buildCli, DEMO, FLOAT, QUANTIZED, removeMade, runCli, tempDir } from './run-cli.ts';

// The same 200 demo digits (20 per class) written out in each format the app imports; the CLI must
// give the numbers of the in-process evaluation (the browser's, per demo-node.test.ts) for each.
const demo = loadDemo();
const subset = demo.testSet.samples.filter((_, i) => i % 10 === 0).map((s, index) => ({ ...s, index }));
const spec = demo.manifest.preprocess;
const SPEC_FILE = `${DEMO}/demo.json`;

function factsOf(doc: ResultDocument): ResultFacts {
  const [top1, topK] = doc.metrics;
  const flips = doc.classification!.agreement;
  const model = (role: 'float' | 'quantized') => ({ top1Correct: top1.counts![role], topKCorrect: topK.counts![role], predictionsChecksum: doc.models[role].predictionsChecksum! });
  return { sampleCount: doc.sampleCount, skipped: doc.skipped.length, float: model('float'), quantized: model('quantized'), agreement: { top1Agree: flips.top1Agree, correctToWrong: flips.correctToWrong, wrongToCorrect: flips.wrongToCorrect, wrongToOtherWrong: flips.wrongToOtherWrong } };
}

const bigEndian = (values: number[]) => {
  const bytes = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(bytes.buffer).setUint32(i * 4, v));
  return bytes;
};

describe('quantlens eval reads the app\'s dataset formats', () => {
  let cli = '';
  let expected: ResultFacts;
  const dir = tempDir('data');
  const evalOn = async (name: string, ...data: string[]) => {
    const json = join(dir, `${name}.json`);
    const run = await runCli(cli, ['eval', '--float', FLOAT, '--quantized', QUANTIZED, '--preprocess', SPEC_FILE, '--progress', 'none', '--json', json, ...data.flatMap((d) => ['--data', d])]);
    return { run, doc: run.code === 0 ? (JSON.parse(readFileSync(json, 'utf8')) as ResultDocument) : null };
  };

  beforeAll(async () => {
    cli = await buildCli();
    const reference = await evaluateInProcess({ floatModel: demo.floatModel, quantizedModel: demo.quantizedModel, samples: subset, spec });
    expected = resultFacts(reference.result!);
  });
  afterAll(removeMade);

  it('a folder of class subfolders (PNG digits), with a broken image and a stray file left out and said so', async () => {
    const root = join(dir, 'digits');
    for (const sample of subset) {
      mkdirSync(dirname(join(root, sample.name)), { recursive: true });
      writeFileSync(join(root, sample.name), new Uint8Array(sample.bytes));
    }
    const { run, doc } = await evalOn('folder', root);
    expect(run.code).toBe(0);
    expect(factsOf(doc!)).toEqual(expected);
    const hashes = await Promise.all(subset.map(async (s) => ({ sha256: await sampleHash(s), label: s.label })));
    expect(doc!.dataset.fingerprint).toBe(await datasetFingerprint(hashes, demo.testSet.classNames));
    expect(run.stdout).toContain(`fingerprint    ${doc!.dataset.fingerprint}`);

    writeFileSync(join(root, '3', 'zz-broken.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9]));
    writeFileSync(join(root, '3', 'notes.txt'), 'not an image');
    const withJunk = await evalOn('folder-junk', root);
    expect(withJunk.run.code).toBe(0);
    expect(withJunk.doc!.sampleCount).toBe(200);
    expect(withJunk.doc!.skipped).toEqual([expect.objectContaining({ name: '3/zz-broken.png' })]);
    expect(withJunk.run.stdout).toMatch(/201 samples, 10 classes, 1 file left out/);
    expect(withJunk.run.stdout).toMatch(/skipped 1 sample \(not decodable\): 3\/zz-broken\.png: The image could not be decoded/);
  });

  it('a CSV manifest naming the images next to it', async () => {
    const root = join(dir, 'manifest');
    const lines = ['file,label'];
    for (const [i, sample] of subset.entries()) {
      mkdirSync(join(root, 'images'), { recursive: true });
      writeFileSync(join(root, 'images', `${i}.png`), new Uint8Array(sample.bytes));
      lines.push(`images/${i}.png,${demo.testSet.classNames[sample.label!]}`);
    }
    writeFileSync(join(root, 'test.csv'), `${lines.join('\n')}\n`);
    const { run, doc } = await evalOn('manifest', join(root, 'test.csv'));
    expect(run.code).toBe(0);
    expect(factsOf(doc!)).toEqual(expected);
  });

  it('an MNIST-style IDX pair (raw pixels, preprocessed like images)', async () => {
    const pixels: number[] = [];
    for (const sample of subset) {
      const image = await decodeImage(sample.bytes, sample.mime);
      for (let p = 0; p < image.width * image.height; p++) pixels.push(image.data[p * 4]);
    }
    const images = join(dir, 'sub-images-idx3-ubyte');
    const labels = join(dir, 'sub-labels-idx1-ubyte');
    writeFileSync(images, Buffer.concat([bigEndian([0x803, subset.length, 28, 28]), Uint8Array.from(pixels)]));
    writeFileSync(labels, Buffer.concat([bigEndian([0x801, subset.length]), Uint8Array.from(subset.map((s) => s.label!))]));
    const { run, doc } = await evalOn('idx', images, labels);
    expect(run.code).toBe(0);
    expect(factsOf(doc!)).toEqual(expected);
    expect(run.stdout).toMatch(/dataset +sub \(idx, 200 samples, 10 classes\)/);
  });

  it('a .npz of preprocessed inputs, as the app\'s "Export preprocessed set" writes it: run as they are', async () => {
    const x = new Float32Array(subset.length * 28 * 28);
    for (const [i, sample] of subset.entries()) x.set(preprocess(await decodeImage(sample.bytes, sample.mime), spec) as Float32Array, i * 784);
    const npz = await writeNpz({
      x: { dtype: 'float32', dims: [subset.length, 1, 28, 28], data: x },
      y: { dtype: 'int64', dims: [subset.length], data: BigInt64Array.from(subset.map((s) => BigInt(s.label!))) },
      index: { dtype: 'int32', dims: [subset.length], data: Int32Array.from(subset.map((s) => s.index)) },
    });
    const path = join(dir, 'exported.npz');
    writeFileSync(path, new Uint8Array(await npz.arrayBuffer()));
    const { run, doc } = await evalOn('npz', path);
    expect(run.code).toBe(0);
    expect(factsOf(doc!)).toEqual(expected);
    expect(run.stdout).toMatch(/preprocessing +none: ready-made float32 inputs \[1, 1, 28, 28\]/);
  });
});
