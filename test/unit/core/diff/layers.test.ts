/**
 * Matching float tensors with their quantized counterparts (QDQ, QOperator, folded activations),
 * weight errors from initializers, and the QOperator path end to end in ONNX Runtime.
 */
import { describe, expect, it } from 'vitest';
import { matchTensors, layerOutputs, addOutputs } from '../../../../src/core/diff/layers.ts';
import { weightErrors } from '../../../../src/core/diff/weights.ts';
import { analyzeLayers } from '../../../../src/core/diff/analysis.ts';
import { parseModel } from '../../../../src/core/onnx/model.ts';
import { coarsenWeight, demoFloatBytes, demoQuantizedBytes, ortRunner } from './helpers.ts';
import { Q_IN, floatMatMulModel, qoperatorMatMulModel } from './qoperator-model.ts';
import { prng } from '../quantize/convnet.ts';

describe('matchTensors on the demo QDQ pair', () => {
  const matching = matchTensors(parseModel(demoFloatBytes), parseModel(demoQuantizedBytes));
  const byFloat = new Map(matching.matches.map((m) => [m.floatTensor, m]));

  it('matches every float tensor, in float graph order, with nothing left over', () => {
    expect(matching.format).toBe('qdq');
    expect(matching.unmatched).toEqual([]);
    expect(matching.matches.map((m) => m.nodeIndex)).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('finds the DequantizeLinear output that replaces each quantized tensor, through topology', () => {
    expect(byFloat.get('input')).toMatchObject({ quantizedTensor: 'input_DequantizeLinear_Output', kind: 'dequantized', beforeQuantize: 'input', floatNode: null });
    expect(byFloat.get('/conv1/Conv_output_0')).toMatchObject({
      quantizedTensor: '/conv1/Conv_output_0_DequantizeLinear_Output', kind: 'dequantized', beforeQuantize: '/conv1/Conv_output_0',
      floatNode: '/conv1/Conv', quantizedNode: '/conv1/Conv', upstream: ['input'],
    });
    // The graph output keeps its name on the DequantizeLinear output (ORT convention).
    expect(byFloat.get('logits')).toMatchObject({ quantizedTensor: 'logits', beforeQuantize: 'logits_QuantizeLinear_Input', kind: 'dequantized' });
    // Ops that stay float in the quantized model are compared as they are.
    expect(byFloat.get('/Relu_output_0')).toMatchObject({ quantizedTensor: '/Relu_output_0', kind: 'float', upstream: ['/conv1/Conv_output_0'] });
  });

  it('lists the tensors each model must expose, leaving graph inputs and existing outputs to the caller', () => {
    const outputs = layerOutputs(matching);
    expect(outputs.float.map((o) => o.name)).not.toContain('input');
    expect(outputs.quantized.map((o) => o.name)).toContain('logits_QuantizeLinear_Input');
    expect(outputs.quantized.map((o) => o.name)).not.toContain('input');
  });

  it('matches by topology when the quantized model renamed its nodes', () => {
    const quantized = parseModel(demoQuantizedBytes);
    quantized.graph?.node.forEach((n, i) => (n.name = `renamed_${i}`));
    const renamed = matchTensors(parseModel(demoFloatBytes), quantized);
    expect(renamed.unmatched).toEqual([]);
    expect(renamed.matches.map((m) => m.quantizedTensor)).toEqual(matching.matches.map((m) => m.quantizedTensor));
  });

  it('matches a Relu the quantized model folded away with the output of the op before it', () => {
    const quantized = parseModel(demoQuantizedBytes);
    const graph = quantized.graph;
    if (!graph) throw new Error('no graph');
    graph.node = graph.node.filter((n) => n.name !== '/Relu');
    const pool = graph.node.find((n) => n.name === '/MaxPool');
    if (pool) pool.input[0] = '/conv1/Conv_output_0_DequantizeLinear_Output';
    const folded = matchTensors(parseModel(demoFloatBytes), quantized);
    expect(folded.matches.find((m) => m.floatTensor === '/Relu_output_0')).toMatchObject({
      quantizedTensor: '/conv1/Conv_output_0_DequantizeLinear_Output', floatNode: '/conv1/Conv', note: 'Relu folded into the quantized Conv',
    });
    expect(folded.unmatched).toEqual([{ tensor: '/conv1/Conv_output_0', model: 'float', reason: expect.stringContaining('folds the following Relu') }]);
    expect(folded.matches.find((m) => m.floatTensor === '/MaxPool_output_0')?.upstream).toEqual(['/Relu_output_0']);
  });

  it('says why a node has no twin', () => {
    const quantized = parseModel(demoQuantizedBytes);
    const relu = quantized.graph?.node.find((n) => n.name === '/Relu_2');
    if (relu) relu.opType = 'Sigmoid';
    const broken = matchTensors(parseModel(demoFloatBytes), quantized);
    expect(broken.unmatched).toContainEqual({ tensor: '/Relu_2_output_0', model: 'quantized', reason: "node '/Relu_2' has no float twin: the float model has no unpaired Sigmoid node" });
    expect(broken.unmatched).toContainEqual({ tensor: '/Relu_2_output_0', model: 'float', reason: "its node '/Relu_2' (Relu) has no twin in the quantized model" });
  });
});

describe('weightErrors', () => {
  it('compares every dequantized weight and bias with the float initializer, per output channel', () => {
    const errors = weightErrors(parseModel(demoFloatBytes), parseModel(demoQuantizedBytes));
    expect(errors.map((e) => e.floatWeight)).toEqual([
      'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias',
    ]);
    const conv2 = errors[2];
    expect(conv2).toMatchObject({ quantizedWeight: 'conv2.weight_quantized', granularity: 'per-channel', dtype: 'int8', channelAxis: 0, inputIndex: 1 });
    expect(conv2.perChannel).toHaveLength(16);
    // Symmetric int8 per channel: the largest error is half a step of that channel's scale.
    for (const e of errors.filter((w) => w.dtype === 'int8')) expect(e.whole.sqnrDb).toBeGreaterThan(35);
    expect(errors[4].perChannel).toHaveLength(64); // fc1: Gemm transB=1, [64, 784]
  });

  it('shows a weight re-quantized on a 16x coarser grid, channel by channel', () => {
    const errors = weightErrors(parseModel(demoFloatBytes), parseModel(coarsenWeight(demoQuantizedBytes, 'conv2.weight', 16)));
    const conv2 = errors.find((e) => e.floatWeight === 'conv2.weight');
    expect(conv2?.whole.sqnrDb).toBeLessThan(25);
    expect(conv2?.perChannel[conv2.worstChannel].sqnrDb).toBe(Math.min(...(conv2?.perChannel.map((c) => c.sqnrDb) ?? [])));
    expect(errors.find((e) => e.floatWeight === 'conv1.weight')?.whole.sqnrDb).toBeGreaterThan(45);
  });
});

describe('QOperator models', () => {
  const floatBytes = floatMatMulModel();
  const quantizedBytes = qoperatorMatMulModel();
  const matching = matchTensors(parseModel(floatBytes), parseModel(quantizedBytes));

  it('matches QLinear outputs (dequantized in TypeScript), the quantized input, and a folded Relu', () => {
    expect(matching.format).toBe('qoperator');
    expect(matching.matches).toMatchObject([
      { floatTensor: 'x', quantizedTensor: 'x_quantized', kind: 'graph-input', dequantize: { dtype: 'uint8', zeroPoints: [128] } },
      { floatTensor: 'out', quantizedTensor: 'out_quantized', kind: 'qoperator', note: 'Relu folded into the quantized QLinearMatMul', upstream: ['x'] },
    ]);
    expect(matching.unmatched).toEqual([{ tensor: 'y', model: 'float', reason: expect.stringContaining('folds the following Relu') }]);
    const [weight] = weightErrors(parseModel(floatBytes), parseModel(quantizedBytes));
    expect(weight).toMatchObject({ floatWeight: 'w', quantizedWeight: 'w_quantized', granularity: 'per-tensor', channelAxis: 1 });
    expect(weight.whole.sqnrDb).toBeGreaterThan(35);
  });

  it('runs in ONNX Runtime: the dequantized QLinearMatMul output tracks the float Relu output', async () => {
    const outputs = layerOutputs(matching);
    const floatRunner = await ortRunner(addOutputs(floatBytes, outputs.float, parseModel(floatBytes)), [1, Q_IN]);
    const quantizedRunner = await ortRunner(addOutputs(quantizedBytes, outputs.quantized, parseModel(quantizedBytes)), [1, Q_IN]);
    const random = prng(3);
    const samples = Array.from({ length: 20 }, (_, index) => ({ index, label: null, input: Float32Array.from({ length: Q_IN }, () => random() * 2 - 1) }));
    const outcome = await analyzeLayers({ matching, floatModel: floatRunner, quantizedModel: quantizedRunner, samples, sequential: true });
    await floatRunner.release();
    await quantizedRunner.release();
    expect(outcome.problems).toEqual([]);
    const [input, out] = outcome.tensors;
    expect(input.accumulated.pooled.maxAbsError).toBeLessThanOrEqual(1 / 255 + 1e-7); // half a step of 2/255
    expect(out.accumulated.pooled.sqnrDb).toBeGreaterThan(25);
    expect(out.accumulated.pooled.cosine).toBeGreaterThan(0.99);
  });
});
