/**
 * The layer analysis end to end in ONNX Runtime (wasm, Node) on the demo pair and real test digits:
 * a weight made deliberately coarse must top the sensitivity ranking.
 */
import { describe, expect, it } from 'vitest';
import { analyzeLayers, type LayerAnalysisOutcome, type LayerRunner } from '../../../../src/core/diff/analysis.ts';
import { addOutputs, layerOutputs, matchTensors } from '../../../../src/core/diff/layers.ts';
import { parseModel } from '../../../../src/core/onnx/model.ts';
import type { PreparedSample } from '../../../../src/core/eval/evaluate.ts';
import { DEMO_DIMS, coarsenWeight, demoFloatBytes, demoQuantizedBytes, demoSamples, ortRunner } from './helpers.ts';

async function analyze(floatBytes: Uint8Array, quantizedBytes: Uint8Array, samples: PreparedSample[]): Promise<LayerAnalysisOutcome> {
  const floatModel = parseModel(floatBytes);
  const quantizedModel = parseModel(quantizedBytes);
  const matching = matchTensors(floatModel, quantizedModel);
  const outputs = layerOutputs(matching);
  const floatRunner = await ortRunner(addOutputs(floatBytes, outputs.float, floatModel), DEMO_DIMS);
  const quantizedRunner = await ortRunner(addOutputs(quantizedBytes, outputs.quantized, quantizedModel), DEMO_DIMS);
  try {
    return await analyzeLayers({ matching, floatModel: floatRunner, quantizedModel: quantizedRunner, samples, sequential: true });
  } finally {
    await floatRunner.release();
    await quantizedRunner.release();
  }
}

describe('analyzeLayers on the demo pair (ORT wasm)', () => {
  let samples: PreparedSample[];
  const loadSamples = async () => (samples ??= await demoSamples(32));

  it('measures every matched tensor, accumulated and local, on real digits', async () => {
    const outcome = await analyze(demoFloatBytes, demoQuantizedBytes, await loadSamples());
    expect(outcome.status).toBe('complete');
    expect(outcome.sampleCount).toBe(32);
    expect(outcome.problems).toEqual([]);
    expect(outcome.unmatched).toEqual([]);
    expect(outcome.tensors.map((t) => t.match.floatTensor)).toEqual([
      'input', '/conv1/Conv_output_0', '/Relu_output_0', '/MaxPool_output_0', '/conv2/Conv_output_0', '/Relu_1_output_0',
      '/MaxPool_1_output_0', '/Flatten_output_0', '/fc1/Gemm_output_0', '/Relu_2_output_0', 'logits',
    ]);
    for (const tensor of outcome.tensors) {
      expect(tensor.accumulated.sampleCount).toBe(32);
      expect(tensor.accumulated.pooled.sqnrDb, tensor.match.floatTensor).toBeGreaterThan(20);
      expect(tensor.accumulated.pooled.cosine).toBeGreaterThan(0.99);
      if (tensor.match.kind === 'dequantized') expect(tensor.local?.pooled.sqnrDb).toBeGreaterThan(20);
      else expect(tensor.local).toBeUndefined();
    }
    // The input digits are k/255 exactly: quantizing them with scale 1/255 loses (almost) nothing.
    expect(outcome.tensors[0].accumulated.pooled.sqnrDb).toBeGreaterThan(100);
    expect(outcome.sensitivity.byAddedNoise).toHaveLength(outcome.tensors.length);
  });

  for (const [weight, node] of [['conv2.weight', '/conv2/Conv'], ['fc1.weight', '/fc1/Gemm'], ['conv1.weight', '/conv1/Conv']]) {
    it(`ranks the layer whose weight grid was made 16x coarser first (${weight})`, async () => {
      const damaged = coarsenWeight(demoQuantizedBytes, weight, 16);
      const outcome = await analyze(demoFloatBytes, damaged, await loadSamples());
      const top = outcome.sensitivity.byAddedNoise[0];
      expect(top.floatNode).toBe(node);
      expect(top.rank).toBe(1);
      expect(top.sqnrDropDb).toBeGreaterThan(outcome.sensitivity.byAddedNoise[1].sqnrDropDb);
    });
  }
});

describe('analyzeLayers bookkeeping', () => {
  const matching = {
    format: 'qdq' as const,
    unmatched: [],
    matches: [{
      floatTensor: 't', quantizedTensor: 't_dq', kind: 'dequantized' as const, beforeQuantize: 't_q_in',
      floatNode: 'n', opType: 'Conv', nodeIndex: 0, quantizedNode: 'n', upstream: [],
    }],
  };
  const float: LayerRunner = { run: async (x) => ({ t: Float32Array.from(x, (v) => v * 2) }) };
  const quantized: LayerRunner = { run: async (x) => ({ t_dq: Float32Array.from(x, (v) => Math.round(v * 2)), t_q_in: Float32Array.from(x, (v) => v * 2) }) };
  const samples = (n: number): PreparedSample[] => Array.from({ length: n }, (_, i) => ({ index: i, label: null, input: Float32Array.of(i + 0.3, -i - 0.1) }));

  it('stops at maxSamples and reports progress', async () => {
    const progress: number[] = [];
    const outcome = await analyzeLayers({ matching, floatModel: float, quantizedModel: quantized, samples: samples(10), maxSamples: 4, onProgress: (done) => progress.push(done) });
    expect(outcome.sampleCount).toBe(4);
    expect(progress).toEqual([1, 2, 3, 4]);
    // Here the local and the accumulated error are the same comparison.
    expect(outcome.tensors[0].local?.pooled.mse).toBe(outcome.tensors[0].accumulated.pooled.mse);
  });

  it('cancels as a normal outcome', async () => {
    const controller = new AbortController();
    const outcome = await analyzeLayers({
      matching, floatModel: float, quantizedModel: quantized, samples: samples(10), signal: controller.signal,
      onProgress: (done) => (done === 2 ? controller.abort() : undefined),
    });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.sampleCount).toBe(2);
  });

  it('reports a tensor a runner did not return instead of throwing', async () => {
    const outcome = await analyzeLayers({ matching, floatModel: float, quantizedModel: { run: async () => ({}) }, samples: samples(2) });
    expect(outcome.tensors).toEqual([]);
    expect(outcome.problems).toEqual([{ floatTensor: 't', reason: "the quantized model did not return 't_dq'" }]);
  });
});
