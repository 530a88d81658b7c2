import { CommanderError, type Command } from 'commander';
import { formatErrorLine, isKnownError } from '../errors.js';

/**
 * Thrown by the `live` bundle's command when it is given a project dir: that run needs the static stage, which only the
 * full CLI holds, so src/bundle/cli.ts runs the same arguments there (nothing has been read or written yet).
 */
export class HandOver extends Error {
  constructor() {
    super('the full CLI runs this');
  }
}

/** How a run ended: done (its exit code set), or handed over to the full CLI. */
export type RunEnd = 'done' | 'hand-over';

/**
 * A write to standard output that fails. A reader that left (`receipts-doctor live | head`) closes the pipe: the rest
 * of the output has nowhere to go, so the run goes on quietly and exits with its own verdict. Any other failure (a
 * full disk under `> report.json`) means the report was not delivered: one line and exit 2, so a partial report is
 * never taken for a verdict. Without a listener Node throws either as an unhandled 'error' event, a stack trace.
 */
function onOutputError(error: NodeJS.ErrnoException): void {
  // ERR_STREAM_DESTROYED: a later write to the stream the EPIPE closed.
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
  try {
    process.stderr.write(`receipts-doctor: cannot write to standard output (${error.code ?? error.message})\n`);
  } finally {
    process.exit(2);
  }
}

/** Parses argv and runs the command: an error is one line and exit 2 (`--verbose` adds the stack). */
export async function runProgram(program: Command): Promise<RunEnd> {
  process.stdout.on('error', onOutputError);
  // Standard error has nowhere to report its own failure: a reader that left is ignored, like stdout's.
  process.stderr.on('error', () => {});
  const verbose = process.argv.includes('--verbose');
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof HandOver) {
      process.stdout.off('error', onOutputError);
      return 'hand-over';
    }
    if (error instanceof CommanderError) {
      // commander already printed its message; help/version exit 0, usage errors exit 2.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (isKnownError(error)) {
      process.stderr.write(`receipts-doctor: ${formatErrorLine(error)}\n`);
      if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 2;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`receipts-doctor: internal error: ${message}\n`);
      if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      else process.stderr.write('(run with --verbose for a stack trace, and please report it)\n');
      process.exitCode = 2;
    }
  }
  return 'done';
}
