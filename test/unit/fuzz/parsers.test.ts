/**
 * Property-based fuzzing (fast-check) of the parsers the app owns that had none yet: ONNX bytes and
 * the add-outputs graph edit, the exported result JSON, the demo's dataset pack, preprocessing specs
 * and PNG decoding. (IDX, npy/npz, zip, CSV/JSONL manifests, COCO and masks are fuzzed next to their
 * own tests in test/unit/core/data/formats.) Bounded: a fixed number of cases per property and a
 * time limit each, the whole file well under 30 s; see check.ts for FUZZ_SEED / FUZZ_RUNS.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode as encodePng } from 'fast-png';
import { parseModel } from '../../../src/core/onnx/model.ts';
import { readModelInfo } from '../../../src/core/onnx/info.ts';
import { addOutputs } from '../../../src/core/diff/add-outputs.ts';
import { parseResultDocument } from '../../../src/core/report/parse.ts';
import { readPack } from '../../../src/core/data/pack.ts';
import { decodeImage } from '../../../src/core/data/decode.ts';
import { checkSpecAgainstInput, validateSpec } from '../../../src/core/preprocess/index.ts';
import type { PreprocessSpec } from '../../../src/core/preprocess/spec.ts';
import { QuantLensError } from '../../../src/core/errors.ts';
import { PROJECT_ROOT } from '../../helpers/demo.ts';
import { buildModel } from '../core/onnx/build-model.ts';
import { CASE_BUDGET_MS, CORPUS, DELETE, fuzzParams, jsonPaths, mutate, parseOrAppError, replaceAt, type Mutation } from './check.ts';
import { png, pngChunk } from './png.ts';
import { makeTensorValueInfo } from '../../../src/core/onnx/builders.ts';
import { DataType } from '../../../src/core/onnx/dtypes.ts';
import { create } from '@bufbuild/protobuf';
import { NodeProtoSchema } from '../../../src/core/onnx/gen/onnx_pb.ts';

const mutation = (maxInsert = 16): fc.Arbitrary<Mutation> => fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: maxInsert }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('varint' as const), at: fc.nat(),
    value: fc.oneof(fc.constantFrom(0x7fffffffn, 0xffffffffn, 1n << 32n, (1n << 53n) + 1n, (1n << 63n) - 1n, -1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
  }),
);

// ---------------------------------------------------------------- ONNX
const tinyModel = buildModel({
  nodes: [
    create(NodeProtoSchema, { opType: 'Relu', input: ['x'], output: ['h'], name: 'relu' }),
    create(NodeProtoSchema, { opType: 'Neg', input: ['h'], output: ['y'], name: 'neg' }),
  ],
  inputs: [makeTensorValueInfo('x', DataType.FLOAT, [1, 'n'])],
  outputs: [makeTensorValueInfo('y', DataType.FLOAT, [1, 'n'])],
});
const demoInt8 = new Uint8Array(readFileSync(`${PROJECT_ROOT}public/demo/mnist-cnn.int8.qdq.onnx`));
// A tag byte a ModelProto may start with, so that random tails get past the magic check.
const FIRST_TAGS = [0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, 0xa2, 0xca];

const onnxBytes = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.tuple(fc.constantFrom(...FIRST_TAGS), fc.uint8Array({ maxLength: 256 })).map(([tag, rest]) => Uint8Array.of(tag, ...rest)),
  fc.array(mutation(), { minLength: 1, maxLength: 4 }).map((ms) => mutate(tinyModel, ms)),
  fc.array(mutation(), { minLength: 1, maxLength: 3 }).map((ms) => mutate(demoInt8, ms)),
);

/** Output names after an edit: the original outputs, then the new ones in order. */
function outputNames(bytes: Uint8Array): string[] {
  return parseModel(bytes).graph!.output.map((o) => o.name);
}

describe('fuzz: ONNX model bytes', () => {
  it('parseModel / readModelInfo parse or raise not-onnx, and a parsed model takes added outputs', async () => {
    let parsed = 0;
    await fc.assert(fc.asyncProperty(onnxBytes, fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }), async (bytes, extra) => {
      const info = await parseOrAppError(() => readModelInfo(bytes), ['not-onnx']);
      if (!info.ok) return;
      parsed++;
      expect(Number.isNaN(info.value.nodeCount)).toBe(false);
      // The graph edit on whatever parsed: known tensors become outputs, unknown names are refused.
      const model = parseModel(bytes);
      const known = [...model.graph!.input.map((i) => i.name), ...model.graph!.node.flatMap((n) => n.output)];
      const names = [...known.slice(0, 2), ...extra];
      const edit = await parseOrAppError(() => addOutputs(bytes, names, model), ['invalid-input']);
      if (edit.ok) {
        const before = model.graph!.output.map((o) => o.name);
        const added = [...new Set(names)].filter((n) => !before.includes(n));
        expect(outputNames(edit.value)).toEqual([...before, ...added]);
      } else {
        expect(names.some((n) => !known.includes(n))).toBe(true);
      }
    }), fuzzParams(400));
    expect(parsed).toBeGreaterThan(0); // the mutations keep some models parseable, so the edit is exercised
  });

  it('addOutputs without a model appends any names, unicode included, and the result still parses', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: 1, maxLength: 8 }), (names) => {
      const edited = addOutputs(tinyModel, names);
      expect(outputNames(edited)).toEqual(['y', ...new Set(names)]);
      expect(edited.subarray(0, tinyModel.length)).toEqual(tinyModel); // original bytes untouched
    }), fuzzParams(200));
  });
});

// ---------------------------------------------------------------- result JSON
const seedResult = JSON.parse(readFileSync(`${CORPUS}result/seed-valid.json`, 'utf8')) as unknown;
const resultPaths = jsonPaths(seedResult);

/** The seed document with up to 3 values replaced by arbitrary JSON (or deleted). */
function mutatedJson(seed: unknown, paths: (string | number)[][]) {
  const edit = fc.tuple(fc.nat(paths.length - 1), fc.oneof(fc.constant(DELETE as unknown), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>(null, 0, -1, 1e308, '', [], {}, true)));
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let doc = seed;
    for (const [i, value] of edits) {
      const path = paths[i];
      try {
        doc = replaceAt(doc, path, value);
      } catch {
        // an earlier edit removed the path's parent
      }
    }
    return doc;
  });
}

describe('fuzz: exported result JSON', () => {
  it('parseResultDocument parses or raises invalid-input for any text, JSON and damaged documents', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      mutatedJson(seedResult, resultPaths).map((doc) => JSON.stringify(doc) ?? ''),
      fc.nat(20_000).map((cut) => JSON.stringify(seedResult).slice(0, cut)),
    );
    await fc.assert(fc.asyncProperty(text, async (t) => {
      await parseOrAppError(() => parseResultDocument(t), ['invalid-input']);
    }), fuzzParams(600));
  });
});

// ---------------------------------------------------------------- dataset pack
const seedPacks = ['seed-valid.json', 'seed-boxes.json', 'seed-mask.json'].map((name) => JSON.parse(readFileSync(`${CORPUS}pack/${name}`, 'utf8')) as unknown);

describe('fuzz: demo dataset pack', () => {
  it('readPack reads or raises dataset-invalid for damaged packs (labels, boxes and masks)', async () => {
    const packs = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      ...seedPacks.map((seed) => mutatedJson(seed, jsonPaths(seed))),
    );
    await fc.assert(fc.asyncProperty(packs, async (pack) => {
      const read = await parseOrAppError(() => readPack(pack), ['dataset-invalid']);
      if (read.ok) for (const s of read.value.samples) expect(s.bytes).toBeInstanceOf(ArrayBuffer);
    }), fuzzParams(600));
  });
});

// ---------------------------------------------------------------- preprocessing spec
const VALID_SPEC: PreprocessSpec = { height: 28, width: 28, resize: 'stretch', color: 'grayscale', scale: '0..1', mean: [0.1307], std: [0.3081], layout: 'NCHW', dtype: 'float32' };
const anyJson = fc.jsonValue({ maxDepth: 2 });
const specField = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: anyJson });
const hostileSpec = fc.record({
  height: specField(fc.integer({ min: -2, max: 4096 })),
  width: specField(fc.integer({ min: -2, max: 4096 })),
  resizeShorterSide: specField(fc.integer({ min: 0, max: 512 })),
  resize: specField(fc.constantFrom('shorter-side-crop', 'stretch')),
  antialias: specField(fc.boolean()),
  color: specField(fc.constantFrom('rgb', 'bgr', 'grayscale')),
  scale: specField(fc.constantFrom('0..1', '0..255')),
  mean: specField(fc.array(fc.double(), { maxLength: 4 })),
  std: specField(fc.array(fc.double(), { maxLength: 4 })),
  layout: specField(fc.constantFrom('NCHW', 'NHWC')),
  dtype: specField(fc.constantFrom('float32', 'uint8', 'int8')),
}, { requiredKeys: [] }) as fc.Arbitrary<unknown> as fc.Arbitrary<PreprocessSpec>;
const modelInput = fc.record({
  name: fc.string({ maxLength: 10 }),
  dtype: fc.constantFrom('float32', 'uint8', 'int8', 'float16', 'int64', 'sequence'),
  shape: fc.array(fc.oneof(fc.integer({ min: -1, max: 1024 }), fc.string({ maxLength: 4 }), fc.constant(null)), { maxLength: 6 }),
});

describe('fuzz: preprocessing spec validation', () => {
  it('validateSpec and checkSpecAgainstInput give readable sentences for hostile spec files, never throw', async () => {
    await fc.assert(fc.asyncProperty(hostileSpec, modelInput, async (spec, input) => {
      const start = performance.now();
      const problems = [...validateSpec(spec), ...checkSpecAgainstInput(spec, input)];
      for (const p of problems) {
        expect(p.length).toBeGreaterThan(10);
        expect(p).not.toMatch(/\[object Object\]/);
      }
      expect(performance.now() - start).toBeLessThan(CASE_BUDGET_MS);
    }), fuzzParams(800));
  });

  it('a valid spec has no problems (the fuzz above is not vacuous)', () => {
    expect(validateSpec(VALID_SPEC)).toEqual([]);
    expect(checkSpecAgainstInput(VALID_SPEC, { name: 'x', dtype: 'float32', shape: ['batch', 1, 28, 28] })).toEqual([]);
  });
});

// ---------------------------------------------------------------- PNG decoding
const seedPng = encodePng({ width: 5, height: 3, data: Uint8Array.from({ length: 5 * 3 * 4 }, (_, i) => (i * 37) % 256), channels: 4 });
const structuredPng = fc.record({
  width: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(8192, 65535, 0x7fffffff, 0xffffffff)),
  height: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(8192, 65535, 0x7fffffff, 0xffffffff)),
  depth: fc.oneof(fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 0, max: 255 })),
  colorType: fc.oneof(fc.constantFrom(0, 2, 3, 4, 6), fc.integer({ min: 0, max: 255 })),
  interlace: fc.constantFrom(0, 0, 1, 7),
  palette: fc.option(fc.uint8Array({ maxLength: 3 * 20 })),
  transparency: fc.option(fc.uint8Array({ maxLength: 20 })),
  // Scanlines: a valid zlib stream of arbitrary bytes (mostly), or raw garbage.
  pixels: fc.oneof({ weight: 3, arbitrary: fc.uint8Array({ maxLength: 4_000 }).map((b) => new Uint8Array(deflateSync(b))) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) }),
}).map((p) => png(p.width, p.height, p.depth, p.colorType, p.interlace, [
  ...(p.palette ? [pngChunk('PLTE', p.palette)] : []),
  ...(p.transparency ? [pngChunk('tRNS', p.transparency)] : []),
  pngChunk('IDAT', p.pixels),
]));

describe('fuzz: PNG decoding', () => {
  it('decodeImage decodes to RGBA of the claimed size or raises image-undecodable', async () => {
    const bytes = fc.oneof(
      structuredPng,
      fc.array(mutation(8), { minLength: 1, maxLength: 4 }).map((ms) => mutate(seedPng, ms)),
      fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...tail)),
    );
    await fc.assert(fc.asyncProperty(bytes, async (b) => {
      const decoded = await parseOrAppError(() => decodeImage(b.slice().buffer, 'image/png'), ['image-undecodable']);
      if (decoded.ok) expect(decoded.value.data.length).toBe(decoded.value.width * decoded.value.height * 4);
    }), fuzzParams(500, 5_000));
  });

  it('the seed PNG itself decodes (the mutations start from a valid file)', async () => {
    const image = await decodeImage(seedPng.slice().buffer, 'image/png');
    expect([image.width, image.height]).toEqual([5, 3]);
    await expect(decodeImage(new ArrayBuffer(0), 'image/png')).rejects.toBeInstanceOf(QuantLensError);
  });
});
