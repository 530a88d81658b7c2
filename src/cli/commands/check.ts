import type { Command } from 'commander';
import { check } from '../../check.js';
import { InputError } from '../../errors.js';
import { addOutputOptions, emitReport, validateOutputOptions, type OutputOptions } from '../common.js';
import { assertEnvironmentHasProject, assertKnownEnvironment } from '../environment.js';
import {
  addLiveOptions,
  addSmokeOptions,
  addStaticOptions,
  hasProjectFiles,
  projectConfig,
  resolveLive,
  resolveProjectDir,
  resolveSmoke,
  resolveStatic,
  type LiveCliOptions,
  type SmokeCliOptions,
  type StaticCliOptions,
} from '../stages.js';

type CheckCliOptions = OutputOptions & StaticCliOptions & LiveCliOptions & SmokeCliOptions;

export function registerCheck(program: Command): void {
  const command = program
    .command('check')
    .argument('[dir]', 'project dir with compose files (default: the cwd when it has one)')
    .description('static + live (with --redis) + smoke (with --url): one report, one exit code');
  addStaticOptions(command);
  addLiveOptions(command);
  addSmokeOptions(command);
  addOutputOptions(command);
  command.action(async (dir: string | undefined, options: CheckCliOptions) => {
    const { failOn } = validateOutputOptions(options);
    const root =
      dir !== undefined
        ? await resolveProjectDir(dir, Boolean(options.env || options.source))
        : hasProjectFiles(process.cwd())
          ? process.cwd()
          : undefined;
    const config = await projectConfig(root);
    const environment = options.environment ?? config.live?.environment;
    assertEnvironmentHasProject(environment, root);
    const live = resolveLive(options, config);
    // Without --redis, --queue declares queues to the static stage; with it, the live stage expects them.
    const staticOptions = root ? resolveStatic(root, live ? { ...options, queue: undefined } : options, config) : undefined;
    const smoke = resolveSmoke(options, config);
    if (!staticOptions && !live && !smoke) {
      throw new InputError('Nothing to check: give a project dir (or run in one with a compose file), --redis or --url.');
    }
    const progress = smoke && !options.quiet ? (await import('../../smoke/progress.js')).ttyProgress(process.stderr) : undefined;
    // Ctrl-C: the stage under way is abandoned, the finished stages' findings are printed, then exit 130 (128 + SIGINT).
    const interrupt = new AbortController();
    const onSigint = () => interrupt.abort();
    process.once('SIGINT', onSigint);
    let report;
    try {
      report = await check({
        failOn,
        signal: interrupt.signal,
        ...(staticOptions ? { static: staticOptions } : {}),
        ...(live ? { live } : {}),
        ...(live && live.origin !== 'flag' ? { liveOrigin: live.origin } : {}),
        ...(smoke ? { smoke: progress ? { ...smoke, onProgress: progress.onProgress } : smoke } : {}),
        ...(config.rules ? { ruleOverrides: config.rules } : {}),
        // Checked with or without --redis: an environment the project does not have is a typo, not a no-op.
        onStatic: (section) => assertKnownEnvironment(section.environments.map((entry) => entry.name), environment),
      });
    } finally {
      process.off('SIGINT', onSigint);
      progress?.done();
    }
    await emitReport(report, options);
    if (report.interrupted) {
      process.stderr.write(`receipts-doctor: interrupted during the ${report.interrupted} stage\n`);
      // The abandoned stage may still hold a socket or a timer: exit once the report is written, as a shell expects.
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      process.exit(130);
    }
  });
}
