/**
 * Calibration planning: the float model with every activation the quantizer needs a range for
 * exposed as an extra graph output. The host runs it on real samples and feeds the outputs named
 * in `tensorNames` to a Calibrator.
 */
import { DataType } from '../onnx/dtypes.ts';
import { makeTensorValueInfo } from '../onnx/builders.ts';
import { parseModel, serializeModel } from '../onnx/model.ts';
import type { QuantizeOptions } from './options.ts';
import { planQuantization } from './plan.ts';

/** The augmented model to run, and the outputs of it to observe. */
export interface CalibrationPlan {
  augmentedModel: Uint8Array;
  tensorNames: string[];
}

/** Exposes every activation to calibrate as a graph output of the float model. */
export function planCalibration(floatBytes: Uint8Array, options: QuantizeOptions = {}): CalibrationPlan {
  const model = parseModel(floatBytes);
  const plan = planQuantization(model, options);
  const graph = model.graph;
  if (graph) {
    const existing = new Set(graph.output.map((o) => o.name));
    for (const name of plan.activations) {
      if (!existing.has(name)) graph.output.push(makeTensorValueInfo(name, DataType.FLOAT));
    }
  }
  return { augmentedModel: serializeModel(model), tensorNames: plan.activations };
}
