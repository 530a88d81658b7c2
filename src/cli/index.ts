import { CommanderError } from 'commander';
import { formatErrorLine, isKnownError } from '../errors.js';
import { buildProgram } from './program.js';

const program = buildProgram();

const verbose = process.argv.includes('--verbose');

/** A function rather than a top-level await: the bundle is CommonJS (scripts/bundle.js says why). */
async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
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
}

void main();
