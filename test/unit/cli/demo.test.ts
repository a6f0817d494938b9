import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultFacts } from '../../../src/core/eval/facts.ts';
import { validateResultDocument, type ResultDocument } from '../../../src/core/report/index.ts';
import { datasetFingerprint, preprocessFingerprint, sampleHash } from '../../../src/core/data/fingerprint.ts';
import { readPack } from '../../../src/core/data/pack.ts';
import { createTaskAccumulator } from '../../../src/core/tasks/index.ts';
import { evaluateTaskInProcess } from '../../../src/runtime/in-process.ts';
import { DEMO_FACTS_PATH, loadDemo } from '../../helpers/demo.ts';
import { withExternalData } from '../../helpers/fault-models.ts';
import { buildCli, damagedQuantizedModel, DEMO, FLOAT, PACK, QUANTIZED, removeMade, runCli, tempDir } from './run-cli.ts';

/** The facts the browser reproduces (test/golden/demo-eval.json), read back from the CLI's result JSON. */
function factsOf(doc: ResultDocument): ResultFacts {
  const [top1, topK] = doc.metrics;
  const flips = doc.classification!.agreement;
  const model = (role: 'float' | 'quantized') => ({ top1Correct: top1.counts![role], topKCorrect: topK.counts![role], predictionsChecksum: doc.models[role].predictionsChecksum! });
  return {
    sampleCount: doc.sampleCount,
    skipped: doc.skipped.length,
    float: model('float'),
    quantized: model('quantized'),
    agreement: { top1Agree: flips.top1Agree, correctToWrong: flips.correctToWrong, wrongToCorrect: flips.wrongToCorrect, wrongToOtherWrong: flips.wrongToOtherWrong },
  };
}

const readDoc = (path: string) => validateResultDocument(JSON.parse(readFileSync(path, 'utf8'))) as ResultDocument;

describe('quantlens eval on the demo pair', () => {
  let cli = '';
  const dir = tempDir('demo');
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(removeMade);

  it('reads a model whose weights live in an external data file next to it, and gives the same numbers', async () => {
    const external = withExternalData(loadDemo().floatModel, 'weights/mnist-cnn.float.onnx.data');
    mkdirSync(join(dir, 'weights'), { recursive: true });
    writeFileSync(join(dir, 'external.onnx'), external.model);
    writeFileSync(join(dir, 'weights/mnist-cnn.float.onnx.data'), external.data);
    const json = join(dir, 'external.json');
    const run = await runCli(cli, ['eval', '--float', join(dir, 'external.onnx'), '--quantized', QUANTIZED, '--data', PACK, '--preprocess', `${DEMO}/demo.json`, '--threshold', '1', '--json', json]);
    expect(run.code).toBe(0);
    expect(factsOf(readDoc(json))).toEqual(JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')));
  });

  it('gives the browser\'s numbers (golden facts), the app\'s JSON schema, a script-free HTML report and exit 0', async () => {
    const [json, report, csv] = ['out.json', 'out.html', 'out.csv'].map((f) => join(dir, f));
    const run = await runCli(cli, ['eval', '--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--preprocess', `${DEMO}/demo.json`, '--threshold', '1', '--report', report, '--json', json, '--csv', csv]);
    expect(run.code).toBe(0);
    expect(run.reason).toMatch(/^quantlens: exit 0 \(within\): The quantized model gains 0\.10 points of top-1 accuracy/);
    const doc = readDoc(json);
    expect(factsOf(doc)).toEqual(JSON.parse(readFileSync(DEMO_FACTS_PATH, 'utf8')));
    expect(doc.environment.host).toBe('node');
    expect(doc.models.quantized.provider).toMatchObject({ actual: 'wasm', threads: 1 });
    // Both fingerprints: printed, recorded, and the ones the app computes for the same pack and spec.
    const demo = loadDemo();
    const pack = readPack(JSON.parse(readFileSync(PACK, 'utf8')));
    const hashes = await Promise.all(pack.samples.map(async (s) => ({ sha256: await sampleHash(s), label: s.label })));
    expect(doc.dataset.fingerprint).toBe(await datasetFingerprint(hashes, pack.classNames));
    expect(doc.preprocess.fingerprint).toBe(await preprocessFingerprint(demo.manifest.preprocess));
    expect(run.stdout).toContain(doc.dataset.fingerprint!);
    expect(run.stdout).toContain(doc.preprocess.fingerprint!);
    expect(run.stdout).toMatch(/engine +onnxruntime-web 1\.\d+\.\d+, WebAssembly backend in Node/);
    // The report: self-contained, no script, the verdict and the fingerprints in it.
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Within budget');
    expect(html).toContain(doc.dataset.fingerprint!);
    const rows = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(rows).toHaveLength(2001);
    expect(rows.filter((r) => r.endsWith(',wrong to correct'))).toHaveLength(2);
    // Not a terminal here: progress comes as plain lines on stderr, ending at 100 %.
    expect(run.stderr).toContain('progress: 2000/2000 samples (100%)');
    expect(run.stderr).not.toContain('\r');
  });

  it('exits 2 (inconclusive) when the interval straddles the threshold: the pair swapped, 0.1 point accepted', async () => {
    const run = await runCli(cli, ['eval', '--float', QUANTIZED, '--quantized', FLOAT, '--data', PACK, '--threshold', '0.1', '--progress', 'none']);
    expect(run.code).toBe(2);
    expect(run.reason).toMatch(/^quantlens: exit 2 \(inconclusive\): The quantized model loses 0\.10 points .*straddles the 0\.1-point budget/);
  });

  it('exits 1 (exceeds) on a damaged quantized model, and 0 for the same pair judged by significance when nothing is lost', async () => {
    const damaged = damagedQuantizedModel(dir);
    const json = join(dir, 'damaged.json');
    const run = await runCli(cli, ['eval', '--float', FLOAT, '--quantized', damaged, '--data', PACK, '--limit', '300', '--json', json, '--progress', 'none']);
    expect(run.code).toBe(1);
    expect(run.reason).toMatch(/^quantlens: exit 1 \(exceeds\): The quantized model loses [\d.]+ points of top-1 accuracy .*exceeds the 1\.0-point budget/);
    expect(readDoc(json).dataset.name).toContain('(first 300)');
    const significance = await runCli(cli, ['eval', '--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--mode', 'significance', '--progress', 'none']);
    expect(significance.code).toBe(0);
    expect(significance.reason).toMatch(/no statistically significant loss/);
  });

  it('--early-stop stops where the app\'s early verdict does (same seeded order)', async () => {
    const json = join(dir, 'early.json');
    const run = await runCli(cli, ['eval', '--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--preprocess', `${DEMO}/demo.json`, '--early-stop', '--json', json, '--progress', 'none']);
    expect(run.code).toBe(0);
    const doc = readDoc(json);
    const demo = loadDemo();
    const inProcess = await evaluateTaskInProcess(
      { floatModel: demo.floatModel, quantizedModel: demo.quantizedModel, samples: demo.testSet.samples, spec: demo.manifest.preprocess, shuffleSeed: 7 },
      createTaskAccumulator({ kind: 'classification', earlyVerdict: { mode: 'points', threshold: 1 } }, demo.testSet.classNames, demo.manifest.preprocess),
    );
    expect(doc.status).toBe('settled');
    expect(doc.early).toEqual(inProcess.result!.early);
    expect(doc.sampleCount).toBe(inProcess.result!.sampleCount);
  });

  it('lists every option on one line each (--help) and says where WebGPU runs (--provider)', async () => {
    const main = await runCli(cli, ['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/quantlens eval --float F\.onnx --quantized Q\.onnx --data DATA/);
    const help = await runCli(cli, ['eval', '--help']);
    expect(help.code).toBe(0);
    for (const option of ['--float', '--quantized', '--data', '--preprocess', '--size', '--resize', '--color', '--scale', '--mean', '--std', '--layout', '--dtype', '--task', '--detection-layout', '--threshold', '--mode', '--report', '--json', '--csv', '--provider', '--threads', '--engine']) {
      expect(help.stdout.split('\n').filter((line) => line.trimStart().startsWith(`${option} `))).toHaveLength(1);
    }
    const webgpu = await runCli(cli, ['eval', '--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--provider', 'webgpu']);
    expect(webgpu.code).toBe(3);
    expect(webgpu.reason).toMatch(/only wasm runs in Node/);
  });

  it('the npm bin launcher runs the build that "prepare" makes', async () => {
    const launcher = join(DEMO, '../../bin/quantlens.mjs');
    expect(existsSync(launcher)).toBe(true);
    expect(readFileSync(launcher, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    const pkg = JSON.parse(readFileSync(join(DEMO, '../../package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.bin.quantlens).toBe('bin/quantlens.mjs');
    expect(pkg.scripts.prepare).toContain('build:cli');
  });
});
