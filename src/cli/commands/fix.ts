import { environmentName } from '../../wording.js';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import type { FixResult } from '../../fix/index.js';
import type { Finding } from '../../types.js';
import { VERSION } from '../../version.js';
import { writeFlagFile } from '../common.js';
import { addStaticOptions, PROJECT_DIR_ARGUMENT, projectConfig, resolveProjectDir, resolveStatic, type StaticCliOptions } from '../stages.js';

/** `fix --format`: the diff (stdout, appliable with `git apply`), the plan as JSON, or the report with its fixes. */
const FIX_FORMATS = ['diff', 'json', 'sarif', 'markdown'] as const;

interface FixCliOptions extends StaticCliOptions {
  write?: boolean;
  format: string;
  output?: string;
}

const subject = (finding: Finding): string =>
  [finding.rule, finding.queue !== undefined ? `queue \`${finding.queue}\`` : undefined, finding.environment !== undefined ? `in ${environmentName(finding.environment)}` : undefined]
    .filter(Boolean)
    .join(' ');

/** Exit 0 only when nothing is left: no edit pending (dry run), every edit written and its findings gone, nothing left alone. */
export function fixSucceeded(result: FixResult, write: boolean): boolean {
  if (result.skipped.length > 0 || result.introduced.length > 0) return false;
  if (!write) return result.fixes.length === 0;
  return result.remaining.length === 0 && (result.written ?? []).every((outcome) => outcome.written);
}

/** The plan as JSON (docs/fix.md): the edits, the findings left alone with the reason, the files and their diffs. */
function planJson(result: FixResult, write: boolean): string {
  const brief = (finding: Finding) => ({
    rule: finding.rule,
    ...(finding.queue !== undefined ? { queue: finding.queue } : {}),
    ...(finding.environment !== undefined ? { environment: finding.environment } : {}),
    message: finding.message,
    ...(finding.location ? { location: finding.location } : {}),
  });
  const written = new Map((result.written ?? []).map((outcome) => [outcome.file, outcome]));
  return `${JSON.stringify(
    {
      tool: 'receipts-doctor',
      version: VERSION,
      mode: write ? 'write' : 'dry-run',
      ok: fixSucceeded(result, write),
      fixes: result.fixes.map((fix) => ({
        description: fix.description,
        findings: fix.findings.map(brief),
        replacements: fix.replacements ?? [],
      })),
      skipped: result.skipped.map((entry) => ({ ...brief(entry.finding), reason: entry.reason, decide: entry.decide })),
      files: result.changes.map((change) => ({
        file: change.file,
        diff: change.diff,
        ...(write ? { written: written.get(change.file)?.written ?? false } : {}),
        ...(written.get(change.file)?.reason ? { reason: written.get(change.file)!.reason } : {}),
      })),
      ...(write ? { remaining: result.remaining.map(brief) } : {}),
      introduced: result.introduced.map(brief),
    },
    null,
    2,
  )}\n`;
}

/** The human summary (stderr with the diff format, so stdout stays a clean patch). */
async function summary(result: FixResult, write: boolean): Promise<string> {
  const { visible } = await import('../../fix/diff.js');
  const lines: string[] = [];
  const fixed = result.fixes.reduce((count, fix) => count + fix.findings.length, 0);
  if (result.fixes.length === 0) lines.push(result.skipped.length ? 'fix: nothing fix can change on its own.' : 'fix: nothing to fix.');
  else if (!write) {
    lines.push(`fix: ${result.fixes.length} edit${result.fixes.length > 1 ? 's' : ''} in ${result.changes.length} file${result.changes.length > 1 ? 's' : ''} would fix ${fixed} finding${fixed > 1 ? 's' : ''} (dry run; apply with --write).`);
  } else {
    for (const outcome of result.written ?? []) lines.push(outcome.written ? `fix: wrote ${outcome.file}` : `fix: did not write ${outcome.reason}`);
    lines.push(
      result.remaining.length === 0
        ? `fix: re-checked: the ${fixed} fixed finding${fixed > 1 ? 's are' : ' is'} gone.`
        : `fix: re-checked: ${result.remaining.length} finding${result.remaining.length > 1 ? 's are' : ' is'} still there: ${result.remaining.map(subject).join('; ')}.`,
    );
  }
  for (const fix of result.fixes) lines.push(`  ✓ ${fix.description}`);
  for (const entry of result.skipped) lines.push(`  left alone: ${subject(entry.finding)}: ${entry.reason}. Decide ${entry.decide}.`);
  for (const finding of result.introduced) lines.push(`  new finding after the edits: ${subject(finding)}: ${finding.message}`);
  return `${lines.map((line) => visible(line)).join('\n')}\n`;
}

export function registerFix(program: Command): void {
  const command = program
    .command('fix')
    .argument('[dir]', PROJECT_DIR_ARGUMENT, '.')
    .description('write the change a finding names: a unified diff (dry run) by default, --write applies it');
  addStaticOptions(command);
  command
    .option('--write', 'apply the edits (atomic writes), print the diff, then re-check')
    .option('--format <name>', FIX_FORMATS.join(', '), 'diff')
    .option('--output <file>', 'write the diff or report to a file instead of stdout')
    .option('--no-color', 'accepted for symmetry with the other commands (fix prints no colours)')
    .option('--verbose', 'stack traces for unexpected errors');
  command.action(async (dir: string, options: FixCliOptions) => {
    if (!(FIX_FORMATS as readonly string[]).includes(options.format)) {
      throw new InputError(`Unknown format \`${options.format}\` for fix; valid formats: ${FIX_FORMATS.join(', ')}.`);
    }
    const root = await resolveProjectDir(dir, Boolean(options.env));
    const config = await projectConfig(root);
    const [{ runFix }, { diskRefusal }] = await Promise.all([import('../../fix/index.js'), import('../../fix/files.js')]);
    const write = Boolean(options.write);
    const result = await runFix({ static: resolveStatic(root, options, config), write, guard: (file) => diskRefusal(root, file) });
    let out: string;
    if (options.format === 'diff') {
      out = result.changes.map((change) => change.diff).join('');
      process.stderr.write(await summary(result, write));
    } else if (options.format === 'json') {
      out = planJson(result, write);
    } else {
      const [{ buildReport }, { getFormatter }] = await Promise.all([import('../../report/build.js'), import('../../report/index.js')]);
      const report = buildReport(result.findings, { static: result.section });
      out = (await getFormatter(options.format))(report, { color: false });
      process.stderr.write(await summary(result, write));
    }
    if (options.output) writeFlagFile(options.output, out, '--output');
    else process.stdout.write(out);
    process.exitCode = fixSucceeded(result, write) ? 0 : 1;
  });
}
