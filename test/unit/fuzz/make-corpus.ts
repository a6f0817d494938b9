/**
 * Writes the nasty cases of test/fixtures/fuzz/<target>/ and their expected.json (run with
 * `npx tsx test/unit/fuzz/make-corpus.ts`; the files are committed, corpus.test.ts replays them).
 * Each case says why it is there; "was:" names the bug it found before the parser was fixed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { create } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, NodeProtoSchema } from '../../../src/core/onnx/gen/onnx_pb.ts';
import { serializeModel } from '../../../src/core/onnx/model.ts';
import { makeTensorValueInfo } from '../../../src/core/onnx/builders.ts';
import { DataType } from '../../../src/core/onnx/dtypes.ts';
import { buildModel } from '../core/onnx/build-model.ts';
import { CORPUS, concat, encodeVarint } from './check.ts';
import { png, pngChunk } from './png.ts';

type Case = { outcome: string; message?: string; why: string };
const expected: Record<string, Record<string, Case>> = { onnx: {}, result: {}, pack: {}, spec: {}, png: {} };
const put = (target: string, name: string, content: Uint8Array | string, expectation: Case) => {
  writeFileSync(`${CORPUS}${target}/${name}`, content);
  expected[target][name] = expectation;
};
const json = (value: unknown) => JSON.stringify(value) + '\n';

// ---------------------------------------------------------------- ONNX
const tiny = buildModel({
  nodes: [create(NodeProtoSchema, { opType: 'Relu', input: ['x'], output: ['y'] })],
  inputs: [makeTensorValueInfo('x', DataType.FLOAT, [1, 4])],
  outputs: [makeTensorValueInfo('y', DataType.FLOAT, [1, 4])],
});
put('onnx', 'ok-tiny-relu.onnx', tiny, { outcome: 'ok', why: 'a valid model parses (control)' });
put('onnx', 'empty.onnx', new Uint8Array(0), { outcome: 'not-onnx', message: 'it is empty', why: 'zero bytes' });
put('onnx', 'one-tag-byte.onnx', Uint8Array.of(0x08), { outcome: 'not-onnx', why: 'a lone ir_version tag' });
put('onnx', 'graph-length-2^63.onnx', concat(Uint8Array.of(0x3a), encodeVarint((1n << 63n) - 1n), Uint8Array.of(1, 2, 3, 4)), {
  outcome: 'not-onnx', message: 'truncated or corrupted', why: 'a graph field whose length varint claims 2^63 bytes: must fail without allocating',
});
put('onnx', 'producer-length-4GiB.onnx', concat(Uint8Array.of(0x12), encodeVarint(0xffffffffn), new TextEncoder().encode('ab')), {
  outcome: 'not-onnx', why: 'a string field claiming 4 GiB with 2 bytes present',
});
put('onnx', 'varint-11-bytes.onnx', Uint8Array.of(0x08, ...new Array<number>(10).fill(0xff), 0x01), { outcome: 'not-onnx', why: 'a varint longer than 10 bytes' });
put('onnx', 'truncated-demo-int8.onnx', new Uint8Array(readFileSync(new URL('../../../public/demo/mnist-cnn.int8.qdq.onnx', import.meta.url))).subarray(0, 1000), {
  outcome: 'not-onnx', why: 'the demo INT8 model cut at 1,000 bytes',
});
put('onnx', 'png-renamed.onnx', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), { outcome: 'not-onnx', message: 'PNG image', why: 'a PNG renamed to .onnx' });
put('onnx', 'no-opset.onnx', serializeModel(create(ModelProtoSchema, { irVersion: 8n, graph: create(GraphProtoSchema, { name: 'g' }) })), {
  outcome: 'not-onnx', message: 'opset imports', why: 'a graph but no opset_import',
});
// GraphProto > NodeProto (1) > AttributeProto (5) > g (6) > ... 3,000 levels of subgraphs.
let nested: Uint8Array = new Uint8Array(0);
for (let level = 0; level < 3000; level++) {
  const attribute = concat(Uint8Array.of(0x32), encodeVarint(BigInt(nested.length)), nested); // AttributeProto.g
  const node = concat(Uint8Array.of(0x2a), encodeVarint(BigInt(attribute.length)), attribute); // NodeProto.attribute
  nested = concat(Uint8Array.of(0x0a), encodeVarint(BigInt(node.length)), node); // GraphProto.node
}
put('onnx', 'subgraphs-3000-deep.onnx', concat(Uint8Array.of(0x08, 0x08, 0x3a), encodeVarint(BigInt(nested.length)), nested, Uint8Array.of(0x42, 0x02, 0x10, 0x0d)), {
  outcome: 'not-onnx', message: 'maximum recursion depth', why: '3,000 nested subgraphs: refused by protobuf-es\'s recursion limit (100) instead of exhausting the stack',
});

// ---------------------------------------------------------------- result JSON
const seed = JSON.parse(readFileSync(`${CORPUS}result/seed-valid.json`, 'utf8')) as Record<string, unknown>;
expected.result['seed-valid.json'] = { outcome: 'ok', why: 'a document exported from a Node run of 8 demo digits (fuzz seed)' };
put('result', 'classification-null.json', json({ ...seed, classification: null }), {
  outcome: 'invalid-input', message: 'classification', why: 'was: TypeError "Cannot read properties of null (reading \'samples\')"',
});
put('result', 'version-tostring.json', json({ ...seed, version: { toString: 0 } }), {
  outcome: 'invalid-input', message: 'format version {"toString":0}', why: 'was: TypeError "Cannot convert object to primitive value" (String(version))',
});
put('result', 'version-object.json', json({ ...seed, version: {} }), { outcome: 'invalid-input', message: 'format version {}', why: 'was: "format version [object Object]"' });
put('result', 'metrics-null-entry.json', json({ ...seed, metrics: [null] }), { outcome: 'invalid-input', message: 'metrics', why: 'a null metric' });
put('result', 'nested-30k.json', '['.repeat(30_000) + ']'.repeat(30_000), { outcome: 'invalid-input', why: '30,000 nested arrays' });
put('result', 'truncated.json', JSON.stringify(seed).slice(0, 777), { outcome: 'invalid-input', message: 'not JSON', why: 'a download cut short' });
put('result', 'proto-pollution.json', '{"__proto__":{"schema":"quantlens-result","version":1},"constructor":{"prototype":{"x":1}}}', {
  outcome: 'invalid-input', message: 'not a QuantLens result', why: '__proto__ keys are own properties after JSON.parse, not the document\'s fields',
});

// ---------------------------------------------------------------- dataset pack
const packSeed = (name: string) => JSON.parse(readFileSync(`${CORPUS}pack/${name}`, 'utf8')) as { samples: Record<string, unknown>[] } & Record<string, unknown>;
expected.pack['seed-valid.json'] = { outcome: 'ok', why: 'the first 3 demo digits (fuzz seed)' };
expected.pack['seed-boxes.json'] = { outcome: 'ok', why: 'the first 2 detection canvases (fuzz seed)' };
expected.pack['seed-mask.json'] = { outcome: 'ok', why: 'the first 2 segmentation samples (fuzz seed)' };
const withSample = (base: string, change: Record<string, unknown>) => {
  const p = packSeed(base);
  p.samples = [{ ...p.samples[0], ...change }];
  return json(p);
};
put('pack', 'target-null.json', withSample('seed-boxes.json', { target: null }), {
  outcome: 'dataset-invalid', message: 'its target is not an object', why: 'was: TypeError "Cannot read properties of null (reading \'kind\')"',
});
put('pack', 'label-tostring.json', withSample('seed-valid.json', { label: { toString: 0 } }), {
  outcome: 'dataset-invalid', message: 'its label {"toString":0}', why: 'was: TypeError "Cannot convert object to primitive value" (String(label))',
});
put('pack', 'name-object.json', withSample('seed-valid.json', { name: {}, data: 7 }), { outcome: 'dataset-invalid', message: 'Sample 0 (unnamed)', why: "was: \"Sample 0 ('[object Object]')\"" });
put('pack', 'bad-base64.json', withSample('seed-valid.json', { data: 'iVBOR*w0K' }), { outcome: 'dataset-invalid', message: 'base64', why: 'a non-base64 character' });
const hugeMask = Buffer.from(png(0, 0xffffffff, 1, 2, 1, [pngChunk('IDAT', new Uint8Array(deflateSync(Buffer.alloc(16))))])).toString('base64');
put('pack', 'mask-zero-width-adam7.json', withSample('seed-mask.json', { target: { kind: 'mask', mime: 'image/png', data: hugeMask } }), {
  outcome: 'dataset-invalid', message: 'at least 1 x 1', why: 'was: a mask PNG of 0 x 4294967295 (interlaced) kept the decoder busy for ~25 s',
});
put('pack', 'kind-object.json', withSample('seed-valid.json', { target: { kind: { a: 1 } } }), { outcome: 'dataset-invalid', message: 'target kind {"a":1}', why: 'a non-string kind' });

// ---------------------------------------------------------------- preprocessing spec (validateSpec + checkSpecAgainstInput, as the CLI wraps them)
const spec = { height: 28, width: 28, resize: 'stretch', color: 'grayscale', scale: '0..1', mean: [0.1307], std: [0.3081], layout: 'NCHW', dtype: 'float32' };
const input = { name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] };
const tostring = { toString: 0 };
put('spec', 'ok-mnist.json', json({ spec, input }), { outcome: 'ok', why: 'the demo spec against the demo input (control)' });
put('spec', 'every-field-tostring.json', json({ spec: Object.fromEntries(Object.keys(spec).map((k) => [k, tostring])), input }), {
  outcome: 'preprocess-mismatch', message: 'Height must be a whole number of pixels above 0 (got {"toString":0})', why: 'was: TypeError "Cannot convert object to primitive value" from validateSpec and checkSpecAgainstInput',
});
put('spec', 'scale-object.json', json({ spec: { ...spec, scale: {} }, input }), { outcome: 'preprocess-mismatch', message: 'The scale {} is unknown', why: "was: \"The scale '[object Object]' is unknown\"" });
put('spec', 'mean-objects.json', json({ spec: { ...spec, mean: [tostring] }, input }), { outcome: 'preprocess-mismatch', message: 'The mean must be finite numbers', why: 'was: TypeError from mean.join' });
put('spec', 'empty-object.json', json({ spec: {}, input }), { outcome: 'preprocess-mismatch', message: 'Height must be', why: 'no fields at all' });
put('spec', 'rank-9-input.json', json({ spec, input: { ...input, shape: [1, 1, 1, 1, 1, 1, 1, 1, 28] } }), { outcome: 'preprocess-mismatch', message: 'has 9 dimensions', why: 'a model input that is no image' });

// ---------------------------------------------------------------- PNG
put('png', 'zero-width-4G-height-adam7.png', png(0, 0xffffffff, 1, 2, 1, [pngChunk('tRNS', Uint8Array.of(54, 185, 112, 204)), pngChunk('IDAT', new Uint8Array(deflateSync(Buffer.alloc(4))))]), {
  outcome: 'image-undecodable', message: 'at least 1 x 1', why: 'was: width 0 passed the size check (0 x 4e9 = 0 pixels) and fast-png looped for ~25 s (found by fast-check, seed 2)',
});
put('png', 'claims-8192x8192-rgba16.png', png(8192, 8192, 16, 6, 0, [pngChunk('IDAT', new Uint8Array(deflateSync(Buffer.alloc(10))))]), {
  outcome: 'image-undecodable', message: 'far more than its', why: 'was: a 68-byte file made fast-png allocate 537 MB before finding no data',
});
put('png', 'claims-2^30-wide.png', png(1 << 30, 4, 8, 0, 0, [pngChunk('IDAT', new Uint8Array(deflateSync(Buffer.alloc(10))))]), { outcome: 'image-undecodable', message: 'this app decodes', why: 'over MAX_IMAGE_PIXELS' });
put('png', 'depth-3-rgb.png', png(2, 2, 3, 2, 0, [pngChunk('IDAT', new Uint8Array(deflateSync(Buffer.alloc(20))))]), { outcome: 'image-undecodable', why: 'a bit depth PNG does not have' });
put('png', 'palette-index-out-of-range.png', png(2, 1, 8, 3, 0, [pngChunk('PLTE', Uint8Array.of(1, 2, 3)), pngChunk('IDAT', new Uint8Array(deflateSync(Uint8Array.of(0, 0, 200))))]), {
  outcome: 'ok', why: 'index 200 of a 1-entry palette: decodes (black) rather than reading outside the palette',
});
put('png', 'signature-only.png', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), { outcome: 'image-undecodable', why: 'the 8-byte signature and nothing else' });

for (const [target, cases] of Object.entries(expected)) writeFileSync(`${CORPUS}${target}/expected.json`, JSON.stringify(cases, null, 2) + '\n');
console.log(Object.fromEntries(Object.entries(expected).map(([t, c]) => [t, Object.keys(c).length])));
