/**
 * What the exit code tells a pipeline. Every run ends with exactly one of these and one line on
 * stderr saying why; bad input never prints a stack trace.
 */
import { toErrorInfo } from '../core/errors.ts';
import type { VerdictOutcome } from '../core/metrics/types.ts';

export const EXIT = {
  /** The quantized model is within the accepted loss. */
  within: 0,
  /** It loses more than the accepted loss. */
  exceeds: 1,
  /** The data cannot decide (the interval straddles the threshold, or the run was cut short). */
  inconclusive: 2,
  /** Nothing was judged: a missing or unreadable file, not ONNX, models that are not twins, bad options. */
  badInput: 3,
  /** A bug in QuantLens (an error no check anticipated); the stack is printed only with --debug. */
  internal: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeOf(outcome: VerdictOutcome): ExitCode {
  return EXIT[outcome];
}

/** A problem with what the user asked for (options, files): exit 3 with this message and hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly hint = 'Run `quantlens eval --help` for the options.') {
    super(message);
  }
}

/** The exit code and the one line (plus a hint) for an error that ended a run. */
export function describeFailure(error: unknown): { code: ExitCode; line: string; hint: string; stack?: string } {
  if (error instanceof UsageError) return { code: EXIT.badInput, line: oneLine(error.message), hint: error.hint };
  const info = toErrorInfo(error);
  if (info.code === 'unexpected') {
    return { code: EXIT.internal, line: info.message, hint: 'This is a bug in QuantLens: rerun with --debug and report the stack it prints.', stack: info.cause };
  }
  return { code: EXIT.badInput, line: oneLine(info.message), hint: oneLine(info.hint) };
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
