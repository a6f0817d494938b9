import * as ort from 'onnxruntime-web/wasm';
import { describe, expect, it } from 'vitest';
import { prepareChunk } from '../../../src/core/eval/prepare.ts';
import { tensorShape } from '../../../src/core/preprocess/index.ts';
import { nodeEngine, pickEngine, type OrtLike } from '../../../src/cli/engine.ts';
import { EVAL_OPTIONS, helpText, parseCommand } from '../../../src/cli/options.ts';
import { progressReporter } from '../../../src/cli/progress.ts';
import { resolveSpec } from '../../../src/cli/spec.ts';
import { loadDemo } from '../../helpers/demo.ts';
import { DEMO } from './run-cli.ts';

describe('the command line options', () => {
  it('parses an eval with preprocessing flags, and says what is wrong with a bad one', () => {
    const command = parseCommand(['eval', '--float', 'f.onnx', '--quantized', 'q.onnx', '--data', 'd', '--size', '224x200', '--mean', '0.5,0.5,0.5', '--layout', 'nhwc', '--threshold', '0.5', '--mode', 'relative']);
    expect(command.kind).toBe('eval');
    if (command.kind !== 'eval') return;
    expect(command.request).toMatchObject({ preprocess: { height: 224, width: 200, mean: [0.5, 0.5, 0.5], layout: 'NHWC' }, verdict: { mode: 'relative', threshold: 0.5 }, engine: 'auto', threads: 1, task: 'classification' });
    expect(() => parseCommand(['eval', '--float', 'f', '--quantized', 'q', '--data', 'd', '--threshold=-1'])).toThrow(/--threshold '-1' is not a number of 0 or more/);
    expect(() => parseCommand(['eval', '--float', 'f', '--quantized', 'q', '--data', 'd', '--size', 'big'])).toThrow(/--size 'big' is not a size/);
    expect(() => parseCommand(['evaluate'])).toThrow(/Unknown command 'evaluate'/);
    expect(parseCommand(['--help'])).toEqual({ kind: 'help', topic: 'main' });
    expect(parseCommand(['eval', '-h'])).toEqual({ kind: 'help', topic: 'eval' });
  });

  it('lists every option in the help, one line each', () => {
    const lines = helpText('eval', 'x').split('\n');
    for (const name of Object.keys(EVAL_OPTIONS)) expect(lines.filter((l) => new RegExp(`^ +(-\\w, )?--${name}( |$)`).test(l))).toHaveLength(1);
  });
});

describe('preprocessing of a command-line run', () => {
  const input = { name: 'input', dtype: 'float32', shape: ['batch', 3, 224, 224] };
  it('starts from the model input, takes a complete spec file as it is, and lets flags override', () => {
    expect(resolveSpec(input, undefined, {}).spec).toMatchObject({ height: 224, color: 'rgb', mean: [0.485, 0.456, 0.406] });
    const demo = loadDemo();
    expect(resolveSpec({ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }, `${DEMO}/demo.json`, {}).spec).toEqual(demo.manifest.preprocess);
    // A colour mode with another channel count resets mean/std to "none"; an integer input takes raw 0..255 pixels.
    expect(resolveSpec(input, undefined, { color: 'grayscale' }).spec).toMatchObject({ color: 'grayscale', mean: [0], std: [1] });
    expect(resolveSpec(input, undefined, { dtype: 'uint8' }).spec).toMatchObject({ dtype: 'uint8', scale: '0..255', mean: [0, 0, 0], std: [1, 1, 1] });
    expect(() => resolveSpec(input, undefined, { mean: [0.5] })).toThrow(/The mean has 1 value but rgb produces 3 channels/);
    expect(() => resolveSpec(input, `${DEMO}/nope.json`, {})).toThrow(/The preprocessing spec file '.*nope\.json' does not exist/);
  });
});

describe('progress on stderr', () => {
  const progress = (done: number) => ({ done, total: 100, elapsedMs: done * 10, etaMs: (100 - done) * 10, rate: 100 });
  it('plain lines (CI): one per tenth, the last at 100 %', () => {
    let text = '';
    const reporter = progressReporter('auto', { isTTY: false, write: (t: string) => (text += t) });
    for (let done = 5; done <= 100; done += 5) reporter.update(progress(done));
    reporter.done();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines.at(-1)).toBe('progress: 100/100 samples (100%), 1 s elapsed');
    expect(text).not.toContain('\r');
  });

  it('a bar redrawn in place on a terminal', () => {
    let text = '';
    const reporter = progressReporter('auto', { isTTY: true, columns: 80, write: (t: string) => (text += t) });
    reporter.update(progress(50));
    reporter.update(progress(100));
    reporter.done();
    const shown = text.replaceAll('\u001b[K', '<erase line>');
    expect(shown).toMatch(/^\r\[#{15}-{15}\] 50\/100 50% · 100\/s · < 1 s left<erase line>\r\[#{30}\] 100\/100 100% · 100\/s<erase line>\n$/);
  });
});

describe('engines', () => {
  it('without onnxruntime-node installed, auto picks onnxruntime-web and says its results are the browser\'s', async () => {
    const engine = await pickEngine('auto', 1);
    expect(engine.name).toBe('onnxruntime-web');
    expect(engine.browserIdentical).toBe(true);
    expect(engine.description).toMatch(/^onnxruntime-web 1\.\d+\.\d+, WebAssembly backend in Node v\d+/);
  });

  it('the onnxruntime-node adapter runs on onnxruntime\'s common API (exercised here with onnxruntime-web, which shares it)', async () => {
    const demo = loadDemo();
    const chunk = await prepareChunk(demo.testSet.samples.slice(0, 16), demo.manifest.preprocess);
    const dims = tensorShape(demo.manifest.preprocess, 1);
    const reference = await (await pickEngine('onnxruntime-web', 1)).open(demo.quantizedModel, dims);
    const adapted = await nodeEngine(ort as unknown as OrtLike, 'stand-in', 1).open(demo.quantizedModel, dims);
    const inputs = chunk.samples.map((s) => s.input);
    const [expected, actual] = [await reference.runner.runChunk(inputs.map((a) => a.slice())), await adapted.runner.runChunk(inputs.map((a) => a.slice()))];
    expect(actual.outputs).toEqual(expected.outputs);
    expect(actual.latenciesMs).toHaveLength(16);
    await Promise.all([reference.release(), adapted.release()]);
  });
});
