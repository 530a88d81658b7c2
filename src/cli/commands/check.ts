import type { Command } from 'commander';
import { check } from '../../check.js';
import { InputError } from '../../errors.js';
import { addOutputOptions, emitReport, validateOutputOptions, warnLocationlessSarif, type OutputOptions } from '../common.js';
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
  PROJECT_DIR_ARGUMENT,
} from '../stages.js';

type CheckCliOptions = OutputOptions & StaticCliOptions & LiveCliOptions & SmokeCliOptions;

export function registerCheck(program: Command): void {
  const command = program
    .command('check')
    .argument('[dir]', `${PROJECT_DIR_ARGUMENT} (default: the cwd when it has one)`)
    .description('static + live (with --redis or --broker) + smoke (with --url): one report, one exit code');
  addStaticOptions(command);
  addLiveOptions(command);
  addSmokeOptions(command);
  addOutputOptions(command);
  command.action(async (dir: string | undefined, options: CheckCliOptions) => {
    const { failOn } = validateOutputOptions(options);
    const explicitSources = Boolean(options.env || options.source);
    // --env/--source name files relative to the project dir: without a dir, that is the cwd (as for `static`).
    const root =
      dir !== undefined || explicitSources
        ? await resolveProjectDir(dir ?? '.', explicitSources)
        : hasProjectFiles(process.cwd())
          ? process.cwd()
          : undefined;
    const config = await projectConfig(root);
    const environment = options.environment ?? config.live?.environment;
    assertEnvironmentHasProject(environment, root);
    const live = resolveLive(options, config);
    // Without --redis/--broker, --queue declares queues to the static stage; with one, the live stage expects them.
    const staticOptions = root ? resolveStatic(root, live ? { ...options, queue: undefined } : options, config) : undefined;
    const smoke = resolveSmoke(options, config);
    if (!staticOptions && !live && !smoke) {
      throw new InputError(
        `Nothing to check: ${process.cwd()} holds no deployment files; give a project dir (\`check path/to/project\`), --redis URL, --broker URL or --url URL.`,
      );
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
    if (live) warnLocationlessSarif(options, root);
    await emitReport(report, options);
    if (report.interrupted) {
      process.stderr.write(`receipts-doctor: interrupted during the ${report.interrupted} stage\n`);
      // The abandoned stage may still hold a socket or a timer: exit once the report is written, as a shell expects.
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      process.exit(130);
    }
  });
}
