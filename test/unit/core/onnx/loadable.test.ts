import { describe, expect, it } from 'vitest';
import { makeNode, makeTensorValueInfo } from '../../../../src/core/onnx/builders.ts';
import { DataType } from '../../../../src/core/onnx/dtypes.ts';
import { readModelInfo } from '../../../../src/core/onnx/info.ts';
import { externalDataProblem, inputProblem, loadProblems, operatorWarnings } from '../../../../src/core/onnx/loadable.ts';
import { loadDemo } from '../../../helpers/demo.ts';
import { withCustomOperator, withExternalData } from '../../../helpers/fault-models.ts';
import { buildModel } from './build-model.ts';

describe('what stops a model before the engine sees it', () => {
  it('nothing, for the demo pair', () => {
    const demo = loadDemo();
    for (const bytes of [demo.floatModel, demo.quantizedModel]) {
      const info = readModelInfo(bytes);
      expect(loadProblems(info)).toEqual([]);
      expect(operatorWarnings(info)).toEqual([]); // the QDQ model's ops are all in the default domain
    }
  });

  it('weights in a data file that was not given', () => {
    const info = readModelInfo(withExternalData(loadDemo().floatModel, 'weights.bin').model);
    expect(externalDataProblem(info)?.message).toBe("This model keeps its weights in 'weights.bin', which was not given: pick both files.");
    expect(loadProblems(info)).toHaveLength(1);
  });

  it('inputs the run has nothing to feed (a second input, e.g. an image size)', () => {
    const twoInputs = buildModel({
      nodes: [makeNode('Add', ['image', 'offset'], ['y'], 'add')],
      inputs: [makeTensorValueInfo('image', DataType.FLOAT, ['batch', 3, 'height', 'width']), makeTensorValueInfo('offset', DataType.FLOAT, [1])],
      outputs: [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 3, 'height', 'width'])],
    });
    const problem = inputProblem(readModelInfo(twoInputs))!;
    expect(loadProblems(readModelInfo(twoInputs))).toEqual([problem]);
    expect(problem.code).toBe('model-mismatch');
    expect(problem.message).toBe("The model has 2 inputs ('image' [batch,3,height,width], 'offset' [1]); QuantLens feeds one input, the preprocessed sample, and has nothing to give the others.");
  });

  it('warns about custom operators and opsets newer than onnxruntime-web, not about com.microsoft or ai.onnx.ml ops', () => {
    expect(operatorWarnings(readModelInfo(withCustomOperator(loadDemo().floatModel)))).toEqual([
      'The model uses custom operators (com.example.vendor:FancyActivation) that onnxruntime-web has no kernels for: loading it will fail on every provider. Export it with standard ONNX operators only.',
    ]);
    const contrib = buildModel({
      nodes: [makeNode('Gelu', ['x'], ['g'], 'gelu', [], 'com.microsoft'), makeNode('Relu', ['g'], ['y'], 'relu')],
      inputs: [makeTensorValueInfo('x', DataType.FLOAT, [4])], outputs: [makeTensorValueInfo('y', DataType.FLOAT, [4])],
      extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
    });
    expect(readModelInfo(contrib).nonStandardOps).toEqual(['com.microsoft:Gelu']);
    expect(operatorWarnings(readModelInfo(contrib))).toEqual([]);
    const future = buildModel({ nodes: [makeNode('Relu', ['x'], ['y'], 'relu')], inputs: [makeTensorValueInfo('x', DataType.FLOAT, [4])], outputs: [makeTensorValueInfo('y', DataType.FLOAT, [4])], opset: 27 });
    expect(operatorWarnings(readModelInfo(future))).toEqual(['The model is stamped with ONNX opset 27; onnxruntime-web supports up to opset 26. Export it again with opset 26 or lower.']);
  });
});
