/**
 * A small Conv -> Relu -> Flatten -> Gemm classifier with fixed weights, and a plain TypeScript
 * float forward pass of it, for the quantization tests.
 */
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { intAttribute, intsAttribute, makeNode, makeTensorValueInfo } from '../../../../src/core/onnx/builders.ts';
import { encodeTensor } from '../../../../src/core/onnx/tensor.ts';
import { buildModel } from '../onnx/build-model.ts';

export const IN_CHANNELS = 2;
export const SIZE = 6;
export const OUT_CHANNELS = 4;
export const KERNEL = 3;
export const CONV_SIZE = SIZE - KERNEL + 1;
export const FEATURES = OUT_CHANNELS * CONV_SIZE * CONV_SIZE;
export const CLASSES = 3;
export const INPUT_LENGTH = IN_CHANNELS * SIZE * SIZE;

/** Deterministic uniform numbers in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Rows of weights whose largest magnitude is exactly 127 * 2^-k (k depends on the row), so that
 * symmetric int8 scales are powers of two and the quantized model's arithmetic is exact in float32.
 */
function dyadicRows(rows: number, length: number, random: () => number): Float32Array[] {
  return Array.from({ length: rows }, (_, row) => {
    const bound = 127 * 2 ** -(5 + (row % 3));
    const values = Float32Array.from({ length }, () => (random() * 2 - 1) * 0.9 * bound);
    values[(row * 7) % length] = row % 2 === 0 ? bound : -bound;
    return values;
  });
}

export interface ConvNet {
  convWeight: Float32Array; // [OUT_CHANNELS, IN_CHANNELS, KERNEL, KERNEL]
  convBias: Float32Array; // [OUT_CHANNELS]
  fcWeight: Float32Array[]; // CLASSES rows of FEATURES
  fcBias: Float32Array; // [CLASSES]
}

/** The fixed weights. */
export function convNetWeights(): ConvNet {
  const random = prng(42);
  const convRows = dyadicRows(OUT_CHANNELS, IN_CHANNELS * KERNEL * KERNEL, random);
  const convWeight = new Float32Array(OUT_CHANNELS * IN_CHANNELS * KERNEL * KERNEL);
  convRows.forEach((row, c) => convWeight.set(row, c * row.length));
  return {
    convWeight,
    convBias: Float32Array.from({ length: OUT_CHANNELS }, () => random() - 0.5),
    fcWeight: dyadicRows(CLASSES, FEATURES, random),
    fcBias: Float32Array.from({ length: CLASSES }, () => random() - 0.5),
  };
}

/** The ONNX model: input 'x' [N,2,6,6] -> output 'logits' [N,3]; Gemm weight stored as [3,64] (transB=1) or [64,3]. */
export function convNetModel(net: ConvNet, options: { transB: boolean; opset?: number; extraNode?: 'Softmax' }): Uint8Array {
  const fcWeight = options.transB
    ? Float32Array.from(net.fcWeight.flatMap((row) => Array.from(row)))
    : Float32Array.from({ length: FEATURES * CLASSES }, (_, i) => net.fcWeight[i % CLASSES][Math.floor(i / CLASSES)]);
  const fcDims = options.transB ? [CLASSES, FEATURES] : [FEATURES, CLASSES];
  const nodes = [
    makeNode('Conv', ['x', 'conv.weight', 'conv.bias'], ['conv_out'], 'conv', [intsAttribute('kernel_shape', [KERNEL, KERNEL])]),
    makeNode('Relu', ['conv_out'], ['relu_out'], 'relu'),
    makeNode('Flatten', ['relu_out'], ['features'], 'flatten', [intAttribute('axis', 1)]),
    makeNode('Gemm', ['features', 'fc.weight', 'fc.bias'], [options.extraNode ? 'scores' : 'logits'], 'fc', [intAttribute('transB', options.transB ? 1 : 0)]),
  ];
  if (options.extraNode) nodes.push(makeNode(options.extraNode, ['scores'], ['logits'], 'head'));
  return buildModel({
    opset: options.opset ?? 13,
    nodes,
    inputs: [makeTensorValueInfo('x', DataType.FLOAT, ['N', IN_CHANNELS, SIZE, SIZE])],
    outputs: [makeTensorValueInfo('logits', DataType.FLOAT, ['N', CLASSES])],
    initializers: [
      encodeTensor('conv.weight', DataType.FLOAT, [OUT_CHANNELS, IN_CHANNELS, KERNEL, KERNEL], net.convWeight),
      encodeTensor('conv.bias', DataType.FLOAT, [OUT_CHANNELS], net.convBias),
      encodeTensor('fc.weight', DataType.FLOAT, fcDims, fcWeight),
      encodeTensor('fc.bias', DataType.FLOAT, [CLASSES], net.fcBias),
    ],
  });
}

/** Hooks applied to the tensors of the forward pass (identity for the float model). */
export interface ForwardHooks {
  input?: (x: Float32Array) => Float32Array;
  convOut?: (y: Float32Array) => Float32Array;
  features?: (y: Float32Array) => Float32Array;
  logits?: (y: Float32Array) => Float32Array;
}

/** Float forward pass of one sample (batch 1), in float32 after every multiply-add. */
export function forward(net: ConvNet, x: Float32Array, hooks: ForwardHooks = {}): Float32Array {
  const input = hooks.input ? hooks.input(x) : x;
  let conv: Float32Array = new Float32Array(OUT_CHANNELS * CONV_SIZE * CONV_SIZE);
  for (let o = 0; o < OUT_CHANNELS; o++) {
    for (let y = 0; y < CONV_SIZE; y++) {
      for (let xx = 0; xx < CONV_SIZE; xx++) {
        let sum = net.convBias[o];
        for (let c = 0; c < IN_CHANNELS; c++) {
          for (let ky = 0; ky < KERNEL; ky++) {
            for (let kx = 0; kx < KERNEL; kx++) {
              const w = net.convWeight[((o * IN_CHANNELS + c) * KERNEL + ky) * KERNEL + kx];
              sum = Math.fround(sum + Math.fround(w * input[(c * SIZE + y + ky) * SIZE + xx + kx]));
            }
          }
        }
        conv[(o * CONV_SIZE + y) * CONV_SIZE + xx] = sum;
      }
    }
  }
  if (hooks.convOut) conv = hooks.convOut(conv);
  let features: Float32Array = conv.map((v) => Math.max(v, 0));
  if (hooks.features) features = hooks.features(features);
  const logits = Float32Array.from(net.fcWeight, (row, k) => {
    let sum = net.fcBias[k];
    for (let i = 0; i < FEATURES; i++) sum = Math.fround(sum + Math.fround(row[i] * features[i]));
    return sum;
  });
  return hooks.logits ? hooks.logits(logits) : logits;
}

/** Deterministic input samples in [-1, 1). */
export function samples(count: number, seed: number): Float32Array[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: INPUT_LENGTH }, () => random() * 2 - 1));
}
