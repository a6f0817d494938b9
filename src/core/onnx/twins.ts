/**
 * Checks that a float model and its quantized twin can be fed the same data and compared output
 * by output: same input and output names, shapes and element types.
 */
import type { ModelInputInfo } from '../preprocess/spec.ts';
import type { ModelInfo } from './info.ts';

/** One way in which two models are not twins; `message` is a plain sentence for the user. */
export interface TwinDifference {
  kind: 'missing' | 'extra' | 'shape' | 'dtype';
  side: 'input' | 'output';
  tensor: string;
  message: string;
}

type Dim = ModelInputInfo['shape'][number];

/** Lists how the quantized model's inputs and outputs differ from the float model's; empty = twins. */
export function compareTwins(floatInfo: ModelInfo, quantizedInfo: ModelInfo): TwinDifference[] {
  return [
    ...compareSide('input', floatInfo.inputs, quantizedInfo.inputs),
    ...compareSide('output', floatInfo.outputs, quantizedInfo.outputs),
  ];
}

/** A shape as users read it: [N,3,224,224], with '?' for an unknown dim. */
export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/** Symbolic dims match any symbolic dim, unknown dims match anything, numbers must be equal. */
export function shapesMatch(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => dimsMatch(d, b[i]));
}

function dimsMatch(a: Dim, b: Dim): boolean {
  if (a === null || b === null) return true;
  if (typeof a === 'string' && typeof b === 'string') return true;
  return a === b;
}

function compareSide(side: 'input' | 'output', floats: ModelInputInfo[], quantized: ModelInputInfo[]): TwinDifference[] {
  const label = side === 'input' ? 'Input' : 'Output';
  const differences: TwinDifference[] = [];
  const quantizedByName = new Map(quantized.map((t) => [t.name, t]));
  const floatNames = new Set(floats.map((t) => t.name));
  for (const floatTensor of floats) {
    const tensor = floatTensor.name;
    const twin = quantizedByName.get(tensor);
    if (twin === undefined) {
      differences.push({ kind: 'missing', side, tensor, message: `${label} '${tensor}' exists in the float model but not in the quantized model.` });
      continue;
    }
    if (!shapesMatch(floatTensor.shape, twin.shape)) {
      const message = `${label} '${tensor}' has shape ${formatShape(floatTensor.shape)} in the float model but ${formatShape(twin.shape)} in the quantized model.`;
      differences.push({ kind: 'shape', side, tensor, message });
    }
    if (floatTensor.dtype !== twin.dtype) {
      const message = `${label} '${tensor}' is ${floatTensor.dtype} in the float model but ${twin.dtype} in the quantized model.`;
      differences.push({ kind: 'dtype', side, tensor, message });
    }
  }
  for (const twin of quantized) {
    if (!floatNames.has(twin.name)) {
      differences.push({ kind: 'extra', side, tensor: twin.name, message: `${label} '${twin.name}' exists in the quantized model but not in the float model.` });
    }
  }
  return differences;
}
