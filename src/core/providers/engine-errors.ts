/**
 * onnxruntime's error texts, turned into what happened and what to do. ORT reports a missing
 * kernel, an unknown or custom operator, an opset it does not know, missing external data or an
 * exhausted heap as one long C++ message; the user needs the operator, the provider and a next step.
 * The patterns are ORT 1.30's own words (test/unit/core/providers/engine-errors.test.ts records them
 * from real sessions): re-check them when ORT moves.
 */
import type { ErrorCode } from '../errors.ts';
import { TOO_LARGE_HINT, size, WASM32_MEMORY_BYTES } from './memory.ts';

export type EngineFault =
  /** The operator exists in ONNX but the engine has no kernel for it (at this opset or type). */
  | { kind: 'missing-kernel'; op: string; opset: number; node: string }
  /** The operator is not in its domain's registry: a custom domain, or a name ONNX does not define. */
  | { kind: 'unknown-operator'; op: string; domain: string; opset: number | null }
  | { kind: 'opset-too-new'; domain: string; opset: number; supported: number }
  | { kind: 'external-data'; file: string }
  | { kind: 'out-of-memory' }
  | { kind: 'shape-mismatch'; op: string | null; node: string | null; detail: string | null }
  | { kind: 'unreadable' }
  | { kind: 'other' };

export interface EngineFailure {
  code: ErrorCode;
  message: string;
  hint: string;
}

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);

/** Which kind of failure an engine error text describes. */
export function classifyEngineError(text: string): EngineFault {
  let m = /Could not find an implementation for (\w+)\((\d+)\) node with name '([^']*)'/.exec(text);
  if (m) return { kind: 'missing-kernel', op: m[1], opset: Number(m[2]), node: m[3] };
  m = /([\w.-]*):(\w+)\((-?\d+)\) is not a registered function\/op/.exec(text);
  if (m) return { kind: 'unknown-operator', domain: m[1], op: m[2], opset: Number(m[3]) >= 0 ? Number(m[3]) : null };
  m = /No Op registered for (\w+) with domain_version of (\d+)/.exec(text);
  if (m) return { kind: 'unknown-operator', domain: '', op: m[1], opset: Number(m[2]) };
  m = /Opset (\d+) is under development[\s\S]*?support for domain ([\w.]+) is till opset (\d+)/.exec(text);
  if (m) return { kind: 'opset-too-new', opset: Number(m[1]), domain: m[2], supported: Number(m[3]) };
  m = /Failed to load external data file "*([^"]+?)"*,/.exec(text) ?? /external data file "*([^"\s,]+)/i.exec(text);
  if (m) return { kind: 'external-data', file: m[1] };
  if (/bad_alloc|Integer overflow|Tensor shape is too large|memory access out of bounds|out of memory|Aborted\(OOM\)|Cannot enlarge memory|Array buffer allocation failed|could not allocate memory|Failed to allocate/i.test(text)) {
    return { kind: 'out-of-memory' };
  }
  if (/Got invalid dimensions for input|cannot be reshaped to the requested shape|Incompatible dimensions|shape mismatch|Attempting to broadcast an axis|Invalid rank for input|ShapeInferenceError|dimension mismatch/i.test(text)) {
    m = /running (\w+) node\. Name:'([^']*)'/.exec(text);
    const detail = /Status Message: ([^\n]+)/.exec(text)?.[1] ?? /was false\. ([^\n]+)/.exec(text)?.[1] ?? null;
    return { kind: 'shape-mismatch', op: m?.[1] ?? null, node: m?.[2] ?? null, detail: detail?.trim() ?? null };
  }
  if (/protobuf|invalid model|Failed to load model|parse/i.test(text)) return { kind: 'unreadable' };
  return { kind: 'other' };
}

export interface EngineContext {
  /** The provider's label, e.g. 'WebAssembly (CPU)'. */
  provider: string;
  /** Creating the session, or running it. */
  stage: 'load' | 'run';
  /** The per-sample input shape the run feeds, when known (for shape messages). */
  inputDims?: readonly number[];
  /** Who failed, starting the sentence: "This model" unless told, e.g. "The quantized model 'x.onnx'". */
  subject?: string;
}

/** A readable message and next step for an engine error text (the text itself goes in the cause). */
export function explainEngineError(text: string, context: EngineContext): EngineFailure {
  const fault = classifyEngineError(text);
  const { provider } = context;
  const subject = context.subject ?? 'This model';
  const object = context.subject ?? 'this model';
  const theModel = context.subject ?? 'The model';
  switch (fault.kind) {
    case 'missing-kernel':
      return {
        code: 'operator-unsupported',
        message: `${subject} uses the operator ${fault.op} (opset ${fault.opset}, node '${fault.node}'), which ${provider} has no kernel for: onnxruntime-web cannot run it.`,
        hint: `Re-export the model without ${fault.op}: do that step outside the model, or build it from operators onnxruntime-web has. No other provider here can run it either.`,
      };
    case 'unknown-operator':
      if (!DEFAULT_DOMAINS.has(fault.domain)) {
        return {
          code: 'operator-unsupported',
          message: `${subject} uses ${fault.domain}:${fault.op}, a custom operator: onnxruntime-web has no kernel for it on ${provider}, and a browser cannot load the native library that would add one.`,
          hint: 'Export the model with standard ONNX operators only (no custom ops); custom operators need a native ONNX Runtime build with their library registered.',
        };
      }
      return {
        code: 'operator-unsupported',
        message: `${subject} uses ${fault.op}, which is not an ONNX operator${fault.opset === null ? '' : ` at opset ${fault.opset}`}: onnxruntime-web cannot run it on ${provider}.`,
        hint: 'Check the exporter: the node may be misspelled, or need a newer opset; export again with standard operators.',
      };
    case 'opset-too-new':
      return {
        code: 'operator-unsupported',
        message: `${subject} is stamped with opset ${fault.opset} of ${fault.domain}; onnxruntime-web supports up to opset ${fault.supported}, so it cannot run it on ${provider}.`,
        hint: `Export the model again with opset ${fault.supported} or lower (e.g. torch.onnx.export(..., opset_version=${Math.min(fault.supported, 17)})).`,
      };
    case 'external-data':
      return {
        code: 'external-data-missing',
        message: `${subject} keeps its weights in '${fault.file}', which was not given: pick both files.`,
        hint: 'Pick the .onnx file and its data file(s) together (select them all in the file dialog, or drop them together).',
      };
    case 'out-of-memory':
      return context.stage === 'load'
        ? { code: 'model-too-large', message: `${subject} does not fit: ${provider} ran out of memory while loading it (WebAssembly gives one model at most ${size(WASM32_MEMORY_BYTES)}).`, hint: TOO_LARGE_HINT }
        : {
            code: 'out-of-memory',
            message: `${subject} ran out of memory on ${provider}: a tensor it computes needs more than the engine can give (WebAssembly addresses at most ${size(WASM32_MEMORY_BYTES)} per model).`,
            hint: 'This model cannot run in a browser tab at this input size: use a smaller input size or a smaller model. The page and the other model are not affected: run again, no reload needed.',
          };
    case 'shape-mismatch': {
      const dims = context.inputDims ? ` ([${context.inputDims.join(',')}])` : '';
      const where = fault.op ? ` at its ${fault.op} node '${fault.node}'` : '';
      return {
        code: 'shape-mismatch',
        message: `The input the preprocessing gives${dims} does not fit the layers of ${object}: ${provider} failed${where} on shapes${fault.detail ? ` (${fault.detail})` : ''}.`,
        hint: 'Set the preprocessing\'s height and width to the size the model was trained at: its input leaves them open, but its layers need one size.',
      };
    }
    case 'unreadable':
      return {
        code: 'model-unreadable',
        message: `onnxruntime-web could not load ${object}: ${shortText(text)}`,
        hint: 'Check that the file is a complete ONNX model (not truncated) exported by a current exporter.',
      };
    case 'other':
      return context.stage === 'load'
        ? { code: 'session-failed', message: `${theModel} could not be started on ${provider}: ${shortText(text)}`, hint: 'Try another execution provider; if none works, check that the model runs in ONNX Runtime.' }
        : { code: 'session-failed', message: `${theModel} stopped running on ${provider}: ${shortText(text)}`, hint: 'Pick another execution provider for this model (WebAssembly always works) and run again; no reload needed.' };
  }
}

/** ORT's message without the C++ source location and function signature it starts with. */
export function shortText(text: string): string {
  return text
    .replace(/\/\S+\.(?:cc|h|cpp):\d+ [^[]*?\[ONNXRuntimeError\] : \d+ : \w+ : /g, '')
    .replace(/\/\S+\.(?:cc|h|cpp):\d+ \S+ [^(]*\([^)]*\)\s*/g, '')
    .trim();
}
