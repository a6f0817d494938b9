/**
 * Options and report of static post-training quantization to QDQ.
 */

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
  };
}
