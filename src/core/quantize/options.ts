/**
 * Options and report of static post-training quantization to QDQ.
 */

/** Integer types for activations: 8-bit, or 16-bit for W8A16 (int8 weights, 16-bit activations). */
export type ActivationType = 'uint8' | 'int8' | 'uint16' | 'int16';

/** Op types this quantizer turns into QDQ compute. */
export type QuantizableOp = 'Conv' | 'Gemm' | 'MatMul';

/** What to quantize and how. */
export interface QuantizeOptions {
  /** One weight scale per output channel (default true); false gives one scale per weight tensor. */
  perChannel?: boolean;
  /** Node names to keep in float. */
  nodesToExclude?: readonly string[];
  /** Op types to quantize (default: Conv, Gemm, MatMul). */
  opTypes?: readonly QuantizableOp[];
  /** Activation type (default uint8). 16-bit types use com.microsoft Q/DQ, which onnxruntime(-web) runs at any opset. */
  activationType?: ActivationType;
  /** Symmetric activation ranges (default false: asymmetric, widened to include 0). */
  symmetricActivations?: boolean;
  /** Deliberate damage for testing a diagnosis: node label -> how many times coarser its weight grid is (default none). */
  weightGridFactors?: Readonly<Record<string, number>>;
}

/** A node the quantizer left in float, and why. */
export interface SkippedNode {
  name: string;
  reason: string;
}

/** What the quantizer did, node by node. */
export interface QuantizeReport {
  quantizedNodes: string[];
  skippedNodes: SkippedNode[];
}

/** Options with every default filled in. */
export type ResolvedQuantizeOptions = Required<QuantizeOptions>;

/** Fills in the defaults. */
export function resolveOptions(options: QuantizeOptions = {}): ResolvedQuantizeOptions {
  return {
    perChannel: options.perChannel ?? true,
    nodesToExclude: options.nodesToExclude ?? [],
    opTypes: options.opTypes ?? ['Conv', 'Gemm', 'MatMul'],
    activationType: options.activationType ?? 'uint8',
    symmetricActivations: options.symmetricActivations ?? false,
    weightGridFactors: options.weightGridFactors ?? {},
  };
}
