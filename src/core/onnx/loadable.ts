/**
 * What stops a model before any engine sees it, read from the model itself: weights in files that
 * were not given, and inputs the run has nothing to feed. Each is a sentence that says what to do;
 * the preflight lists them, the model worker refuses to load on them.
 */
import { QuantLensError } from '../errors.ts';
import type { ModelInfo } from './info.ts';
import { missingExternalData } from './external-given.ts';
import { formatShape } from './twins.ts';

/** Domains onnxruntime-web 1.30 has kernels for (besides the default ONNX domain). */
const ENGINE_DOMAINS = new Set(['ai.onnx.ml', 'com.microsoft', 'com.microsoft.nchwc', 'com.ms.internal.nhwc', 'ai.onnx.preview.training', 'ai.onnx.training']);

/** The newest default-domain opset onnxruntime-web 1.30 accepts (ORT's own error names it: "till opset 26"). */
export const ENGINE_MAX_OPSET = 26;

/** Faults that stop the model from loading or running at all, as QuantLensErrors (empty: nothing found). */
export function loadProblems(info: ModelInfo): QuantLensError[] {
  return [externalDataProblem(info), inputProblem(info)].filter((p): p is QuantLensError => p !== null);
}

/** Weights kept in data files that did not come with the model (the engine would fail on them). */
export function externalDataProblem(info: ModelInfo): QuantLensError | null {
  return missingExternalData(info.externalData, []);
}

/** Inputs the run has nothing to feed: it feeds exactly one, the preprocessed sample. */
export function inputProblem(info: ModelInfo): QuantLensError | null {
  if (info.inputs.length === 1) return null;
  const shown = info.inputs.slice(0, 4).map((i) => `'${i.name}' ${formatShape(i.shape)}`).join(', ');
  const more = info.inputs.length > 4 ? ', …' : '';
  return new QuantLensError(
    'model-mismatch',
    info.inputs.length === 0
      ? 'The model has no input: QuantLens feeds one input, the preprocessed sample.'
      : `The model has ${info.inputs.length} inputs (${shown}${more}); QuantLens feeds one input, the preprocessed sample, and has nothing to give the others.`,
    'Give a model with a single input tensor (export it with the other inputs folded in as constants).',
  );
}

/**
 * Warnings about operators and opsets the engine is known to lack (the engine's own error decides
 * at load time; this says it before the run, in the preflight).
 */
export function operatorWarnings(info: ModelInfo): string[] {
  const warnings: string[] = [];
  const custom = info.nonStandardOps.filter((op) => !ENGINE_DOMAINS.has(op.slice(0, op.lastIndexOf(':'))));
  if (custom.length > 0) {
    warnings.push(`The model uses custom operators (${custom.join(', ')}) that onnxruntime-web has no kernels for: loading it will fail on every provider. Export it with standard ONNX operators only.`);
  }
  const opset = info.opsets['ai.onnx'];
  if (opset !== undefined && opset > ENGINE_MAX_OPSET) {
    warnings.push(`The model is stamped with ONNX opset ${opset}; onnxruntime-web supports up to opset ${ENGINE_MAX_OPSET}. Export it again with opset ${ENGINE_MAX_OPSET} or lower.`);
  }
  return warnings;
}
