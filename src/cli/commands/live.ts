import type { Command } from 'commander';
import { driftConfig, liveOptionsForProject } from '../../check.js';
import { parseNumber } from '../parse.js';
import { applyOverrides, buildReport } from '../../report/build.js';
import { addOutputOptions, emitReport, validateOutputOptions, warnLocationlessSarif, type OutputOptions } from '../common.js';
import {
  addLiveOptions,
  addStaticOptions,
  liveBackendList,
  PROJECT_DIR_ARGUMENT,
  runProjectStatic,
  setUpLiveCommand,
  type LiveCliOptions,
  type StaticCliOptions,
} from '../stages.js';

export function registerLive(program: Command): void {
  const command = program
    .command('live')
    .argument('[dir]', `${PROJECT_DIR_ARGUMENT}: compare live workers with its configuration (config-live-drift)`)
    .description(`the live stage alone: read-only inspection of the workers and queues in Redis (${liveBackendList('and')}), and of Celery on RabbitMQ (--broker)`);
  addLiveOptions(command);
  addStaticOptions(command);
  addOutputOptions(command);
  command.option('--watch [seconds]', 'refresh the view in place every SECONDS (default 2) until Ctrl-C, like `rq info --interval`');
  command.action(async (dir: string | undefined, options: OutputOptions & LiveCliOptions & StaticCliOptions & { watch?: string | boolean }) => {
    const { failOn } = validateOutputOptions(options);
    const { root, config, live: liveOptions, environment } = await setUpLiveCommand('live', dir, options);
    let live = liveOptions;
    if (root) {
      // Loaded only with a project dir: `live --redis URL` alone never pays for the compose loader and scanner.
      const section = await runProjectStatic(root, options, config, environment);
      live = liveOptionsForProject(liveOptions, section, driftConfig(section, environment));
    }
    const { runLive } = await import('../../live/index.js');
    let warned = false;
    const inspect = async () => {
      // Standalone: an unreachable Redis or RabbitMQ is an UnreachableError → exit 2.
      const result = await runLive(live);
      // Once there is a report (an exit 2 stays one line), and once for all --watch refreshes.
      if (!warned) warnLocationlessSarif(options, root);
      warned = true;
      const watching = options.watch !== undefined && options.watch !== false;
      await emitReport(buildReport(applyOverrides(result.findings, config.rules), { live: result.section }, failOn), watching ? { ...options, watching } : options);
    };
    if (options.watch === undefined || options.watch === false) return inspect();
    const { CLEAR_SCREEN, watchLoop } = await import('../../live/watch.js');
    const seconds = options.watch === true ? 2 : parseNumber('--watch', options.watch, { min: 0.1 });
    const clear = process.stdout.isTTY && !options.output;
    // Each refresh sets process.exitCode, so the exit code is the last refresh's.
    await watchLoop(async () => {
      if (clear) process.stdout.write(CLEAR_SCREEN);
      await inspect();
    }, seconds * 1000);
  });
}
