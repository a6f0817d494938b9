import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../src/core/errors.ts';
import { makeNode, makeTensorValueInfo } from '../../../src/core/onnx/builders.ts';
import { DataType } from '../../../src/core/onnx/dtypes.ts';
import { encodeTensor } from '../../../src/core/onnx/tensor.ts';
import { openSession } from '../../../src/runtime/ort.ts';
import { runOnce } from '../../../src/runtime/dry-run.ts';
import { buildModel } from '../core/onnx/build-model.ts';

// Dynamic shapes: the preprocessing pins every dim of an image input (height, width, channels from the
// spec, batch 1), so symbolic dims are resolved; what is left is a model whose symbolic input hides
// layers that need one size. The load's trial run (one sample of zeros) says so before the run.
const options = { provider: 'wasm', numThreads: 1 } as const;
const symbolicInput = makeTensorValueInfo('x', DataType.FLOAT, ['batch', 1, 'height', 'width']);

describe('the trial run at load (runtime/dry-run.ts)', () => {
  it('resolves symbolic batch, height and width from the preprocessing: [batch,1,height,width] runs at 20×20', async () => {
    const model = buildModel({ nodes: [makeNode('Relu', ['x'], ['y'], 'relu')], inputs: [symbolicInput], outputs: [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 1, 'height', 'width'])] });
    const session = await openSession(model, options);
    await expect(runOnce(session, [1, 1, 20, 20])).resolves.toBeUndefined();
    await session.release();
  });

  it('names the layer that cannot take the preprocessed size, before any sample runs', async () => {
    const model = buildModel({
      nodes: [makeNode('Flatten', ['x'], ['flat'], 'flatten'), makeNode('Gemm', ['flat', 'W'], ['y'], 'fc')],
      inputs: [symbolicInput],
      outputs: [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 10])],
      initializers: [encodeTensor('W', DataType.FLOAT, [784, 10], new Float32Array(7840))],
    });
    const session = await openSession(model, options);
    await expect(runOnce(session, [1, 1, 28, 28])).resolves.toBeUndefined();
    const error = await runOnce(session, [1, 1, 20, 20]).catch((e: unknown) => e as QuantLensError);
    expect(error).toBeInstanceOf(QuantLensError);
    expect(error?.code).toBe('shape-mismatch');
    expect(error?.message).toBe("The input the preprocessing gives ([1,1,20,20]) does not fit the layers of this model: WebAssembly (CPU) failed at its Gemm node 'fc' on shapes (GEMM: Dimension mismatch, W: {784,10} K: 400 N:10).");
    expect(error?.hint).toMatch(/^Set the preprocessing's height and width to the size the model was trained at/);
    await session.release();
  });
});
