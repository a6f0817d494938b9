import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { looksLikeOnnx, parseModel, serializeModel } from '../../../../src/core/onnx/model.ts';
import { readModelInfo } from '../../../../src/core/onnx/info.ts';
import { fixtureModel } from './fixtures.ts';

function expectNotOnnx(bytes: Uint8Array, detail?: RegExp): QuantLensError {
  try {
    parseModel(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(QuantLensError);
    const quantLensError = error as QuantLensError;
    expect(quantLensError.code).toBe('not-onnx');
    expect(quantLensError.message).toMatch(/^This file is not an ONNX model \(.+\)\.$/);
    expect(quantLensError.hint).toBe('Pick the .onnx file exported from your framework.');
    if (detail) expect(quantLensError.message).toMatch(detail);
    return quantLensError;
  }
  throw new Error('parseModel accepted bytes that are not an ONNX model');
}

describe('looksLikeOnnx', () => {
  it('accepts real models and rejects other files by their first bytes', () => {
    expect(looksLikeOnnx(fixtureModel('test_qlinearconv'))).toBe(true);
    expect(looksLikeOnnx(fixtureModel('test_quantizelinear'))).toBe(true);
    expect(looksLikeOnnx(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBe(false);
    expect(looksLikeOnnx(new TextEncoder().encode('hello'))).toBe(false);
    expect(looksLikeOnnx(new Uint8Array())).toBe(false);
  });
});

describe('parseModel', () => {
  it('parses the conformance models', () => {
    const model = parseModel(fixtureModel('test_qlinearconv'));
    expect(model.graph?.node[0].opType).toBe('QLinearConv');
    expect(Number(model.irVersion)).toBe(5);
  });

  it('rejects a PNG image, naming it', () => {
    const png = encode({ width: 2, height: 2, data: new Uint8Array(4), channels: 1 });
    expectNotOnnx(png, /PNG image/);
  });

  it('rejects text files, including text whose first byte is a valid ModelProto tag', () => {
    expectNotOnnx(new TextEncoder().encode('hello, this is not a model\n'), /text file/);
    expectNotOnnx(new TextEncoder().encode('(just text that starts like a model)'), /text file/);
    expectNotOnnx(new TextEncoder().encode('{"format": "quantlens-pack"}'), /text file/);
  });

  it('rejects empty files and random bytes', () => {
    expectNotOnnx(new Uint8Array(), /empty/);
    const random = new Uint8Array(256);
    let seed = 7;
    for (let i = 0; i < random.length; i++) random[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    random[0] = 0x89; // not a field tag
    expectNotOnnx(random);
  });

  it('rejects every truncation of a model', () => {
    const bytes = fixtureModel('test_qlinearconv');
    for (let length = 1; length < bytes.length; length++) expectNotOnnx(bytes.subarray(0, length));
  });

  it('keeps the cause of a protobuf failure', () => {
    const bytes = fixtureModel('test_quantizelinear');
    const error = expectNotOnnx(bytes.subarray(0, bytes.length - 3), /truncated/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('serializeModel', () => {
  it('writes what it read: parse, write, parse and write again gives the same bytes', () => {
    for (const test of ['test_qlinearconv', 'test_quantizelinear_axis', 'test_dequantizelinear']) {
      const once = serializeModel(parseModel(fixtureModel(test)));
      expect(serializeModel(parseModel(once))).toEqual(once);
      expect(readModelInfo(once)).toEqual(readModelInfo(fixtureModel(test)));
    }
  });
});
