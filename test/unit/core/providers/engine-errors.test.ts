import { describe, expect, it } from 'vitest';
import { classifyEngineError, explainEngineError, shortText } from '../../../../src/core/providers/engine-errors.ts';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { makeNode, makeTensorValueInfo } from '../../../../src/core/onnx/builders.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { openSession } from '../../../../src/runtime/ort.ts';
import { buildModel } from '../onnx/build-model.ts';
import { loadDemo } from '../../../helpers/demo.ts';
import { withCustomOperator, withExternalData } from '../../../helpers/fault-models.ts';

// onnxruntime-web 1.30's own words, recorded in Node from the sessions below, the runs in
// test/unit/runtime/dry-run.test.ts, an Expand to 4 GiB (which trapped, then failed with bad_alloc)
// and a 1.875 GB model (bad_alloc at load). Re-record when ORT moves: the classifier reads these patterns.
const RECORDED = {
  missingKernel: "Can't create a session. ERROR_CODE: 9, ERROR_MESSAGE: Could not find an implementation for ImageDecoder(20) node with name 'dec'",
  customOp: "Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: Fatal error: com.example:Frobnicate(-1) is not a registered function/op",
  unknownOp: "Can't create a session. ERROR_CODE: 6, ERROR_MESSAGE: No Op registered for Frobnicate with domain_version of 13",
  opsetTooNew: "Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/graph/model_load_utils.h:56 void onnxruntime::model_load_utils::ValidateOpsetForDomain(const std::unordered_map<std::string, int> &, const logging::Logger &, bool, const std::string &, int) ONNX Runtime only *guarantees* support for models stamped with official released onnx opset versions. Opset 40 is under development and support for this is limited. The operator schemas and or other functionality may change before next ONNX release and in this case ONNX Runtime will not guarantee backward compatibility. Current official support for domain ai.onnx is till opset 26.\n",
  externalData: "Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/optimizer/initializer.cc:51 onnxruntime::Initializer::Initializer(const onnx::TensorProto &, const std::filesystem::path &) [ONNXRuntimeError] : 1 : FAIL : Failed to load external data file \"\"w.data\"\", error: Module.MountedFiles is not available.",
  overflow: 'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/common/safeint.h:17 static void SafeIntExceptionHandler<onnxruntime::OnnxRuntimeException>::SafeIntOnOverflow() Integer overflow\n',
  tooLarge: 'failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/framework/op_kernel.cc:83 virtual OrtValue *onnxruntime::OpKernelContext::OutputMLValue(int, const TensorShape &) [ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Tensor shape is too large\n',
  trap: 'memory access out of bounds',
  badAlloc: "Can't create a session. ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc",
  reshape: 'failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/providers/cpu/tensor/reshape_helper.h:93 onnxruntime::ReshapeHelper::ReshapeHelper(const TensorShape &, TensorShapeVector &, bool) input_shape_size == requested_shape_size was false. The input tensor cannot be reshaped to the requested shape. Input shape:{1,1,20,20}, requested shape:{1,784}\n',
  gemm: "failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Non-zero status code returned while running Gemm node. Name:'fc' Status Message: GEMM: Dimension mismatch, W: {784,10} K: 400 N:10",
  fixedDims: 'failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Got invalid dimensions for input: x for the following indices\n index: 2 Got: 20 Expected: 28\n index: 3 Got: 20 Expected: 28\n Please fix either the inputs/outputs or the model.',
};

const wasm = { provider: 'WebAssembly (CPU)', stage: 'load' } as const;

describe('engine errors, classified', () => {
  it('reads the operator, opset, node, domain and file out of ORT\'s messages', () => {
    expect(classifyEngineError(RECORDED.missingKernel)).toEqual({ kind: 'missing-kernel', op: 'ImageDecoder', opset: 20, node: 'dec' });
    expect(classifyEngineError(RECORDED.customOp)).toEqual({ kind: 'unknown-operator', domain: 'com.example', op: 'Frobnicate', opset: null });
    expect(classifyEngineError(RECORDED.unknownOp)).toEqual({ kind: 'unknown-operator', domain: '', op: 'Frobnicate', opset: 13 });
    expect(classifyEngineError(RECORDED.opsetTooNew)).toEqual({ kind: 'opset-too-new', domain: 'ai.onnx', opset: 40, supported: 26 });
    expect(classifyEngineError(RECORDED.externalData)).toEqual({ kind: 'external-data', file: 'w.data' });
    for (const text of [RECORDED.overflow, RECORDED.tooLarge, RECORDED.trap, RECORDED.badAlloc]) expect(classifyEngineError(text).kind).toBe('out-of-memory');
    expect(classifyEngineError(RECORDED.reshape)).toEqual({ kind: 'shape-mismatch', op: null, node: null, detail: 'The input tensor cannot be reshaped to the requested shape. Input shape:{1,1,20,20}, requested shape:{1,784}' });
    expect(classifyEngineError(RECORDED.gemm)).toEqual({ kind: 'shape-mismatch', op: 'Gemm', node: 'fc', detail: 'GEMM: Dimension mismatch, W: {784,10} K: 400 N:10' });
    expect(classifyEngineError(RECORDED.fixedDims).kind).toBe('shape-mismatch');
    expect(classifyEngineError('something else entirely').kind).toBe('other');
  });

  it('says each in a sentence that names the provider and what to do', () => {
    expect(explainEngineError(RECORDED.missingKernel, wasm)).toEqual({
      code: 'operator-unsupported',
      message: "This model uses the operator ImageDecoder (opset 20, node 'dec'), which WebAssembly (CPU) has no kernel for: onnxruntime-web cannot run it.",
      hint: 'Re-export the model without ImageDecoder: do that step outside the model, or build it from operators onnxruntime-web has. No other provider here can run it either.',
    });
    expect(explainEngineError(RECORDED.opsetTooNew, wasm).message).toBe('This model is stamped with opset 40 of ai.onnx; onnxruntime-web supports up to opset 26, so it cannot run it on WebAssembly (CPU).');
    expect(explainEngineError(RECORDED.badAlloc, wasm)).toMatchObject({ code: 'model-too-large', message: 'This model does not fit: WebAssembly (CPU) ran out of memory while loading it (WebAssembly gives one model at most 4.0 GB).' });
    const run = explainEngineError(RECORDED.overflow, { provider: 'WebAssembly (CPU)', stage: 'run', subject: "The quantized model 'big.onnx'" });
    expect(run.code).toBe('out-of-memory');
    expect(run.message).toBe("The quantized model 'big.onnx' ran out of memory on WebAssembly (CPU): a tensor it computes needs more than the engine can give (WebAssembly addresses at most 4.0 GB per model).");
    expect(explainEngineError(RECORDED.gemm, { provider: 'WebAssembly (CPU)', stage: 'run', inputDims: [1, 1, 20, 20] }).message).toBe(
      "The input the preprocessing gives ([1,1,20,20]) does not fit the layers of this model: WebAssembly (CPU) failed at its Gemm node 'fc' on shapes (GEMM: Dimension mismatch, W: {784,10} K: 400 N:10).");
  });

  it('drops the C++ source location from what it quotes', () => {
    expect(shortText(RECORDED.externalData)).toBe("Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: Failed to load external data file \"\"w.data\"\", error: Module.MountedFiles is not available.");
  });
});

describe('session creation on onnxruntime-web (Node, the same wasm kernels as the browser)', () => {
  const options = { provider: 'wasm', numThreads: 1 } as const;
  const single = (op: string, domain?: string, opset = 13) => buildModel({
    nodes: [makeNode(op, ['x'], ['y'], 'the_node', [], domain)],
    inputs: [makeTensorValueInfo('x', op === 'ImageDecoder' ? DataType.UINT8 : DataType.FLOAT, op === 'ImageDecoder' ? ['n'] : [4])],
    outputs: [makeTensorValueInfo('y', op === 'ImageDecoder' ? DataType.UINT8 : DataType.FLOAT, op === 'ImageDecoder' ? ['h', 'w', 3] : [4])],
    opset, irVersion: opset > 13 ? 10 : 8,
    extraOpsets: domain ? [{ domain, version: 1 }] : [],
  });
  const failure = (bytes: Uint8Array, provider: 'wasm' | 'webgpu' = 'wasm') => openSession(bytes, { ...options, provider }).then(() => null, (e: unknown) => e as QuantLensError);

  it('an ONNX operator with no kernel (ImageDecoder): named with its node and the provider', async () => {
    const error = await failure(single('ImageDecoder', undefined, 20));
    expect(error).toBeInstanceOf(QuantLensError);
    expect(error?.code).toBe('operator-unsupported');
    expect(error?.message).toBe("This model uses the operator ImageDecoder (opset 20, node 'the_node'), which WebAssembly (CPU) has no kernel for: onnxruntime-web cannot run it.");
  });

  it('a custom-domain operator, and an opset newer than ORT knows', async () => {
    expect((await failure(withCustomOperator(loadDemo().floatModel)))?.message).toBe(
      'This model uses com.example.vendor:FancyActivation, a custom operator: onnxruntime-web has no kernel for it on WebAssembly (CPU), and a browser cannot load the native library that would add one.');
    expect((await failure(single('Relu', undefined, 40)))?.message).toMatch(/^This model is stamped with opset 40 of ai\.onnx; onnxruntime-web supports up to opset 26/);
  });

  it('weights in a data file ORT was not given', async () => {
    const { model } = withExternalData(loadDemo().floatModel, 'mnist.data');
    const error = await failure(model);
    expect(error?.code).toBe('external-data-missing');
    expect(error?.message).toBe("This model keeps its weights in 'mnist.data', which was not given: pick both files.");
  });

  it('a provider that cannot run it falls back to WebAssembly with the reason; when that fails too, both are said', async () => {
    // WebGPU does not exist in Node: the fallback path runs for real, and the custom op then fails on wasm.
    const error = await failure(withCustomOperator(loadDemo().floatModel), 'webgpu');
    expect(error?.code).toBe('operator-unsupported');
    expect(error?.message).toMatch(/^This model uses com\.example\.vendor:FancyActivation, a custom operator: onnxruntime-web has no kernel for it on WebAssembly \(CPU\).* \(Tried first: The model could not be started on WebGPU: .*WebGPU is not supported/);
    const session = await openSession(loadDemo().floatModel, { ...options, provider: 'webgpu' });
    expect(session.provider).toMatchObject({ requested: 'webgpu', actual: 'wasm', fallbackReason: expect.stringMatching(/^The model could not be started on WebGPU: /) });
    await session.release();
  });
});
