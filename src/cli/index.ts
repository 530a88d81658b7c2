import { Command, CommanderError } from 'commander';
import { formatErrorLine, isKnownError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerAlerts } from './commands/alerts.js';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerExporter } from './commands/exporter.js';
import { registerFix } from './commands/fix.js';
import { registerLive } from './commands/live.js';
import { registerServe } from './commands/serve.js';
import { registerSmoke } from './commands/smoke.js';
import { registerStatic } from './commands/static.js';

const program = new Command('receipts-doctor')
  .description('Proves a queue-backed feature works: compose config vs code (static), Redis workers (live), the HTTP sync (smoke).')
  .version(VERSION)
  .exitOverride();

/**
 * Commander's usage errors (unknown option, missing or extra argument) as one line in the doctor's style:
 * `receipts-doctor: unknown option '--x' (run with --help for usage)`. A "Did you mean" suggestion joins the line.
 */
function writeUsageError(text: string, write: (line: string) => void): void {
  const reason = text
    .replace(/^error: /, '')
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
  write(`receipts-doctor: ${reason} (run with --help for usage)\n`);
}

registerCheck(program);
registerStatic(program);
registerFix(program);
registerLive(program);
registerSmoke(program);
registerServe(program);
registerDemo(program);
registerExporter(program);
registerAlerts(program);
for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ outputError: writeUsageError });

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
