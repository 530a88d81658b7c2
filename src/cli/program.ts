import { Command } from 'commander';
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

/** Every command and option: what the CLI parses, and what docs/options.md is rendered from (src/cli/options-doc.ts). */
export function buildProgram(): Command {
  const program = new Command('receipts-doctor')
    .description('Proves a queue-backed feature works: deployment configs vs code (static), Redis workers (live), the HTTP sync (smoke).')
    .version(VERSION)
    .exitOverride();
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
  return program;
}
