/**
 * The `quantlens` command. Node only (src/cli is never part of the web build). Exit codes in
 * exit.ts; the last stderr line always says why the run ended as it did.
 */
import { parseCommand, helpText } from './options.ts';
import { describeFailure, EXIT, oneLine, type ExitCode } from './exit.ts';
import { runEval } from './run-eval.ts';

/** Replaced at build time by vite.cli.config.ts; read from package.json when run from source. */
declare const __QUANTLENS_VERSION__: string | undefined;
const VERSION = typeof __QUANTLENS_VERSION__ === 'string' ? __QUANTLENS_VERSION__ : '0.1.0 (source)';

const OUTCOME_WORD: Record<ExitCode, string> = { 0: 'within', 1: 'exceeds', 2: 'inconclusive', 3: 'bad input', 4: 'internal error' };

export async function main(argv: readonly string[]): Promise<ExitCode> {
  let debug = argv.includes('--debug');
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      process.stdout.write(`${helpText(command.topic, VERSION)}\n`);
      return EXIT.within;
    }
    if (command.kind === 'version') {
      process.stdout.write(`${VERSION}\n`);
      return EXIT.within;
    }
    debug = command.debug;
    const abort = new AbortController();
    // First Ctrl-C stops after the chunk in flight and still writes what was measured (exit 2); a second one quits.
    const onInterrupt = () => {
      if (abort.signal.aborted) process.exit(130);
      abort.abort();
      process.stderr.write('\nquantlens: stopping after the current chunk (Ctrl-C again to quit now)\n');
    };
    process.on('SIGINT', onInterrupt);
    try {
      const result = await runEval(command.request, { stdout: process.stdout, stderr: process.stderr }, abort.signal);
      process.stderr.write(`quantlens: exit ${result.code} (${OUTCOME_WORD[result.code]}): ${oneLine(result.reason)}\n`);
      return result.code;
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  } catch (error) {
    const failure = describeFailure(error);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.stderr.write(`quantlens: exit ${failure.code} (${OUTCOME_WORD[failure.code]}): ${failure.line}${failure.hint ? ` ${failure.hint}` : ''}\n`);
    return failure.code;
  }
}

process.exitCode = await main(process.argv.slice(2));
