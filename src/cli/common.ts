import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { outputRefusal, writeFileAtomically } from '../atomic-write.js';
import type { Command } from 'commander';
import { applyBaseline, createBaseline, parseBaseline, serializeBaseline, type BaselineFile } from '../baseline.js';
import { InputError } from '../errors.js';
import { nodeFileSystem, readFailureReason, writeFailureReason } from '../fs.js';
import { failsAt } from '../report/build.js';
import { assertFormat, FORMAT_NAMES, getFormatter } from '../report/index.js';
import type { Report, Severity } from '../types.js';
import { parseSeverity } from './parse.js';

/** Options every reporting command accepts (docs/CONTRACT.md §2). */
export interface OutputOptions {
  format: string;
  output?: string;
  failOn: string;
  color: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** Accepted findings: only findings not in this file count. */
  baseline?: string;
  /** Write every current finding to this file as the new baseline (then they count as accepted). */
  writeBaseline?: string;
  /** Also append the Markdown report to this file (a GitHub Actions step summary), whatever --format is. */
  stepSummary?: string;
  /** Set by `live --watch`: the report is rewritten every refresh. */
  watching?: boolean;
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--format <name>', `${FORMAT_NAMES.join(', ')} (openmetrics: the live stage)`, 'table')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above: error, warning or info', 'error')
    .option('--baseline <file>', 'ignore the known findings recorded in this baseline file; fail only on new ones')
    .option('--write-baseline <file>', 'record every current finding in this baseline file (and accept them)')
    .option('--step-summary <file>', 'also append the Markdown report to FILE, e.g. "$GITHUB_STEP_SUMMARY" (any --format)')
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

/** A baseline lists accepted findings' fingerprints: far below this even for huge projects. */
const MAX_BASELINE_BYTES = 16 * 1024 * 1024;

function readBaseline(file: string): BaselineFile {
  let text: string;
  try {
    text = nodeFileSystem.readFile(file, MAX_BASELINE_BYTES);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (record one with --write-baseline FILE)' : '';
    throw new InputError(`Cannot read --baseline ${file}: ${readFailureReason(error)}${missing}`);
  }
  return parseBaseline(text, file);
}

/** Writes a file the user named with a flag (`--output`, `--write-baseline`): a failure is one input-error line. */
export function writeFlagFile(file: string, text: string, flag: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new InputError(`Cannot write ${flag} ${file}: ${writeFailureReason(error, file)}`);
  }
}

/**
 * SARIF results need a file location (GitHub code scanning rejects the file otherwise); live findings get one only
 * from a project dir's configuration. Warned on stderr, so the report itself stays what was asked.
 */
export function warnLocationlessSarif(options: Pick<OutputOptions, 'format'>, root: string | undefined): void {
  if (options.format !== 'sarif' || root !== undefined) return;
  process.stderr.write(
    'receipts-doctor: warning: without a project dir, live findings have no file location, and code scanning rejects SARIF results without one; give the project dir (e.g. `live . --redis URL --format sarif`).\n',
  );
}

function assertOutputWritable(file: string): void {
  const refusal = outputRefusal(file);
  if (refusal) throw new InputError(`--output ${file} ${refusal}; refused.`);
}

/** `--output`: a regular file (or a new one) only, replaced atomically; anything else is exit 2. */
function writeOutput(file: string, text: string): void {
  assertOutputWritable(file);
  try {
    writeFileAtomically(file, text);
  } catch (error) {
    throw new InputError(`Cannot write --output ${file}: ${writeFailureReason(error, file)}`);
  }
}

/** Validates --format/--fail-on/--baseline before any work is done, so bad flags exit 2 at once. */
export function validateOutputOptions(options: OutputOptions): { failOn: Severity } {
  assertFormat(options.format);
  const failOn = parseSeverity(options.failOn);
  if (options.baseline !== undefined) readBaseline(options.baseline);
  // Refused before any work: a check must not run for minutes to then fail on its output path.
  if (options.output) assertOutputWritable(options.output);
  return { failOn };
}

/**
 * Applies the baseline options: `--write-baseline` records every current finding (and so accepts them),
 * `--baseline` drops the findings a previous run accepted. Returns the report the gate judges.
 */
export function applyBaselineOptions(report: Report, options: OutputOptions): Report {
  const failOn = parseSeverity(options.failOn);
  if (options.writeBaseline !== undefined) {
    const baseline = createBaseline(report.findings);
    writeFlagFile(options.writeBaseline, serializeBaseline(baseline), '--write-baseline');
    if (!options.quiet) {
      process.stderr.write(`Baseline with ${report.findings.length} finding(s) written to ${options.writeBaseline}\n`);
    }
    const failing = report.findings.filter((finding) => failsAt([finding], failOn)).length;
    if (failing > 0) {
      // The new baseline applies to this very run: a gate that would have failed passes. Said even with --quiet.
      process.stderr.write(
        `receipts-doctor: --write-baseline accepted the ${failing} finding${failing > 1 ? 's' : ''} at or above --fail-on ${failOn} of this run, so it exits 0; runs with --baseline ${options.writeBaseline} fail only on new findings.\n`,
      );
    }
    return applyBaseline(report, baseline, failOn, options.writeBaseline);
  }
  if (options.baseline !== undefined) return applyBaseline(report, readBaseline(options.baseline), failOn, options.baseline);
  return report;
}

/**
 * The Markdown report appended to a step summary: the file of `--step-summary` (any format; the GitHub Action
 * writes SARIF and the summary in one run), or on GitHub Actions `GITHUB_STEP_SUMMARY` for `--format github`.
 */
async function appendStepSummary(report: Report, options: OutputOptions): Promise<void> {
  const summaryFile = options.stepSummary || (options.format === 'github' ? process.env.GITHUB_STEP_SUMMARY : undefined);
  if (!summaryFile) return;
  try {
    const formatMarkdown = await getFormatter('markdown');
    appendFileSync(summaryFile, `${formatMarkdown(report, { color: false })}\n`);
  } catch (error) {
    // The annotations are the product here; a summary that cannot be written is worth a warning, not a failed gate.
    process.stderr.write(`receipts-doctor: cannot append to GITHUB_STEP_SUMMARY: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
  }
}

/** Formats the report, writes it where asked, and sets the exit code (0 ok, 1 findings at or above --fail-on). */
export async function emitReport(original: Report, options: OutputOptions): Promise<void> {
  const failOn = parseSeverity(options.failOn);
  const report = applyBaselineOptions(original, options);
  const quietTable = Boolean(options.quiet) && options.format === 'table';
  // Quiet keeps the sections (the verdict names the stages that ran); the table formatter leaves their views out.
  const shown = quietTable ? { ...report, findings: report.findings.filter((finding) => failsAt([finding], failOn)) } : report;
  const format = await getFormatter(options.format);
  const text = format(shown, { color: useColor(options), verbose: options.verbose ?? false, quiet: quietTable, failOn });
  if (options.output) {
    // Every format is written the same way: a textfile collector may read the file at any moment (live --watch
    // rewrites it), and the path may sit in a directory a hostile repository controls.
    writeOutput(options.output, text);
    // A watch rewriting the openmetrics file every few seconds would repeat the line.
    if (!options.quiet && !(options.watching && options.format === 'openmetrics')) process.stderr.write(`Report written to ${options.output}\n`);
  } else {
    process.stdout.write(text);
  }
  await appendStepSummary(report, options);
  process.exitCode = failsAt(report.findings, failOn) ? 1 : 0;
}
