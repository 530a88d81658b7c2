import { Command } from 'commander';
import { VERSION } from '../version.js';

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

/**
 * The program with the commands `register` adds: the full CLI's (program.ts) and the `live` bundle's (live-main.ts)
 * are built by this one function, so a command parses, helps and refuses alike in both.
 */
export function rootProgram(register: (program: Command) => void): Command {
  const program = new Command('receipts-doctor')
    .description('Proves a queue-backed feature works: deployment configs vs code (static), Redis workers (live), the HTTP sync (smoke).')
    .version(VERSION)
    .exitOverride();
  register(program);
  for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ outputError: writeUsageError });
  return program;
}
