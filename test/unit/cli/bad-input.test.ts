import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCustomOperator, withExternalData } from '../../helpers/fault-models.ts';
import { buildCli, FIXTURES, FLOAT, PACK, QUANTIZED, removeMade, runCli, tempDir, type CliRun } from './run-cli.ts';

/** Exit 3, one line on stderr that starts with the verdict word and says what is wrong, never a stack trace. */
function expectBadInput(run: CliRun, why: RegExp): void {
  expect(run.code).toBe(3);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.reason).toMatch(/^quantlens: exit 3 \(bad input\): /);
  expect(run.reason).toMatch(why);
  expect(run.stderr).not.toMatch(/\n\s+at |Error: /);
}

describe('quantlens eval on bad input: exit 3 with a clear line', () => {
  let cli = '';
  const dir = tempDir('bad');
  const evalWith = (...args: string[]) => runCli(cli, ['eval', '--progress', 'none', ...args]);
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(removeMade);

  it('ONNX conformance fixtures: two different graphs are not twins', async () => {
    const run = await evalWith('--float', `${FIXTURES}/test_qlinearconv/model.onnx`, '--quantized', `${FIXTURES}/test_qlinearmatmul_2D/model.onnx`, '--data', PACK);
    expectBadInput(run, /These two models are not a float\/quantized pair: Input 'x' exists in the float model but not in the quantized model\..*\(and \d+ more differences\)/);
  });

  it('ONNX conformance fixtures: the demo float model against QLinearConv, and a graph with several inputs', async () => {
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', `${FIXTURES}/test_qlinearconv/model.onnx`, '--data', PACK), /not a float\/quantized pair: Input 'input' exists in the float model but not in the quantized model/);
    expectBadInput(await evalWith('--float', `${FIXTURES}/test_dequantizelinear/model.onnx`, '--quantized', `${FIXTURES}/test_dequantizelinear/model.onnx`, '--data', PACK), /has 3 inputs \('x', 'x_scale', 'x_zero_point'\); QuantLens feeds one input/);
  });

  it('files that are not ONNX models: a TensorProto .pb, a text file', async () => {
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', `${FIXTURES}/test_qlinearconv/test_data_set_0/input_0.pb`, '--data', PACK), /The quantized model '.*input_0\.pb': This file is not an ONNX model/);
    const text = join(dir, 'notes.onnx');
    writeFileSync(text, 'not a model\n');
    expectBadInput(await evalWith('--float', text, '--quantized', QUANTIZED, '--data', PACK), /The float model '.*notes\.onnx': This file is not an ONNX model \(it looks like a text file\)/);
  });

  it('a model whose weights live in an external data file that is not next to it; a custom operator', async () => {
    const { model } = withExternalData(new Uint8Array(readFileSync(FLOAT)), 'weights/mnist.data');
    const path = join(dir, 'external.onnx');
    writeFileSync(path, model);
    expectBadInput(await evalWith('--float', path, '--quantized', QUANTIZED, '--data', PACK), /The float model '.*external\.onnx': It keeps its weights in 'weights\/mnist\.data', not found next to it\./);
    const vendor = join(dir, 'vendor.onnx');
    writeFileSync(vendor, withCustomOperator(new Uint8Array(readFileSync(FLOAT))));
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', vendor, '--data', PACK), /This model uses com\.example\.vendor:FancyActivation, a custom operator: onnxruntime-web has no kernel for it/);
  });

  it('missing files and folders', async () => {
    expectBadInput(await evalWith('--float', join(dir, 'nope.onnx'), '--quantized', QUANTIZED, '--data', PACK), /The float model '.*nope\.onnx' does not exist\./);
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', QUANTIZED, '--data', join(dir, 'no-such-folder')), /The data '.*no-such-folder' does not exist\./);
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', QUANTIZED), /Missing --data\./);
  });

  it('an empty data folder, and a folder whose images are all unreadable', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', QUANTIZED, '--data', empty), /The data folder '.*empty' is empty\./);
    const broken = join(dir, 'broken');
    for (const label of ['0', '1']) {
      mkdirSync(join(broken, label), { recursive: true });
      writeFileSync(join(broken, label, 'a.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
      writeFileSync(join(broken, label, 'b.jpg'), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]));
    }
    const run = await evalWith('--float', FLOAT, '--quantized', QUANTIZED, '--data', broken);
    expectBadInput(run, /None of the 4 samples could be used \(0\/a\.png: The image could not be decoded: .*; and 3 more\)\. Node decodes PNG itself/);
  });

  it('options that do not fit: an unknown option, a bad value, a size the model does not take, a task the data cannot serve', async () => {
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--colour', 'rgb'), /Unknown option '--colour'\./);
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--mode', 'strict'), /--mode 'strict' is not one of points, relative, significance\./);
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--size', '32'), /The preprocessing does not fit the model: The model's input 'input' expects height 28/);
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--task', 'segmentation'), /--task segmentation needs images with class masks/);
    expectBadInput(await evalWith('--float', FLOAT, '--quantized', QUANTIZED, '--data', PACK, '--engine', 'onnxruntime-node'), /onnxruntime-node package is not installed/);
  });
});
