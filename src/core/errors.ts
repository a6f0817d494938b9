/**
 * Errors a person can act on: what went wrong, what to do, and the original cause kept.
 * Every layer throws these (or wraps into them); the UI shows `message` and `hint` in one place.
 */
export type ErrorCode =
  | 'not-onnx'
  | 'model-unreadable'
  | 'model-mismatch'
  /** The model keeps weights in external data files that were not given (or do not match). */
  | 'external-data-missing'
  /** The engine has no kernel for an operator or opset of the model. */
  | 'operator-unsupported'
  /** Loading the model would need more memory than the engine or the device has. */
  | 'model-too-large'
  /** A run needed more memory than the engine could give. */
  | 'out-of-memory'
  /** The input the run feeds does not fit the shapes inside the model. */
  | 'shape-mismatch'
  | 'preprocess-mismatch'
  | 'image-undecodable'
  | 'dataset-empty'
  | 'dataset-invalid'
  | 'provider-unavailable'
  | 'session-failed'
  | 'worker-crashed'
  | 'storage-failed'
  | 'quota-exceeded'
  | 'quantize-failed'
  | 'invalid-input';

export class QuantLensError extends Error {
  override readonly name = 'QuantLensError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the user should do about it, in one sentence. */
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Plain, structured-clone-safe form (errors cross worker boundaries and get stored). */
export interface ErrorInfo {
  code: ErrorCode | 'unexpected';
  message: string;
  hint: string;
  cause?: string;
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof QuantLensError) {
    return { code: error.code, message: error.message, hint: error.hint, cause: describeCause(error.cause) };
  }
  if (isErrorInfo(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'unexpected',
    message: `Unexpected error: ${message}`,
    hint: 'Try again; if it persists, report it with the details below.',
    cause: error instanceof Error ? error.stack : undefined,
  };
}

export function isErrorInfo(value: unknown): value is ErrorInfo {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as ErrorInfo).code === 'string' &&
    typeof (value as ErrorInfo).message === 'string' &&
    typeof (value as ErrorInfo).hint === 'string'
  );
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? cause.message : String(cause);
}
