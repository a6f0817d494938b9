/**
 * Replays the committed nasty cases (test/fixtures/fuzz/<target>/, written by make-corpus.ts and
 * by hand): each must give exactly its expected outcome, under the fuzzers' rules (check.ts).
 */
import { describe, expect, it } from 'vitest';
import { readModelInfo } from '../../../src/core/onnx/info.ts';
import { parseResultDocument } from '../../../src/core/report/parse.ts';
import { readPack } from '../../../src/core/data/pack.ts';
import { decodeImage } from '../../../src/core/data/decode.ts';
import { checkSpecAgainstInput } from '../../../src/core/preprocess/index.ts';
import type { ModelInputInfo, PreprocessSpec } from '../../../src/core/preprocess/spec.ts';
import { QuantLensError, type ErrorCode } from '../../../src/core/errors.ts';
import { corpusExpectations, corpusFiles, parseOrAppError, text } from './check.ts';

/** Each target's parser, as the app calls it. */
const TARGETS: Record<string, { codes: ErrorCode[]; run: (bytes: Uint8Array) => unknown }> = {
  onnx: { codes: ['not-onnx'], run: (bytes) => readModelInfo(bytes) },
  result: { codes: ['invalid-input'], run: (bytes) => parseResultDocument(text(bytes)) },
  pack: { codes: ['dataset-invalid'], run: (bytes) => readPack(JSON.parse(text(bytes))) },
  png: { codes: ['image-undecodable'], run: (bytes) => decodeImage(bytes.slice().buffer, 'image/png') },
  spec: {
    codes: ['preprocess-mismatch'],
    // As the CLI does (src/cli/spec.ts): the problems become one QuantLensError.
    run: (bytes) => {
      const { spec, input } = JSON.parse(text(bytes)) as { spec: PreprocessSpec; input: ModelInputInfo };
      const problems = checkSpecAgainstInput(spec, input);
      if (problems.length) throw new QuantLensError('preprocess-mismatch', `The preprocessing is not usable: ${problems.join(' ')}`, 'Fix the preprocessing flags or the spec file.');
      return spec;
    },
  },
};

describe.each(Object.keys(TARGETS))('fuzz corpus: %s', (target) => {
  const expectations = corpusExpectations(target);
  const files = corpusFiles(target);

  it('lists every file in expected.json and nothing else', () => {
    expect(files.map((f) => f.name).sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(files.map((f) => [f.name, f.bytes] as const))('%s', async (name, bytes) => {
    const want = expectations[name];
    const { codes, run } = TARGETS[target];
    const got = await parseOrAppError(() => run(bytes), codes);
    if (want.outcome === 'ok') {
      expect(got.ok ? 'ok' : `${got.error.code}: ${got.error.message}`).toBe('ok');
    } else {
      expect(got.ok ? 'ok' : got.error.code).toBe(want.outcome);
      if (want.message && !got.ok) expect(got.error.message).toContain(want.message);
    }
  });
});
