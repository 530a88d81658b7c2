import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { failsAt } from '../report/build.js';
import { getFormatter } from '../report/index.js';
import type { Report, Severity } from '../types.js';
import { parseSeverity } from './parse.js';

/** Options every reporting command accepts (SPEC §2). */
export interface OutputOptions {
  format: string;
  output?: string;
  failOn: string;
  color: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--format <name>', 'table, json, sarif, github, junit or markdown', 'table')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above: error, warning or info', 'error')
    .option('--no-color', 'never colour the output (NO_COLOR too)')
    .option('--quiet', 'table: only the findings at or above --fail-on and the verdict')
    .option('--verbose', 'more detail; stack traces for unexpected errors');
}

/** Colours on a TTY only; NO_COLOR and --no-color switch them off, FORCE_COLOR on. */
export function useColor(options: Pick<OutputOptions, 'color' | 'output'>, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (!options.color || options.output) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return Boolean(stream.isTTY);
}

/** Validates --format/--fail-on before any work is done, so bad flags exit 2 at once. */
export function validateOutputOptions(options: OutputOptions): { failOn: Severity } {
  getFormatter(options.format);
  return { failOn: parseSeverity(options.failOn) };
}

/** Formats the report, writes it where asked, and sets the exit code (0 ok, 1 findings at or above --fail-on). */
export function emitReport(report: Report, options: OutputOptions): void {
  const failOn = parseSeverity(options.failOn);
  let shown = report;
  if (options.quiet && options.format === 'table') {
    const { static: _s, live: _l, smoke: _m, ...rest } = report;
    shown = { ...rest, findings: report.findings.filter((finding) => failsAt([finding], failOn)) };
  }
  const text = getFormatter(options.format)(shown, { color: useColor(options), verbose: options.verbose ?? false });
  if (options.output) {
    try {
      writeFileSync(options.output, text);
    } catch (error) {
      throw new InputError(`Cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (!options.quiet) process.stderr.write(`Report written to ${options.output}\n`);
  } else {
    process.stdout.write(text);
  }
  process.exitCode = failsAt(report.findings, failOn) ? 1 : 0;
}
